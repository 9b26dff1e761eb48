"""The rule book: every rule that relates one part of a project to another, written once.

The model (`model.py`) checks what each node is on its own: a text has both
languages, a date is a date. What needs two nodes lives here: a section's table
names a dataset, a series has one value per category, a citation names a
registered source, the languages state the same figures, an audience lists
briefs that exist, a fact is not too old. The one loader (`load.py`) runs these
rules for `build` and for `check` alike, so both report the same problems.

Rules read the parsed YAML document, not the validated model, so that a brief
with a schema error still has its references and citations checked in the same
run, and each problem is located at the line that is wrong.
"""

from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from pydantic import ValidationError

from briefgen.errors import Problem
from briefgen.project.audiences import logo_problem
from briefgen.project.document import Document
from briefgen.project.model import (
    AUTHORED_LANGUAGES,
    FIGURE_LIKE,
    FIGURE_REFERENCE,
    Audience,
    Brief,
    Dataset,
    SourceRegister,
    cited_ids,
)
from briefgen.project.parity import differing_figures
from briefgen.project.paths import Project

# -- briefs ------------------------------------------------------------------------


class KeptProblems(Protocol):
    """Each brief's problems from an earlier run (checkcache.RulesCache)."""

    def get(self, brief: str) -> list[Problem] | None: ...

    def put(self, brief: str, problems: list[Problem]) -> None: ...


#: Where `check` keeps each brief's rule-book problems, so that after one edit one is checked.
kept_problems: contextvars.ContextVar[KeptProblems | None] = contextvars.ContextVar(
    "kept_problems", default=None
)


def kept_brief_problems(
    name: str, document: Document, register: SourceRegister | None
) -> list[Problem]:
    """`brief_problems`, from `kept_problems` when the brief and register did not change."""
    kept = kept_problems.get() if register is not None else None
    found = kept.get(name) if kept is not None else None
    if found is None:
        found = list(brief_problems(document, register))
        if kept is not None:
            kept.put(name, found)
    return found


def brief_problems(document: Document, register: SourceRegister | None) -> Iterator[Problem]:
    """Every cross-node problem of one brief (without a register, citations are skipped)."""
    yield from references(document)
    yield from series_lengths(document)
    yield from figure_references(document)
    yield from parity(document)
    if register is not None:
        yield from citations(document, register)


def references(document: Document) -> Iterator[Problem]:
    """Section ids are unique; a section's table or chart names a dataset (with a chart)."""
    datasets = _mapping(document.data, "data")
    known = ", ".join(sorted(map(str, datasets))) or "none"
    first_seen: dict[str, int] = {}
    for index, section in enumerate(_list(document.data, "sections")):
        if not isinstance(section, dict):
            continue
        section_id = section.get("id")
        if isinstance(section_id, str):
            if section_id in first_seen:
                line = document.locate(["sections", first_seen[section_id], "id"])[0]
                yield document.problem(
                    ["sections", index, "id"],
                    f"section id '{section_id}' is already used (line {line})",
                    "give every section its own id",
                )
            first_seen.setdefault(section_id, index)
        for number, block in enumerate(_list(section, "blocks")):
            for kind in ("table", "chart"):
                name = block.get(kind) if isinstance(block, dict) else None
                if not isinstance(name, str):
                    continue
                where = ["sections", index, "blocks", number, kind]
                if name not in datasets:
                    yield document.problem(
                        where,
                        f"section '{section_id}' shows {kind} '{name}', "
                        "which is not in the brief's data block",
                        f"use one of: {known}, or add it under `data:`",
                    )
                elif kind == "chart" and "chart" not in _mapping(datasets, name):
                    yield document.problem(
                        where,
                        f"section '{section_id}' shows chart '{name}', but that dataset "
                        "declares no `chart:`",
                        f"add `chart:` with kind and alt to data.{name}, or show it as a table",
                    )


def series_lengths(document: Document) -> Iterator[Problem]:
    """Each dataset has one key and one value per category, each at its own line."""
    for name, dataset in _mapping(document.data, "data").items():
        expected = len(_list(dataset, "categories"))
        if not expected:
            continue
        keys = dataset.get("keys")
        if isinstance(keys, list) and len(keys) != expected:
            yield document.problem(
                ["data", name, "keys"],
                f"keys has {len(keys)} names but there are {expected} categories",
                "give one key per category",
            )
        for index, series in enumerate(_list(dataset, "series")):
            values = series.get("values") if isinstance(series, dict) else None
            if isinstance(values, list) and len(values) != expected:
                yield document.problem(
                    ["data", name, "series", index, "values"],
                    f"series {index + 1} has {len(values)} values "
                    f"but there are {expected} categories",
                    "give one value per category, in the order of the categories",
                )


def figure_references(document: Document) -> Iterator[Problem]:
    """Every `{=…}` is well formed and names a figure of the brief's data block."""
    datasets = _valid_datasets(document)
    raw = _mapping(document.data, "data")
    for path, text in texts(document.data):
        for lang in _languages(text):
            for match in FIGURE_LIKE.finditer(text[lang]):
                written = match.group(0)
                proper = FIGURE_REFERENCE.fullmatch(written)
                if proper is None:
                    yield document.problem(
                        [*path, lang],
                        f"malformed figure reference {written}",
                        "write {=dataset.key} or {=dataset.key.series}: lower-case letters, "
                        "digits and '-', no spaces",
                    )
                    continue
                name, reference = proper.group(1), proper.group(2)
                if name not in raw:
                    known = ", ".join(sorted(map(str, raw))) or "none"
                    yield document.problem(
                        [*path, lang],
                        f"{written} names no dataset '{name}'",
                        f"use one of: {known}, or share one as content/data/{name}.yaml",
                    )
                    continue
                dataset = datasets.get(name)
                if dataset is None:  # the dataset itself is wrong: reported where it is
                    continue
                try:
                    dataset.value(reference)
                except KeyError as error:
                    yield document.problem(
                        [*path, lang],
                        f"{written}: {error.args[0]}",
                        _figure_hint(error.args[0]),
                    )


def _figure_hint(problem: str) -> str:
    """What to add for a `{=dataset.category.series}` that names nothing."""
    if problem.startswith("no series"):
        name = problem.split("'")[1]
        return f"add `key: {name}` to the series it means, or fix the reference"
    return "add `keys:` to the dataset, one per category, or fix the reference"


def _valid_datasets(document: Document) -> dict[str, Dataset]:
    """The datasets that are valid on their own and whose series fit their categories."""
    valid = {}
    for name, raw in _mapping(document.data, "data").items():
        try:
            dataset = Dataset.model_validate(raw)
        except ValidationError:
            continue
        rows = len(dataset.categories)
        if all(len(series.values) == rows for series in dataset.series) and (
            dataset.keys is None or len(dataset.keys) == rows
        ):
            valid[str(name)] = dataset
    return valid


def parity(document: Document) -> Iterator[Problem]:
    """The languages of a text state the same figures and cite the same sources."""
    for path, text in texts(document.data):
        if len(_languages(text)) != len(AUTHORED_LANGUAGES):
            continue
        difference = differing_figures({lang: text[lang] for lang in AUTHORED_LANGUAGES})
        if difference:
            yield document.problem(
                path,
                f"the languages state different figures: {difference}",
                "make the figures agree, or quote them from the data block with {=…}",
            )
        groups = {lang: cited_ids(text[lang]) for lang in AUTHORED_LANGUAGES}
        if len(set(map(str, groups.values()))) > 1:
            yield document.problem(
                path,
                "the languages cite different sources: "
                + "; ".join(f"{lang} {_citations(groups[lang])}" for lang in AUTHORED_LANGUAGES),
                "cite the same sources in the same order in every language",
            )


def citations(document: Document, register: SourceRegister) -> Iterator[Problem]:
    """Every `[@id]` and every `source:` names a source of the register."""
    known = ", ".join(sorted(register.sources))
    for path, text in texts(document.data):
        for lang in _languages(text):
            for group in cited_ids(text[lang]):
                for source_id in group:
                    if source_id not in register.sources:
                        yield document.problem(
                            [*path, lang],
                            f"unknown source '{source_id}' in [@{source_id}]",
                            f"register it in content/sources.yaml or use one of: {known}",
                        )
    sourced: list[tuple[list[str | int], Any]] = [
        (["key_figures", index], figure)
        for index, figure in enumerate(_list(document.data, "key_figures"))
    ]
    sourced += [
        (["data", name], dataset) for name, dataset in _mapping(document.data, "data").items()
    ]
    for where, item in sourced:
        source = item.get("source") if isinstance(item, dict) else None
        if isinstance(source, str) and source not in register.sources:
            yield document.problem(
                [*where, "source"], f"unknown source '{source}'", f"use one of: {known}"
            )


def staleness(document: Document, today: dt.date, max_age_days: int) -> Iterator[Problem]:
    """Warnings for `as_of` dates (of the brief, of each key figure) older than the limit."""
    dated: list[tuple[list[str | int], str, Any]] = [
        (["as_of"], "the brief's as_of", document.data)
    ]
    for index, figure in enumerate(_list(document.data, "key_figures")):
        dated.append((["key_figures", index, "as_of"], f"key figure {index + 1}'s as_of", figure))
    for path, what, node in dated:
        when = _as_date(node.get("as_of")) if isinstance(node, dict) else None
        if when is None:
            continue
        age = (today - when).days
        if age > max_age_days:
            yield _warning(
                document,
                path,
                f"{what} is {when.isoformat()}, {age} days ago (more than {max_age_days})",
                "check that it still holds, then update as_of; or allow more with --max-age-days",
            )
        elif age < 0:
            yield _warning(
                document, path, f"{what} is {when.isoformat()}, in the future", "check the date"
            )


def uncited_sources(
    register_doc: Document, register: SourceRegister, briefs: Iterable[Document]
) -> Iterator[Problem]:
    """Warnings for registered sources that no brief cites."""
    cited: set[str] = set()
    for document in briefs:
        _cited(document.data, cited)
    for source_id in register.sources:
        if source_id not in cited:
            line, col = register_doc.locate_key(["sources", source_id])
            yield Problem(
                register_doc.path,
                line,
                col,
                f"source '{source_id}' is registered but no brief cites it",
                f"cite it as [@{source_id}] where it is used, or remove it",
                "warning",
            )


def evidence(project: Project, register: SourceRegister, briefs: dict[str, Brief]) -> list[Problem]:
    """Every cited figure and quote of the valid briefs against the archived sources
    (`project.evidence`): errors, and a warning when the archive is missing."""
    from briefgen.project.evidence import check_evidence

    return check_evidence(project, register, briefs).problems


# -- audiences ----------------------------------------------------------------------


def audience_problems(
    document: Document, audience: Audience, briefs: dict[str, set[str]]
) -> Iterator[Problem]:
    """An audience against the project: briefs it lists exist, tags it names are used.

    `briefs`: every brief of the project (valid or not) with the tags of its sections.
    """
    known_tags = sorted(set().union(*briefs.values())) if briefs else []
    for key in ("include_tags", "exclude_tags"):
        for index, tag in enumerate(getattr(audience.sections, key) or []):
            if tag not in known_tags:
                yield document.problem(
                    ["sections", key, index],
                    f"no section is tagged '{tag}'",
                    f"use one of: {', '.join(known_tags) or 'none'}",
                )
    for index, name in enumerate(audience.briefs or []):
        if name not in briefs:
            yield document.problem(
                ["briefs", index],
                f"brief '{name}' is not in content/",
                f"use one of: {', '.join(sorted(briefs)) or 'none'}",
            )
    folder = document.path.parent
    logo = logo_problem(folder, audience.theme.logo) if audience.theme.logo else None
    if logo:  # outside the folder, not an image, too many pixels (audiences.py)
        yield document.problem(["theme", "logo"], *logo)


def section_tags(document: Document) -> set[str]:
    """The tags a brief's sections carry, read from the document (valid or not)."""
    return {
        tag
        for section in _list(document.data, "sections")
        for tag in _list(section, "tags")
        if isinstance(tag, str)
    }


# -- reading raw documents -------------------------------------------------------------


def texts(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, dict]]:
    """Every {en, zh-Hant} mapping in a raw document, with its path."""
    if isinstance(node, dict):
        if any(lang in node for lang in AUTHORED_LANGUAGES) and all(
            isinstance(value, str) for value in node.values()
        ):
            yield path, node
            return
        for key, value in node.items():
            yield from texts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, (*path, index))


def _languages(text: dict) -> list[str]:
    return [lang for lang in AUTHORED_LANGUAGES if lang in text]


def _citations(groups: list[list[str]]) -> str:
    """Citation groups as written: `[@a] [@a; @b]`."""
    return " ".join("[" + "; ".join(f"@{i}" for i in group) + "]" for group in groups) or "none"


def _cited(node: Any, found: set[str]) -> None:
    """Source ids a raw document cites: `[@id]` in any text, and every `source:`."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "source" and isinstance(value, str):
                found.add(value)
            _cited(value, found)
    elif isinstance(node, list):
        for value in node:
            _cited(value, found)
    elif isinstance(node, str):
        found.update(source for group in cited_ids(node) for source in group)


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _warning(document: Document, path: list[str | int], message: str, hint: str) -> Problem:
    line, col = document.locate(path)
    return Problem(document.path, line, col, message, hint, "warning")


def _list(node: Any, key: str) -> list:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, list) else []


def _mapping(node: Any, key: str) -> dict:
    value = node.get(key) if isinstance(node, dict) else None
    return value if isinstance(value, dict) else {}
