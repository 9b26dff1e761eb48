"""Load YAML content into the typed model, with errors that point at a line.

YAML is read with ruamel.yaml's round-trip loader, which builds no arbitrary
Python objects (it is safe) and remembers where every key and item stood, so
a pydantic error path such as `sections.2.title.zh-Hant` becomes
`content/x.yaml:41:7`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from briefgen.errors import ContentError, Problem
from briefgen.project import safeyaml
from briefgen.project.datasets import add_shared
from briefgen.project.model import (
    AUTHORED_LANGUAGES,
    FIGURE_REFERENCE,
    Audience,
    Brief,
    PhraseOverrides,
    SourceRegister,
    cited_ids,
)
from briefgen.project.parity import differing_figures

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and where it came from."""

    path: Path
    data: Any

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest node of `path` that exists."""
        node = self.data
        line, col = 1, 1
        for key in path:
            if isinstance(node, CommentedMap) and key in node:
                line, col = node.lc.value(key)
                line, col = line + 1, col + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line, col = node.lc.item(key)
                line, col = line + 1, col + 1
                node = node[key]
            else:
                # A missing key: point at the mapping that should hold it.
                if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
                    line, col = node.lc.line + 1, node.lc.col + 1
                break
        return line, col

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the last key of `path` itself (not its value)."""
        parent = self.data
        try:
            for key in path[:-1]:
                parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return self.locate(path)
        if isinstance(parent, CommentedMap) and path[-1] in parent:
            line, col = parent.lc.key(path[-1])
            return line + 1, col + 1
        return self.locate(path)

    def problem(self, path: Sequence[str | int], message: str, hint: str = "") -> Problem:
        line, col = self.locate(path)
        return Problem(self.path, line, col, message, hint)


def read_yaml(path: Path) -> Document:
    """Parse one YAML file safely; any problem becomes a located ContentError."""
    document, problems = parse_yaml(path)
    if problems or document is None:
        raise ContentError(problems)
    return document


def parse_yaml(path: Path) -> tuple[Document | None, list[Problem]]:
    """One YAML file and its problems: unreadable, not UTF-8, syntax, size, characters.

    The document is None when nothing usable could be read.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [Problem(path, 1, 1, "file not found", "create it or fix the name")]
    except OSError as error:
        return None, [
            Problem(path, 1, 1, f"cannot read the file ({error.strerror})", "check the file")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        col = len(raw[line_start : error.start].decode("utf-8", "replace")) + 1
        return None, [
            Problem(
                path,
                line,
                col,
                f"not UTF-8 text (byte 0x{raw[error.start]:02x})",
                "save the file as UTF-8",
            )
        ]
    data, problems = safeyaml.parse(path, text)
    if problems and data is None:
        return None, problems
    if data is None:
        return None, [Problem(path, 1, 1, "the file is empty", "add the content's keys")]
    return Document(path, data), problems


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
    "Paragraph": "a block: paragraph:, bullets:, table: or chart:",
    "Bullets": "a block: paragraph:, bullets:, table: or chart:",
    "TableRef": "a block: paragraph:, bullets:, table: or chart:",
    "ChartRef": "a block: paragraph:, bullets:, table: or chart:",
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
    docs = docs or "docs/content.md"
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
        if str(error.get("ctx", {}).get("pattern", "")).startswith("^#"):
            return (
                f"{_shown(value)} is not a colour",
                f'write it as "#rrggbb" in quotes, e.g. {key}: "#0b5d7a"',
            )
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


def model_problems(
    document: Document, model: type[Model], covered: Iterable[Sequence[str | int]] = ()
) -> tuple[Model | None, list[Problem]]:
    """Validate a document into `model`; the instance, or every error with its location.

    `covered`: paths whose model-level errors (value_error) another, more precise
    check has already reported.
    """
    try:
        return model.model_validate(document.data), []
    except ValidationError as error:
        details = error.errors(include_url=False)
    skip = {tuple(path) for path in covered}
    located = []
    for detail in details:
        path, branch, at_key = _split_loc(document.data, detail["loc"])
        if detail["type"] == "value_error" and path in skip:
            continue
        if detail["type"] == "string_unicode":  # a lone surrogate: parse_yaml located it
            continue
        located.append(_Located(detail, path, branch, at_key))
    problems: dict[tuple[int, int, str], Problem] = {}
    for item in _choose_members(located):
        if item.error["type"] == "union_kind":
            message, hint = item.error["msg"], f"write {item.error['ctx']['expected']}"
        else:
            message, hint = _describe(item.error, item.path, _DOCS.get(model.__name__, ""))
            hint = _comment_hint(document, item) or hint
        if (item.at_key or item.error["type"] == "extra_forbidden") and item.path:
            line, col = document.locate_key(item.path)
            problem = Problem(document.path, line, col, message, hint)
        else:
            problem = document.problem(item.path, message, hint)
        problems.setdefault((problem.line, problem.col, message), problem)
    return None, list(problems.values())


def _comment_hint(document: Document, item: _Located) -> str:
    """For a value YAML read as nothing because it starts with `#` (a comment): say so."""
    if item.error.get("input") is not None or not item.path or item.at_key:
        return ""
    parent = document.data
    for key in item.path[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return ""
    key = item.path[-1]
    tokens = getattr(getattr(parent, "ca", None), "items", {}).get(key) or []
    comment = next((token.value for token in tokens[2:3] if token is not None), "")
    if not comment.startswith("#"):
        return ""
    value = comment.splitlines()[0].strip()
    return f'YAML reads a value starting with # as a comment: quote it, {key}: "{value}"'


def validate(document: Document, model: type[Model]) -> Model:
    """Validate a document into `model`, reporting every error with its location."""
    value, problems = model_problems(document, model)
    if value is None:
        raise ContentError(problems)
    return value


def load_sources(path: Path) -> SourceRegister:
    return validate(read_yaml(path), SourceRegister)


def load_phrases(path: Path) -> PhraseOverrides:
    return validate(read_yaml(path), PhraseOverrides)


def load_audience(path: Path) -> Audience:
    return validate(read_yaml(path), Audience)


def load_brief(path: Path, register: SourceRegister) -> Brief:
    """Load a brief and check that what it cites is registered."""
    _, brief, problems = check_brief(path, register)
    if problems or brief is None:
        raise ContentError(problems)
    return brief


def check_brief(
    path: Path, register: SourceRegister | None
) -> tuple[Document | None, Brief | None, list[Problem]]:
    """A brief's document, the brief if valid, and every problem found in it.

    Checks that need no valid brief (references between sections and datasets,
    series lengths, cited sources) run on the document itself, so one pass reports
    them together with the schema errors. Without a register, citations are not checked.
    """
    document, problems = parse_yaml(path)
    if document is None:
        return None, None, problems
    add_shared(document.data, path.parent)  # content/data/<name>.yaml the brief uses
    structure = list(_structure_problems(document))
    covered = [where for where, _ in structure]
    brief, schema = model_problems(document, Brief, covered)
    problems = [*problems, *schema, *(problem for _, problem in structure)]
    if register is not None:
        problems.extend(_citation_problems(document, brief, register))
    return document, (brief if not problems else None), problems


def _citation_problems(document: Document, brief: Brief | None, register: SourceRegister):
    """Unknown sources, and texts whose languages cite different sources."""
    known = ", ".join(sorted(register.sources))
    for path, text in _texts_with_paths(document.data):
        groups = {lang: cited_ids(text[lang]) for lang in AUTHORED_LANGUAGES if lang in text}
        for lang, lang_groups in groups.items():
            for group in lang_groups:
                for source_id in group:
                    if source_id not in register.sources:
                        yield document.problem(
                            [*path, lang],
                            f"unknown source '{source_id}' in [@{source_id}]",
                            f"register it in content/sources.yaml or use one of: {known}",
                        )
        for lang in groups:
            for match in FIGURE_REFERENCE.finditer(text[lang]):
                if brief is not None:  # a figure needs a valid data block to be looked up
                    yield from _figure_problem(document, brief, [*path, lang], match)
        if len(groups) == len(AUTHORED_LANGUAGES):
            difference = differing_figures({lang: text[lang] for lang in AUTHORED_LANGUAGES})
            if difference:
                yield document.problem(
                    path,
                    f"the languages state different figures: {difference}",
                    "make the figures agree, or quote them from the data block with {=…}",
                )
        if len(groups) == len(AUTHORED_LANGUAGES) and len(set(map(str, groups.values()))) > 1:
            yield document.problem(
                path,
                "the languages cite different sources: "
                + "; ".join(f"{lang} {_citations(groups[lang])}" for lang in AUTHORED_LANGUAGES),
                "cite the same sources in the same order in every language",
            )
    data = document.data if isinstance(document.data, dict) else {}
    sourced = [
        (["key_figures", index], figure) for index, figure in enumerate(_list(data, "key_figures"))
    ]
    sourced += [(["data", name], dataset) for name, dataset in _mapping(data, "data").items()]
    for where, item in sourced:
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, str) and source not in register.sources:
            yield document.problem(
                [*where, "source"], f"unknown source '{source}'", f"use one of: {known}"
            )


def _figure_problem(document: Document, brief: Brief, path: list, match):
    """A `{=dataset.key}` reference that names no figure."""
    name, reference = match.group(1), match.group(2)
    dataset = brief.data.get(name)
    if dataset is None:
        known = ", ".join(sorted(brief.data)) or "none"
        yield document.problem(
            path,
            f"{match.group(0)} names no dataset '{name}'",
            f"use one of: {known}, or share one as content/data/{name}.yaml",
        )
        return
    try:
        dataset.value(reference)
    except KeyError as error:
        yield document.problem(
            path,
            f"{match.group(0)}: {error.args[0]}",
            _figure_hint(error.args[0]),
        )


def _figure_hint(problem: str) -> str:
    """What to add for a `{=dataset.category.series}` that names nothing."""
    if problem.startswith("no series"):
        name = problem.split("'")[1]
        return f"add `key: {name}` to the series it means, or fix the reference"
    return "add `keys:` to the dataset, one per category, or fix the reference"


def _texts_with_paths(node: Any, path: tuple[str | int, ...] = ()):
    """Every {en, zh-Hant} mapping in the raw document, with its path."""
    if isinstance(node, dict):
        if any(lang in node for lang in AUTHORED_LANGUAGES) and all(
            isinstance(value, str) for value in node.values()
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts_with_paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts_with_paths(value, (*path, index))


def _citations(groups: list[list[str]]) -> str:
    """Citation groups as written: `[@a] [@a; @b]`."""
    return " ".join("[" + "; ".join(f"@{i}" for i in group) + "]" for group in groups) or "none"


def _list(node: Any, key: str) -> list:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, list) else []


def _mapping(node: Any, key: str) -> dict:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}


def _structure_problems(document: Document):
    """(model path, problem) for references and lengths the Brief and Dataset models check.

    The models stop at the first such problem and report it at the brief or the
    dataset; here every one is reported, at the line that is wrong. Returns the
    path at which the model reports it, so that its own report can be dropped.
    """
    data = document.data if isinstance(document.data, dict) else {}
    datasets = _mapping(data, "data")
    known = ", ".join(sorted(map(str, datasets))) or "none"
    first_seen: dict[str, int] = {}
    for index, section in enumerate(_list(data, "sections")):
        if not isinstance(section, dict):
            continue
        section_id = section.get("id")
        if isinstance(section_id, str):
            if section_id in first_seen:
                line = document.locate(["sections", first_seen[section_id], "id"])[0]
                yield (
                    (),
                    document.problem(
                        ["sections", index, "id"],
                        f"section id '{section_id}' is already used (line {line})",
                        "give every section its own id",
                    ),
                )
            first_seen.setdefault(section_id, index)
        for number, block in enumerate(_list(section, "blocks")):
            if not isinstance(block, dict):
                continue
            where = ["sections", index, "blocks", number]
            for kind in ("table", "chart"):
                name = block.get(kind)
                if not isinstance(name, str):
                    continue
                if name not in datasets:
                    yield (
                        (),
                        document.problem(
                            [*where, kind],
                            f"section '{section_id}' shows {kind} '{name}', "
                            "which is not in the brief's data block",
                            f"use one of: {known}, or add it under `data:`",
                        ),
                    )
                elif kind == "chart" and not _declares_chart(datasets[name]):
                    yield (
                        (),
                        document.problem(
                            [*where, kind],
                            f"section '{section_id}' shows chart '{name}', but that dataset "
                            "declares no `chart:`",
                            f"add `chart:` with kind and alt to data.{name}, or show it as a table",
                        ),
                    )
    for name, dataset in datasets.items():
        categories = _list(dataset, "categories")
        if not categories:
            continue
        expected = len(categories)
        keys = dataset.get("keys")
        if isinstance(keys, list) and len(keys) != expected:
            yield (
                ("data", name),
                document.problem(
                    ["data", name, "keys"],
                    f"keys has {len(keys)} names but there are {expected} categories",
                    "give one key per category",
                ),
            )
        for index, series in enumerate(_list(dataset, "series")):
            values = series.get("values") if isinstance(series, dict) else None
            if isinstance(values, list) and len(values) != expected:
                yield (
                    ("data", name),
                    document.problem(
                        ["data", name, "series", index, "values"],
                        f"series {index + 1} has {len(values)} values "
                        f"but there are {expected} categories",
                        "give one value per category, in the order of the categories",
                    ),
                )


def _declares_chart(dataset: Any) -> bool:
    return not isinstance(dataset, dict) or "chart" in dataset
