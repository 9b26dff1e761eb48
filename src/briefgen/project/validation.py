"""Pydantic's validation errors in an author's words, each at its line in the YAML.

A value that matches no member of a union (a block that is neither a paragraph
nor a table) gives one error per member; only the closest member's errors are
kept, so the author reads what is wrong with what they meant.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.errors import ContentError, Problem
from briefgen.project.document import Document
from briefgen.project.model import AUTHORED_LANGUAGES, BLOCK_KINDS

Model = TypeVar("Model", bound=BaseModel)


#: pydantic error types meaning "this is not even the right kind of value".
_WRONG_KIND = {
    "model_type",
    "model_attributes_type",
    "dict_type",
    "list_type",
    "float_type",
    "int_type",
    "string_type",
    "bool_type",
    "date_type",
    "none_required",
}
#: What each member of a union (as pydantic names it in an error's path) expects.
_EXPECTED = {
    "float": "a number",
    "int": "a whole number",
    "str": "a text",
    "Text": "a text with `en:` and `zh-Hant:`",
}


def _shown(value: Any) -> str:
    """A value as an author would recognise it in a message."""
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping (key: value)"
    if isinstance(value, list | tuple):
        return "a list"
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


#: Where the keys of each kind of file are documented (default: docs/content.md).
_DOCS = {"Audience": "docs/audiences.md"}


def _describe(
    error: ErrorDetails, path: Sequence[str | int], docs: str = "docs/content.md"
) -> tuple[str, str]:
    """A pydantic error as (what is wrong, what to do), in an author's words."""
    kind = error["type"]
    value = error.get("input")
    #: the key the value belongs to (of the list, for a list item)
    key = next((str(part) for part in reversed(path) if isinstance(part, str)), "")
    #: the value itself: `'title'`, `item 2 of 'sections'`, `the file`
    if path and isinstance(path[-1], int):
        what = f"item {path[-1] + 1} of '{key}'" if key else f"item {path[-1] + 1}"
    else:
        what = f"'{key}'" if key else "the file"
    if kind == "missing":
        if key in AUTHORED_LANGUAGES:
            return f"missing the {key} text", f"add `{key}:` with the text in that language"
        return f"missing required key '{key}'", f"add `{key}:`"
    if kind == "extra_forbidden":
        return f"unknown key '{key}'", f"check the spelling; {docs} lists the keys"
    if kind == "string_too_short":
        return f"'{key}' is empty", "write the text; every language needs one"
    if kind == "too_short":
        return f"'{key}' is empty", "add at least one item"
    if kind == "string_pattern_mismatch":
        pattern = str(error.get("ctx", {}).get("pattern", ""))
        if pattern.startswith("^#"):  # model.HexColour
            return (
                f"{_shown(value)} is not a colour",
                f'write it as "#rrggbb" in quotes, e.g. {key}: "#0b5d7a"',
            )
        if " " in pattern:  # model.FontName
            return f"{_shown(value)} is not a font name", "use an installed family (fc-list)"
        return f"{_shown(value)} is not a valid id", "use lower-case letters, digits and '-'"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"{_shown(value)} is not allowed in '{key}'", f"use one of {expected}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"])), ""
    if kind in {"float_parsing", "float_type", "int_parsing", "int_type", "int_from_float"}:
        return f"{_shown(value)} is not a number", "write a number such as 45 or 3.5"
    if kind == "finite_number":
        return f"{_shown(value)} is not a finite number", "write a number such as 45 or 3.5"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{_shown(value)} is not a date", "write it as YYYY-MM-DD, e.g. 2025-12-16"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        hint = f"write its keys below it, one `key: value` a line; {docs} lists them"
        if error.get("ctx", {}).get("class_name") == "Text":
            hint = "write it as {en: …, zh-Hant: …}"
        return f"{what} should be a mapping (key: value), not {_shown(value)}", hint
    if kind == "list_type":
        return f"{what} should be a list (- item), not {_shown(value)}", ""
    if kind == "string_type":
        return f"{what} should be a text, not {_shown(value)}", "write the text"
    if kind == "bool_type" or kind == "bool_parsing":
        return f"'{key}' should be true or false, not {_shown(value)}", ""
    return f"{error['msg']} (at '{key}')" if key else error["msg"], ""


@dataclass(frozen=True)
class _Located:
    """A pydantic error with its path in the document and the union members it went through."""

    error: ErrorDetails
    path: tuple[str | int, ...]  #: keys and indexes that exist in the document, then the rest
    branch: tuple[int, str] | None  #: (depth, member) of the first union member in the path
    at_key: bool  #: the error is about a mapping's key itself (e.g. a bad id)


def _split_loc(
    data: Any, loc: Sequence[str | int]
) -> tuple[tuple[str | int, ...], tuple[int, str] | None, bool]:
    """Separate the document path from the union-member names pydantic inserts.

    Returns the path, the first union member passed through as (depth, name), and
    whether the error is about a mapping's key itself.
    """
    node, path, branch, at_key, inside = data, [], None, False, True
    for part in loc:
        exists = inside and (
            (isinstance(node, dict) and part in node)
            or (isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node))
        )
        if exists:
            path.append(part)
            node = node[part]
        elif part == "[key]":
            at_key = True
        elif isinstance(part, str) and (part[:1].isupper() or "[" in part or part in _EXPECTED):
            branch = branch or (len(path), part)
        else:
            inside = False
            path.append(part)
    return tuple(path), branch, at_key


def _choose_members(located: list[_Located]) -> list[_Located]:
    """Where a value matches no member of a union, keep the errors of the closest member.

    The closest member is the one with the fewest errors that accepted the kind of
    value (a mapping for a block, a number for a figure). If no member accepted it,
    one error says what was expected.
    """
    kept = [item for item in located if item.branch is None]
    groups: dict[tuple, dict[str, list[_Located]]] = {}
    for item in located:
        if item.branch is not None:
            depth, member = item.branch
            groups.setdefault(item.path[:depth], {}).setdefault(member, []).append(item)
    for where, members in groups.items():

        def cost(items: list[_Located], where=where) -> float:
            return sum(
                float("inf")
                if item.error["type"] in _WRONG_KIND and len(item.path) == len(where)
                else 1
                for item in items
            )

        best = min(cost(items) for items in members.values())
        if best == float("inf"):
            expected = sorted({_EXPECTED.get(member, member) for member in members})
            sample = next(iter(members.values()))[0]
            error = ErrorDetails(
                type="union_kind",
                loc=(),
                msg=f"{_shown(sample.error.get('input'))} is not valid here",
                input=sample.error.get("input"),
            )
            error["ctx"] = {"expected": " or ".join(expected)}
            kept.append(_Located(error, where, None, False))
            continue
        chosen = [items for items in members.values() if cost(items) == best]
        if len(chosen) == 1:
            kept.extend(chosen[0])
            continue
        # A tie (e.g. `paragraf:` is wrong for every block kind): what they agree on.
        signatures = [{(i.path, i.error["type"]) for i in items} for items in chosen]
        common = set.intersection(*signatures)
        for items in chosen[:1] if common else chosen:
            kept.extend(i for i in items if not common or (i.path, i.error["type"]) in common)
    return kept


#: What a block may be, for a value that is none of them.
_BLOCK = "a block: " + ", ".join(f"{key}:" for key in BLOCK_KINDS).replace(", chart:", " or chart:")


def _no_block_kind(error: ErrorDetails, path: tuple[str | int, ...]) -> list[_Located]:
    """A value the block discriminator recognised as no kind of block: its unknown keys
    (`bulets:`), or, when it is not a mapping, that it is no block at all."""
    value = error.get("input")
    unknown = [key for key in value if key not in BLOCK_KINDS] if isinstance(value, dict) else []
    if unknown:
        return [
            _Located(
                ErrorDetails(type="extra_forbidden", loc=(), msg="", input=value[key]),
                (*path, key),
                None,
                True,
            )
            for key in unknown
        ]
    problem = ErrorDetails(
        type="union_kind", loc=(), msg=f"{_shown(value)} is not valid here", input=value
    )
    problem["ctx"] = {"expected": _BLOCK}
    return [_Located(problem, path, None, False)]


def model_problems(
    document: Document, model: type[Model], simplify: Callable[[str], str] | None = None
) -> tuple[Model | None, list[Problem]]:
    """Validate a document into `model`; the instance, or every error with its location.

    `simplify`: the project's zh-Hans converter, with which each text derives its
    Simplified form once, at load (see `model.Text`).
    """
    context = {"simplify": simplify} if simplify is not None else None
    try:
        return model.model_validate(document.data, context=context), []
    except ValidationError as error:
        details = error.errors(include_url=False)
    located = []
    for detail in details:
        path, branch, at_key = _split_loc(document.data, detail["loc"])
        if detail["type"] == "string_unicode":  # a lone surrogate: parse_yaml located it
            continue
        if detail["type"] == "union_tag_not_found":  # a block of no known kind
            located.extend(_no_block_kind(detail, path))
            continue
        located.append(_Located(detail, path, branch, at_key))
    problems: dict[tuple[int, int, str], Problem] = {}
    for item in _choose_members(located):
        if item.error["type"] == "union_kind":
            message, hint = item.error["msg"], f"write {item.error['ctx']['expected']}"
        else:
            docs = _DOCS.get(model.__name__, "docs/content.md")
            message, hint = _describe(item.error, item.path, docs)
            hint = _comment_hint(document, item) or hint
        if (item.at_key or item.error["type"] == "extra_forbidden") and item.path:
            line, col = document.locate_key(item.path)
            problem = Problem(document.path, line, col, message, hint)
        else:
            problem = document.problem(item.path, message, hint)
        problems.setdefault((problem.line, problem.col, message), problem)
    return None, list(problems.values())


def _comment_hint(document: Document, item: _Located) -> str:
    """For a value YAML read as nothing because it starts with `#` (a comment): say so.

    Read from the key's line in the file's text, not from the parser's comments:
    a parse kept between runs (parsecache.py) or read by libyaml (fastyaml.py)
    has none, and the hint must not depend on which parser answered.
    """
    if item.error.get("input") is not None or not item.path or item.at_key:
        return ""
    key = item.path[-1]
    if not isinstance(key, str) or not document.text:
        return ""
    line, col = document.locate_key(item.path)
    lines = document.text.splitlines()
    if not 0 < line <= len(lines):
        return ""
    after = lines[line - 1][col - 1 :]
    if not after.startswith(key):
        return ""
    rest = after[len(key) :].lstrip(" \t\"'")
    if not rest.startswith(":"):
        return ""
    comment = rest[1:].strip()
    if not comment.startswith("#"):
        return ""
    return f'YAML reads a value starting with # as a comment: quote it, {key}: "{comment}"'


def validate(document: Document, model: type[Model]) -> Model:
    """Validate a document into `model`, reporting every error with its location."""
    value, problems = model_problems(document, model)
    if value is None:
        raise ContentError(problems)
    return value
