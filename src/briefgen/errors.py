"""Errors an author can act on: one line each, naming file, line and what to do."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    col: int
    message: str
    hint: str = ""
    severity: str = "error"

    def __str__(self) -> str:
        hint = f" ({self.hint})" if self.hint else ""
        where = f"{display_path(self.path)}:{self.line}:{self.col}"
        return f"{where}: {self.severity}: {self.message}{hint}"


class BriefgenError(Exception):
    """An error the CLI reports as plain lines and a non-zero exit, never a traceback."""

    def lines(self) -> list[str]:
        return [str(self)]


class ContentError(BriefgenError):
    """One or more located problems in content, sources, audiences or templates."""

    def __init__(self, problems: list[Problem]):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


def display_path(path: Path) -> str:
    """A path relative to the working directory when it lies below it (as authors type it)."""
    path = Path(path)
    if not path.is_absolute():
        return str(path)
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
