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
from urllib.parse import urljoin

import jinja2

from briefgen.edition.render import template_environment
from briefgen.engine.build import Job, chart_cache, render_job_html
from briefgen.errors import ContentError, Problem
from briefgen.project.load import LoadedProject, collect_project
from briefgen.project.paths import MAX_AGE_DAYS, Project
from briefgen.project.safeyaml import XML_UNSAFE, describe_character
from briefgen.writers.pdf import FONT_HINT, AssetFetcher, missing_fonts


def check_project(
    project: Project, today: dt.date | None = None, max_age_days: int = MAX_AGE_DAYS
) -> list[Problem]:
    """Every problem in the project, errors and warnings, sorted by file and line.

    The content is read by the build's own loader in collect mode, so `check`
    and `build` report the same problems; then the templates are compiled and
    rendered, which the loader does not do.
    """
    collected = collect_project(project, today or dt.date.today(), max_age_days)
    problems = list(collected.problems)
    audiences = sorted(collected.loaded.audiences) if collected.loaded else []
    problems.extend(_compile_templates(project, audiences or [""]))
    if collected.loaded is not None:
        problems.extend(_render_templates(collected.loaded))
    return _sorted_unique(problems)


def _sorted_unique(problems: Iterable[Problem]) -> list[Problem]:
    unique: dict[tuple, Problem] = {}
    for problem in problems:
        key = (Path(problem.path).resolve(), problem.line, problem.col, problem.message)
        unique.setdefault(key, problem)
    return sorted(unique.values(), key=lambda p: (str(Path(p.path).resolve()), p.line, p.col))


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
