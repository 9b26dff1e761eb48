"""The JSON Schemas editors use: generated from the models, current, and true to them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from briefgen.project.paths import Project
from briefgen.project.scaffold import new_audience
from briefgen.project.schema import SCHEMAS, audience_keys, schema_line, write_schemas

ROOT = Path(__file__).resolve().parents[1]
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def shipped() -> dict[str, list[Path]]:
    """The project's YAML files by the schema that describes them."""
    content = ROOT / "content"
    special = {"sources.yaml": "sources", "zh-Hans.yaml": "zh-Hans"}
    files: dict[str, list[Path]] = {name: [] for name in SCHEMAS}
    for path in sorted(content.glob("*.yaml")):
        files[special.get(path.name, "brief")].append(path)
    files["audience"] = sorted((ROOT / "templates" / "audiences").glob("*/audience.yaml"))
    files["dataset"] = sorted((content / "data").glob("*.yaml"))
    return files


def validate(schema: str, paths: list[Path], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    command = [str(CHECK_JSONSCHEMA), "--schemafile", f"schemas/{schema}.schema.json"]
    return subprocess.run(
        [*command, *map(str, paths)], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_the_committed_schemas_and_audience_docs_are_current():
    stale = write_schemas(ROOT, check_only=True)
    assert stale == [], f"run `briefgen schema`: {stale}"


def test_every_shipped_file_names_its_schema_on_its_first_line():
    for schema, paths in shipped().items():
        assert paths, schema
        for path in paths:
            depth = len(path.relative_to(ROOT).parts) - 1
            first = path.read_text(encoding="utf-8").splitlines()[0]
            assert first == schema_line(schema, depth), path
            target = path.parent / first.split("$schema=")[1]
            assert target.resolve() == (ROOT / "schemas" / f"{schema}.schema.json").resolve()


@pytest.mark.slow
def test_check_jsonschema_accepts_the_shipped_content_and_audiences():
    for schema, paths in shipped().items():
        result = validate(schema, paths)
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_the_schema_rejects_what_check_rejects(tmp_path):
    (tmp_path / "schemas").mkdir()
    audience = json.loads((ROOT / "schemas" / "audience.schema.json").read_text("utf-8"))
    (tmp_path / "schemas" / "audience.schema.json").write_text(json.dumps(audience), "utf-8")
    bad = tmp_path / "bad.yaml"
    # An unquoted colour is a YAML comment (null); `colour` is not a key.
    bad.write_text("edition: {en: A, zh-Hant: 甲}\ntheme:\n  accent: #2e3f8f\n  colour: x\n")
    result = validate("audience", [bad], cwd=tmp_path)
    assert result.returncode == 1
    assert "accent" in result.stdout and "colour" in result.stdout


@pytest.mark.slow
def test_a_new_audience_names_the_schema_and_passes_it(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "templates" / "audiences").mkdir(parents=True)
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "audience.schema.json").write_bytes(
        (ROOT / "schemas" / "audience.schema.json").read_bytes()
    )
    new_audience(Project(tmp_path), "trade-partners")
    path = tmp_path / "templates" / "audiences" / "trade-partners" / "audience.yaml"
    assert path.read_text("utf-8").startswith(schema_line("audience", 3) + "\n")
    result = validate("audience", [path], cwd=tmp_path)
    assert result.returncode == 0, result.stdout


def test_every_audience_key_is_described_in_the_docs():
    docs = (ROOT / "docs" / "audiences.md").read_text(encoding="utf-8")
    keys = audience_keys()
    assert {"edition", "theme.accent", "sections.exclude_tags"} <= {key for key, *_ in keys}
    for key, accepts, _, description in keys:
        assert accepts and description, f"audience key '{key}' needs a description"
        assert f"| `{key}` |" in docs
