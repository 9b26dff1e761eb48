"""Helpers for bad-input tests: a small project, edits to it, and the CLI run in-process.

`make_project` lays out a throwaway project (the real templates and sources, the
mini brief of tests/fixtures). `run` calls the command line's `main` in this
process (importing WeasyPrint once instead of once per case) and returns its exit
code and output, as a user would see them.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from briefgen import cli

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


#: The one audience the small project builds (others may ask for what the mini brief
#: lacks, such as section tags, and would only slow each case down).
AUDIENCE = "general"


def make_project(folder: Path) -> Path:
    """A throwaway project: the real templates (one audience) and sources, one small brief."""
    shutil.copytree(ROOT / "templates", folder / "templates")
    for audience in (folder / "templates" / "audiences").iterdir():
        if audience.name != AUDIENCE:
            shutil.rmtree(audience)
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


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    # split at line feeds only: YAML lines end there, whatever other breaks a line holds
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
    """`briefgen <args>` in `project`, in this process."""
    out, err = io.StringIO(), io.StringIO()
    previous = Path.cwd()
    os.chdir(project)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(args))
    finally:
        os.chdir(previous)
    return Result(code, out.getvalue(), err.getvalue())
