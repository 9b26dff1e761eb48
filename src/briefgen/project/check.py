"""`briefgen check`: every problem in content, sources, audiences and templates.

Nothing is written to build/ and no PDF or DOCX is rendered. The check goes on
after a file fails, so one run lists everything to fix:

- each YAML file: syntax, size, characters XML cannot hold, the schema;
- each brief: references between sections and data, series lengths, citations
  of unregistered sources, and (warnings) `as_of` dates older than `max_age_days`;
- the register: (warning) sources that no brief cites;
- audiences: briefs they list that do not exist;
- templates: every `*.j2` compiles and holds no control character, and each
  audience's `brief.html.j2` renders
  the first brief in each of its languages (undefined names, missing messages,
  missing fonts), and (warning) refers to nothing the build would refuse to fetch.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import jinja2

from briefgen.edition.i18n import Messages
from briefgen.edition.render import template_environment
from briefgen.engine.build import (
    Job,
    LoadedProject,
    brief_paths,
    chart_cache,
    load_project,
    render_job_html,
)
from briefgen.errors import ContentError, Problem
from briefgen.project.load import Document, check_brief, model_problems, parse_yaml
from briefgen.project.model import Audience, Brief, SourceRegister, cited_ids
from briefgen.project.paths import MAX_AGE_DAYS, Project
from briefgen.project.safeyaml import XML_UNSAFE, describe_character
from briefgen.writers.pdf import FONT_HINT, AssetFetcher, missing_fonts

#: Default for `--max-age-days`: a statement older than this is flagged for review.


def check_project(
    project: Project,
    today: dt.date | None = None,
    max_age_days: int = MAX_AGE_DAYS,
    evidence_stats: dict | None = None,
) -> list[Problem]:
    """Every problem in the project, errors and warnings, sorted by file and line.

    `evidence_stats`: filled with the evidence check's counts per brief."""
    today = today or dt.date.today()
    problems: list[Problem] = []

    register_doc, register = _load(project.content / "sources.yaml", SourceRegister, problems)
    messages = _attempt(Messages, project.templates / "base" / "messages.yaml", problems=problems)

    audiences: dict[str, Audience] = {}
    audience_docs: dict[str, Document] = {}
    for folder in sorted(p for p in (project.templates / "audiences").glob("*") if p.is_dir()):
        path = folder / "audience.yaml"
        if not path.is_file():
            problems.append(
                Problem(
                    path,
                    1,
                    1,
                    f"the folder {folder.name}/ has no audience.yaml, so it is never built",
                    "add audience.yaml (edition, languages, formats) or remove the folder",
                    "warning",
                )
            )
            continue
        document, audience = _load(path, Audience, problems)
        if document is not None:
            audience_docs[folder.name] = document
        if audience is not None:
            audiences[folder.name] = audience

    briefs: dict[str, Brief] = {}
    brief_docs: dict[str, Document | None] = {}
    for path in brief_paths(project):
        document, brief, found = check_brief(path, register)
        problems.extend(found)
        brief_docs[path.stem] = document
        if document is not None:
            problems.extend(_stale(document, today, max_age_days))
        if brief is not None:
            briefs[path.stem] = brief

    if register is not None and briefs:
        from briefgen.project.evidence import check_evidence

        evidence = check_evidence(project, register, briefs)
        problems.extend(evidence.problems)
        if evidence_stats is not None:
            evidence_stats.update(evidence.stats)
    problems.extend(_unknown_briefs(audience_docs, sorted(brief_docs)))
    if register_doc is not None and register is not None and None not in brief_docs.values():
        documents = [doc for doc in brief_docs.values() if doc is not None]
        problems.extend(_uncited(register_doc, register, documents))

    # Whatever the build itself refuses to load (a safety net: normally nothing new).
    loaded = None
    try:
        loaded = load_project(project)
    except ContentError as error:
        problems.extend(error.problems)
    except jinja2.TemplateError:  # a template that does not compile: reported below
        pass
    if loaded is None and register and messages and briefs and audiences:
        loaded = LoadedProject(
            project=project,
            register=register,
            messages=messages,
            audiences=audiences,
            briefs=briefs,
        )

    problems.extend(_compile_templates(project, sorted(audiences) or [""]))
    if loaded is not None:
        problems.extend(_render_templates(loaded))
    return _sorted_unique(problems)


def _attempt(loader, *args: Any, problems: list[Problem]) -> Any:
    try:
        return loader(*args)
    except ContentError as error:
        problems.extend(error.problems)
        return None


def _load(path: Path, model: type, problems: list[Problem]) -> tuple[Document | None, Any]:
    document, found = parse_yaml(path)
    problems.extend(found)
    if document is None:
        return None, None
    value, found = model_problems(document, model)
    problems.extend(found)
    return document, value


def _sorted_unique(problems: Iterable[Problem]) -> list[Problem]:
    unique: dict[tuple, Problem] = {}
    for problem in problems:
        key = (Path(problem.path).resolve(), problem.line, problem.col, problem.message)
        unique.setdefault(key, problem)
    return sorted(unique.values(), key=lambda p: (str(Path(p.path).resolve()), p.line, p.col))


# -- content -----------------------------------------------------------------


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def _stale(document: Document, today: dt.date, max_age_days: int) -> Iterator[Problem]:
    """Warnings for `as_of` dates (of the brief, of each key figure) older than the limit."""
    data = document.data if isinstance(document.data, dict) else {}
    dated: list[tuple[list[str | int], str, Any]] = [(["as_of"], "the brief's as_of", data)]
    figures = data.get("key_figures")
    for index, figure in enumerate(figures if isinstance(figures, list) else []):
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


def _warning(document: Document, path: list[str | int], message: str, hint: str) -> Problem:
    line, col = document.locate(path)
    return Problem(document.path, line, col, message, hint, "warning")


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


def _uncited(
    register_doc: Document, register: SourceRegister, briefs: list[Document]
) -> Iterator[Problem]:
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


def _unknown_briefs(audience_docs: dict[str, Document], known: list[str]) -> Iterator[Problem]:
    for document in audience_docs.values():
        listed = document.data.get("briefs") if isinstance(document.data, dict) else None
        for index, name in enumerate(listed if isinstance(listed, list) else []):
            if isinstance(name, str) and name not in known:
                yield document.problem(
                    ["briefs", index],
                    f"brief '{name}' is not in content/",
                    f"use one of: {', '.join(known) or 'none'}",
                )


# -- templates -----------------------------------------------------------------


def _compile_templates(project: Project, audiences: list[str]) -> Iterator[Problem]:
    """Every *.j2 under templates/, compiled as the build's Jinja environment would."""
    env = template_environment(project, audiences[0])
    for path in sorted(project.templates.rglob("*.j2")):
        try:
            source = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            yield Problem(path, 1, 1, "the template is not UTF-8 text", "save it as UTF-8")
            continue
        for match in XML_UNSAFE.finditer(source):
            line = source.count("\n", 0, match.start()) + 1
            col = match.start() - source.rfind("\n", 0, match.start())
            yield Problem(
                path,
                line,
                col,
                f"{describe_character(match.group())} is not allowed",
                "delete it: documents cannot hold control characters",
            )
        name = path.relative_to(project.templates).as_posix()
        try:
            env.compile(source, name=name, filename=str(path))
        except jinja2.TemplateSyntaxError as error:
            yield Problem(
                path,
                error.lineno,
                1,
                f"template syntax error: {error.message}",
                "fix the Jinja tag on that line",
            )


#: References WeasyPrint would fetch: src="…", <link href="…">, CSS url(…).
_REFERENCES = re.compile(
    r"""(?<![-\w])src\s*=\s*["']([^"']+)["']"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["']"""
    r"""|\burl\(\s*["']?([^"')]+?)["']?\s*\)""",
    re.IGNORECASE,
)


def _render_templates(loaded: LoadedProject) -> Iterator[Problem]:
    """Render each audience's template with the first brief it builds, in each language."""
    project = loaded.project
    with tempfile.TemporaryDirectory(prefix="briefgen-check-") as scratch:
        out = Path(scratch)
        fetcher = AssetFetcher([project.templates, chart_cache(out)])
        reported: set[tuple[Path, int]] = set()
        for name, audience in sorted(loaded.audiences.items()):
            wanted = audience.briefs
            chosen = [b for b in sorted(loaded.briefs) if wanted is None or b in wanted]
            if not chosen:
                continue
            template = project.audience_dir(name) / "brief.html.j2"
            if not template.is_file():
                template = project.templates / "base" / "brief.html.j2"
            for lang in audience.languages:
                job = Job(chosen[0], name, lang, (audience.formats or ["pdf"])[0])
                try:
                    html = render_job_html(loaded, job, out)
                except ContentError as error:
                    # one report per template line, not one per language
                    for problem in error.problems:
                        if (problem.path, problem.line) not in reported:
                            reported.add((problem.path, problem.line))
                            yield problem
                    continue
                for family in missing_fonts(html):
                    path, line, col = _find([project.templates], family) or (template, 1, 1)
                    yield Problem(path, line, col, f"font '{family}' is not installed", FONT_HINT)
                yield from _refused(html, project, fetcher, template)


def _refused(
    html: str, project: Project, fetcher: AssetFetcher, template: Path
) -> Iterator[Problem]:
    base = project.templates.resolve().as_uri() + "/"
    for match in _REFERENCES.finditer(html):
        reference = next(group for group in match.groups() if group)
        if reference.startswith(("data:", "#")):
            continue
        url = urljoin(base, reference)
        path = fetcher.allowed_file(url)
        if path is not None and path.is_file():
            continue
        where = _find([project.templates, project.content], reference) or (template, 1, 1)
        why = "is not there" if path is not None else "is outside the project's asset folders"
        yield Problem(
            *where,
            f"the document refers to {reference}, which {why}; the build will leave it out",
            "use a file under templates/; nothing from the network or outside the project",
            "warning",
        )


def _find(folders: list[Path], needle: str) -> tuple[Path, int, int] | None:
    """The first place `needle` is written in the templates and YAML files under `folders`."""
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in {".j2", ".yaml"} or not path.is_file():
                continue
            try:
                lines = path.read_text(encoding="utf-8").splitlines()
            except UnicodeDecodeError:
                continue
            for number, line in enumerate(lines, start=1):
                if needle in line:
                    return path, number, line.index(needle) + 1
    return None
