"""Shared fixtures and helpers: one small project, one edit helper, the CLI.

Test modules import helpers from here (`from conftest import edit, run`), never
from one another. `project` is the one throwaway project: the real templates (the
`general` audience only) and sources, and the mini brief of tests/fixtures.

A test that builds a PDF or DOCX, or runs the command line as a subprocess, is
marked `slow`; so is every test that uses a fixture which builds (`BUILDING`), by
the hook at the end. `pytest -m "not slow"` runs the fast specifications.
"""

from __future__ import annotations

import contextlib
import functools
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from briefgen import cli
from briefgen.project.datasets import add_shared
from briefgen.project.load import PROJECT_FILES

ROOT = Path(__file__).resolve().parents[1]
#: The key that seals caches (briefgen/sealed.py) is the tests' own, not the user's.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="briefgen-test-cache-")
FIXTURES = Path(__file__).parent / "fixtures"
sys.path.insert(0, str(Path(__file__).parent))
#: The one audience the small project builds (others may ask for what the mini brief
#: lacks, such as section tags, and would only slow each case down).
AUDIENCE = "general"

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
    """A YAML file as plain data; a brief with the shared datasets (content/data/) it uses."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    if path.parent.name == "content" and path.name not in PROJECT_FILES:
        add_shared(data, path.parent)
    return data


@functools.cache
def registered_sources() -> dict:
    return raw_yaml(ROOT / "content" / "sources.yaml")["sources"]


def names_source(source_id: str, text: str, lang: str) -> bool:
    """Whether a footnote's text names the source: its title (or, after its first
    note, its short title) in the reader's language, and its publisher or outlet
    where the register gives one."""
    source = registered_sources()[source_id]
    titles = {source["title"][lang], source.get("short_title", source["title"])[lang]}
    names = [source[key][lang] for key in ("publisher", "outlet") if key in source]
    return any(title in text for title in titles) and all(name in text for name in names)


#: Words only a full reference holds (the kind of source).
FULL_REFERENCE = ("web page", "news report", "article", "網頁", "新聞報道", "文章")


def expected_citations(brief: str, lang: str) -> int:
    """Notes a brief's general edition sets in one language, counted from the YAML:
    one per paragraph or list item that cites (consecutive list items citing the same
    sources share one), one per run of key figures from the same source; tables and
    charts name their source in a line, not a note. `plain:` variants are not read."""
    from briefgen.edition.cite import collapse

    data = raw_yaml(ROOT / "content" / f"{brief}.yaml")

    def notes(texts: list[str]) -> int:
        return sum(len(CITATION.findall(text)) for text in collapse(texts))

    count = sum(notes([paragraph[lang]]) for paragraph in data["summary"])
    sources = [figure["source"] for figure in data["key_figures"]]
    count += sum(1 for i, s in enumerate(sources) if i + 1 == len(sources) or sources[i + 1] != s)
    for section in data["sections"]:
        for block in section["blocks"]:
            if "paragraph" in block:
                count += notes([block["paragraph"][lang]])
            elif "bullets" in block:
                count += notes([item[lang] for item in block["bullets"]])
    return count


def make_project(folder: Path) -> Path:
    """A throwaway project: the real templates (one audience) and sources, one small brief."""
    shutil.copytree(
        ROOT / "templates",
        folder / "templates",
        ignore=lambda parent, names: [
            name for name in names if Path(parent).name == "audiences" and name != AUDIENCE
        ],
    )
    (folder / "content").mkdir(parents=True)
    copy_register(folder / "content")
    shutil.copy(FIXTURES / "mini.yaml", folder / "content" / "mini.yaml")
    return folder


def copy_register(content: Path) -> None:
    """The project's sources.yaml, its archive folder made absolute (so that a
    throwaway project verifies its citations against the same texts)."""
    text = (ROOT / "content" / "sources.yaml").read_text(encoding="utf-8")
    archive = (ROOT / "../shared/sources").resolve()
    text = text.replace("\narchive: ../shared/sources\n", f"\narchive: {archive}\n")
    (content / "sources.yaml").write_text(text, encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """The one throwaway project (see `make_project`)."""
    return make_project(tmp_path / "project")


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file by `new`; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    """The 1-based line holding `needle`. Lines are split at line feeds only, as YAML
    and Jinja count them, whatever other breaks a line holds."""
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` (build caches excluded), by relative path."""
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and ".cache" not in path.parts
    }


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run(project: Path, *args: str) -> Result:
    """`briefgen <args>` in `project`, in this process (WeasyPrint is imported once)."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        os.chdir(previous)
    return Result(code, out.getvalue(), err.getvalue())


def assert_fails_with(project: Path, expected: str) -> str:
    """`briefgen build` (a subprocess) fails with exit 1 and `expected`; its stderr."""
    result = briefgen("build", "--jobs", "1", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    return result.stderr


#: A YAML bomb: each line multiplies the one before by nine.
BILLION_LAUGHS = """\
title: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


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


#: Fixtures that build PDFs or DOCX files: a test using one is slow.
BUILDING = frozenset(
    {
        "build_dir",
        "good",
        "releases",
        "copy",
        "press_only",
        "two_briefs",
        "hostile",
        "libreoffice_pdfs",
        "edition",
        "any_edition",
        "both",
    }
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if BUILDING & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.slow)
