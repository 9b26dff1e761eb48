"""Errors an author can act on: one line each, naming file, line and what to do."""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable
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

    def __post_init__(self) -> None:
        # A message quotes what the author wrote, which may hold a newline or a control
        # character: shown escaped, a problem stays one printable line.
        object.__setattr__(self, "message", one_line(self.message))
        object.__setattr__(self, "hint", one_line(self.hint))

    def as_dict(self) -> dict[str, object]:
        """The problem for `briefgen check --format json`."""
        return {
            "path": display_path(self.path),
            "line": self.line,
            "col": self.col,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }

    def as_github(self) -> str:
        """The problem as a GitHub workflow command (`::error file=…,line=…,col=…::…`),
        so a CI run shows it on the line of the pull request's diff."""
        where = ",".join(
            f"{key}={_github_escape(str(value), True)}"
            for key, value in (
                ("file", display_path(self.path)),
                ("line", self.line),
                ("col", self.col),
            )
        )
        hint = f" ({self.hint})" if self.hint else ""
        return f"::{self.severity} {where}::{_github_escape(self.message + hint, False)}"

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


def _github_escape(text: str, property_value: bool) -> str:
    """Escaped as GitHub's workflow commands require (`%`, CR, LF; also `:` and `,` in
    a property), so a message cannot end the command early or start another."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if property_value else text


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


def one_line(text: str) -> str:
    """`text` with line breaks, control characters and lone surrogates escaped (`\\x07`)."""
    if all(not _unprintable(char) for char in text):
        return text
    return "".join(
        char.encode("unicode_escape").decode("ascii") if _unprintable(char) else char
        for char in text
    )


def _unprintable(char: str) -> bool:
    return unicodedata.category(char) in {"Cc", "Cs", "Zl", "Zp"} or char in "\ufffe\uffff"


def sorted_unique(problems: Iterable[Problem]) -> list[Problem]:
    """Problems in file and line order, each once (two rules may meet at one place)."""
    unique: dict[tuple, Problem] = {}
    for problem in problems:
        key = (Path(problem.path).resolve(), problem.line, problem.col, problem.message)
        unique.setdefault(key, problem)
    return sorted(unique.values(), key=lambda p: (str(Path(p.path).resolve()), p.line, p.col))


def not_utf8(path: Path, raw: bytes, error: UnicodeDecodeError) -> Problem:
    """Where a file stops being UTF-8: the line and column of the first bad byte."""
    line = raw.count(b"\n", 0, error.start) + 1
    line_start = raw.rfind(b"\n", 0, error.start) + 1
    col = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
    return Problem(
        path, line, col, f"not UTF-8 text (byte 0x{raw[error.start]:02x})", "save the file as UTF-8"
    )
