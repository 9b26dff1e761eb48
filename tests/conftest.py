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
    from badinput import copy_register

    copy_register(tmp_path / "content")
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
