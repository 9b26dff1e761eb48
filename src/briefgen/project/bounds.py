"""Limits on what one YAML document may ask the build to do (docs/limits.md).

Checked on the parsed document, before validation or rendering, so that each
is a located error in `check` and `build` alike and no expensive work starts:
citations in one text, words too long to break, datasets too large to chart,
figures too large to format.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from briefgen.errors import Problem
from briefgen.limits import (
    MAX_CHART_CATEGORIES,
    MAX_CHART_POINTS,
    MAX_CITATIONS_PER_TEXT,
    MAX_FIGURE,
    MAX_WORD_CHARACTERS,
)

_CITATION = re.compile(r"\[@")
#: A Markdown image: `![alt](file)`.
_IMAGE = re.compile(r"!\[[^\]]*\]\(")
#: Cyrillic and Greek letters, which look like Latin ones in ids and words.
_LOOKALIKE = re.compile("[\u0370-\u03ff\u0400-\u04ff]")
#: A word mixing Latin letters with look-alikes (`hkmа-fintech` with a Cyrillic а).
_MIXED = re.compile("(?=[\\w-]*[A-Za-z])(?=[\\w-]*[\u0370-\u03ff\u0400-\u04ff])[\\w-]+")
#: A run of characters with no space or Chinese/Japanese/Korean character to break at.
_WORD = re.compile(
    "[^\\s\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
    f"{{{MAX_WORD_CHARACTERS + 1},}}"
)


def limit_problems(path: Path, data: Any) -> Iterator[Problem]:
    """Every place in `data` that exceeds a limit, with its line and column; and keys,
    images and look-alike letters that would fail, or mislead, far from their line."""
    for key, (line, col) in _keys_with_positions(data):
        if not isinstance(key, str):
            yield Problem(
                path,
                line + 1,
                col + 1,
                f"the key {key} is a {_kind(key)}, not a text",
                "put the key in quotes to make it a text",
            )
    for (line, col), value in scalars_with_positions(data):
        where = (path, line + 1, col + 1)
        if isinstance(value, str):
            yield from _text_problems(where, value)
        elif _is_number(value) and not math.isfinite(value):
            yield Problem(*where, f"'{value}' is not a finite number", "write a number such as 45")
        elif _is_number(value) and abs(value) >= MAX_FIGURE:
            yield Problem(
                *where,
                f"the figure {value:g} is {MAX_FIGURE:.0e} or more, too large to format",
                "state it in a larger unit (billions, trillions)",
            )
    yield from _dataset_problems(path, data)


def _text_problems(where: tuple[Path, int, int], value: str) -> Iterator[Problem]:
    citations = len(_CITATION.findall(value))
    if citations > MAX_CITATIONS_PER_TEXT:
        yield Problem(
            *where,
            f"{citations} citations in one text, more than the limit of {MAX_CITATIONS_PER_TEXT}",
            "cite a source once per statement; group them as [@a; @b]",
        )
    word = _WORD.search(value)
    if word:
        yield Problem(
            *where,
            f"a word of {len(word.group()):,} characters without a space, more than "
            f"the limit of {MAX_WORD_CHARACTERS} (it would run off the page)",
            "break it with spaces, or shorten the link",
        )
    image = _IMAGE.search(value)
    if image:
        yield Problem(
            *where,
            f"a Markdown image ({image.group()}…) cannot be shown in a brief's text",
            "show figures with a chart: block; a logo goes in the audience's theme",
        )
    for word in _MIXED.finditer(value):
        odd = next(char for char in word.group() if _LOOKALIKE.match(char))
        yield Problem(
            *where,
            f"'{word.group()}' mixes Latin letters with {unicodedata.name(odd, 'a letter')} "
            f"(U+{ord(odd):04X}), which looks like a Latin letter",
            "retype the word with a Latin keyboard layout",
        )


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "yes/no value" if value is not None else "null"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, dt.date):
        return "date"
    return "list or mapping"


def _keys_with_positions(node: Any) -> Iterator[tuple[Any, tuple[int, int]]]:
    """Every mapping key in `node`, with its own position."""
    if isinstance(node, CommentedMap):
        own = (node.lc.line or 0, node.lc.col or 0)
        for key, value in node.items():
            yield key, _lookup(node.lc.key, key, own)
            yield from _keys_with_positions(value)
    elif isinstance(node, CommentedSeq):
        for value in node:
            yield from _keys_with_positions(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _dataset_problems(path: Path, node: Any) -> Iterator[Problem]:
    """Datasets (mappings with `series:`) with too many categories or values to chart."""
    if isinstance(node, CommentedMap):
        categories, series = node.get("categories"), node.get("series")
        if isinstance(series, list):
            if isinstance(categories, list) and len(categories) > MAX_CHART_CATEGORIES:
                line, col = node.lc.value("categories")
                yield Problem(
                    path,
                    line + 1,
                    col + 1,
                    f"{len(categories):,} categories, more than the limit of "
                    f"{MAX_CHART_CATEGORIES}",
                    "summarise the data; a chart or table that long cannot be read",
                )
            points = sum(
                len(item["values"])
                for item in series
                if isinstance(item, dict) and isinstance(item.get("values"), list)
            )
            if points > MAX_CHART_POINTS:
                line, col = node.lc.value("series")
                yield Problem(
                    path,
                    line + 1,
                    col + 1,
                    f"{points:,} values, more than the limit of {MAX_CHART_POINTS:,}",
                    "summarise the data; a chart or table that large cannot be read",
                )
        for value in node.values():
            yield from _dataset_problems(path, value)
    elif isinstance(node, CommentedSeq):
        for value in node:
            yield from _dataset_problems(path, value)


def scalars_with_positions(node: Any) -> Iterator[tuple[tuple[int, int], Any]]:
    """(0-based line, column) and value of every scalar key and value in `node`.

    Values that ruamel holds no position for (merged in with `<<:`) take their mapping's.
    """
    if isinstance(node, CommentedMap):
        own = (node.lc.line or 0, node.lc.col or 0)
        for key, value in node.items():
            if not isinstance(key, CommentedMap | CommentedSeq):
                yield _lookup(node.lc.key, key, own), key
            if isinstance(value, CommentedMap | CommentedSeq):
                yield from scalars_with_positions(value)
            else:
                yield _lookup(node.lc.value, key, own), value
    elif isinstance(node, CommentedSeq):
        own = (node.lc.line or 0, node.lc.col or 0)
        for index, value in enumerate(node):
            if isinstance(value, CommentedMap | CommentedSeq):
                yield from scalars_with_positions(value)
            else:
                yield _lookup(node.lc.item, index, own), value


def _lookup(where: Any, key: Any, default: tuple[int, int]) -> tuple[int, int]:
    """ruamel's position of `key`; the mapping's own for a key merged in with `<<:`
    (ruamel records none, and raises KeyError)."""
    try:
        position = where(key)
    except (KeyError, IndexError, TypeError):
        return default
    if position is None or None in position:
        return default
    return position[0], position[1]
