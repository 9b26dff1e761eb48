"""Kept for branches written before the helpers moved to conftest.py: import from there."""

from conftest import (
    AUDIENCE,
    BILLION_LAUGHS,
    FIXTURES,
    ROOT,
    Result,
    edit,
    line_of,
    make_project,
    run,
    snapshot,
)

__all__ = [
    "AUDIENCE",
    "BILLION_LAUGHS",
    "FIXTURES",
    "ROOT",
    "Result",
    "edit",
    "line_of",
    "make_project",
    "run",
    "snapshot",
]
