"""Shared fixtures: the project's own briefs, built once per test session."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen.engine.build import PROJECT_FILES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

BRIEFS = sorted(p.stem for p in (ROOT / "content").glob("*.yaml") if p.name not in PROJECT_FILES)
LANGS = ["en", "zh-Hant"]
CITATION = re.compile(r"\[@[^\]]+\]")


def briefgen(*args: str, cwd: Path = ROOT, check: bool = False) -> subprocess.CompletedProcess:
    """Run the installed command line as a user would."""
    command = [str(Path(sys.executable).parent / "briefgen"), *args]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
    if check and result.returncode != 0:
        raise AssertionError(f"briefgen {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def raw_yaml(path: Path):
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@functools.cache
def registered_sources() -> dict:
    return raw_yaml(ROOT / "content" / "sources.yaml")["sources"]


def names_source(source_id: str, text: str, lang: str) -> bool:
    """Whether a footnote's text names the source: its title in the reader's language
    and in its own, and its publisher where the register gives one."""
    source = registered_sources()[source_id]
    wanted = [source["title"][lang], source["title"][source["language"]]]
    if "publisher" in source:
        wanted.append(source["publisher"][lang])
    return all(part in text for part in wanted)


def expected_citations(brief: str, lang: str) -> int:
    """Citations a brief's general edition makes in one language, counted from the
    YAML itself: every `[@…]` group in its texts (not the `plain:` variants), plus
    the source of each key figure and each table."""
    data = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    count = 0

    def walk(node):
        nonlocal count
        if isinstance(node, dict):
            if lang in node and isinstance(node[lang], str):
                count += len(CITATION.findall(node[lang]))
            for key, value in node.items():
                # plain wording replaces a text only for some audiences
                if key not in ("plain", "plain_summary"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(data)
    count += len(data["key_figures"])
    blocks = [block for section in data["sections"] for block in section["blocks"]]
    # the general edition shows a dataset once: as its chart when it has a chart block
    charted = {block["chart"] for block in blocks if "chart" in block}
    shown_tables = {block["table"] for block in blocks if "table" in block} - charted
    return count + sum(1 for name in data.get("data", {}) if name in shown_tables)


FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway project: the real templates and sources, one small brief."""
    # The base templates and the default audience only: fast, and independent of
    # the other audiences' tag choices.
    shutil.copytree(
        ROOT / "templates",
        tmp_path / "templates",
        ignore=lambda folder, names: [
            name for name in names if Path(folder).name == "audiences" and name != "general"
        ],
    )
    (tmp_path / "content").mkdir()
    shutil.copy(ROOT / "content" / "sources.yaml", tmp_path / "content")
    shutil.copy(FIXTURES / "mini.yaml", tmp_path / "content" / "mini.yaml")
    return tmp_path


@pytest.fixture(scope="session")
def build_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("build")
    briefgen("build", "--out", str(out), check=True)
    return out


@pytest.fixture(scope="session")
def read_pdf():
    from pdfread import ReadPdf

    cache: dict[Path, ReadPdf] = {}

    def read(path: Path) -> ReadPdf:
        if path not in cache:
            cache[path] = ReadPdf(path)
        return cache[path]

    return read
