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
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError

from .errors import ContentError, Problem
from .model import AUTHORED_LANGUAGES, FIGURE_REFERENCE, Audience, Brief, SourceRegister, cited_ids

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

    def problem(self, path: Sequence[str | int], message: str, hint: str = "") -> Problem:
        line, col = self.locate(path)
        return Problem(self.path, line, col, message, hint)


def read_yaml(path: Path) -> Document:
    """Parse one YAML file; a syntax error becomes a located ContentError."""
    yaml = YAML(typ="rt")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ContentError(
            [Problem(path, 1, 1, "file not found", "create it or fix the name")]
        ) from None
    except UnicodeDecodeError as error:
        raise ContentError(
            [Problem(path, 1, 1, f"not UTF-8 text ({error.reason})", "save the file as UTF-8")]
        ) from None
    try:
        data = yaml.load(text)
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "invalid YAML"
        problem = Problem(
            path, line, col, f"YAML syntax error: {what}", "check indentation and quoting"
        )
        raise ContentError([problem]) from None
    if data is None:
        raise ContentError([Problem(path, 1, 1, "the file is empty", "add the content's keys")])
    return Document(path, data)


def _describe(error: ErrorDetails) -> tuple[str, str]:
    """A pydantic error as (what is wrong, what to do), in an author's words."""
    loc = error["loc"]
    key = str(loc[-1]) if loc else ""
    kind = error["type"]
    if kind == "missing":
        if key in AUTHORED_LANGUAGES:
            return f"missing the {key} text", f"add `{key}:` with the text in that language"
        return f"missing required key '{key}'", f"add `{key}:`"
    if kind == "extra_forbidden":
        return f"unknown key '{key}'", "check the spelling; docs/content.md lists the keys"
    if kind == "string_too_short":
        return f"'{key}' is empty", "write the text; every language needs one"
    if kind == "string_pattern_mismatch":
        return f"'{error['input']}' is not a valid id", "use lower-case letters, digits and '-'"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"'{error['input']}' is not allowed for '{key}'", f"use one of {expected}"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"])), ""
    return f"{error['msg']} (at '{key}')" if key else error["msg"], ""


def _clean_loc(loc: Iterable[str | int]) -> list[str | int]:
    """Drop the union-member names pydantic inserts (e.g. 'Paragraph') from a path."""
    return [part for part in loc if not (isinstance(part, str) and part[:1].isupper())]


def validate(document: Document, model: type[Model]) -> Model:
    """Validate a document into `model`, reporting every error with its location."""
    try:
        return model.model_validate(document.data)
    except ValidationError as error:
        problems: dict[tuple[int, int, str], Problem] = {}
        for detail in error.errors(include_url=False):
            message, hint = _describe(detail)
            problem = document.problem(_clean_loc(detail["loc"]), message, hint)
            problems.setdefault((problem.line, problem.col, message), problem)
        raise ContentError(_prefer_specific(list(problems.values()))) from None


def _prefer_specific(problems: list[Problem]) -> list[Problem]:
    """A block that matches no union member yields one error per member; keep the useful ones.

    For a block such as `{paragraf: …}` pydantic reports, for each block kind, the
    missing key and the unknown key. The unknown key is what the author typed wrong.
    """
    unknown = [problem for problem in problems if problem.message.startswith("unknown key")]
    lines = {problem.line for problem in unknown}
    return [p for p in problems if p in unknown or p.line not in lines] or problems


def load_sources(path: Path) -> SourceRegister:
    return validate(read_yaml(path), SourceRegister)


def load_audience(path: Path) -> Audience:
    return validate(read_yaml(path), Audience)


def load_brief(path: Path, register: SourceRegister) -> Brief:
    """Load a brief and check that what it cites is registered."""
    document = read_yaml(path)
    brief = validate(document, Brief)
    problems = list(_citation_problems(document, brief, register))
    if problems:
        raise ContentError(problems)
    return brief


def _citation_problems(document: Document, brief: Brief, register: SourceRegister):
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
                yield from _figure_problem(document, brief, [*path, lang], match)
        if len(groups) == len(AUTHORED_LANGUAGES) and len(set(map(str, groups.values()))) > 1:
            yield document.problem(
                path,
                "the languages cite different sources: "
                + "; ".join(f"{lang} {groups[lang]}" for lang in AUTHORED_LANGUAGES),
                "cite the same sources in the same order in every language",
            )
    for index, figure in enumerate(brief.key_figures):
        if figure.source not in register.sources:
            yield document.problem(
                ["key_figures", index, "source"],
                f"unknown source '{figure.source}'",
                f"use one of: {known}",
            )
    for name, dataset in brief.data.items():
        if dataset.source not in register.sources:
            yield document.problem(
                ["data", name, "source"],
                f"unknown source '{dataset.source}'",
                f"use one of: {known}",
            )


def _figure_problem(document: Document, brief: Brief, path: list, match):
    """A `{=dataset.key}` reference that names no figure."""
    name, reference = match.group(1), match.group(2)
    dataset = brief.data.get(name)
    if dataset is None:
        known = ", ".join(sorted(brief.data)) or "none"
        yield document.problem(
            path, f"{match.group(0)} names no dataset '{name}'", f"use one of: {known}"
        )
        return
    try:
        dataset.value(reference)
    except KeyError as error:
        yield document.problem(
            path,
            f"{match.group(0)}: {error.args[0]}",
            "add `keys:` to the dataset, one per category, or fix the reference",
        )


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
