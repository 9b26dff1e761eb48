"""`briefgen check`: whatever `build` would refuse, reported first, with file and line.

No chart is drawn and no PDF or DOCX is written; the answer is remembered in
build/.cache/check/ (checkcache.py) so a repeated check with nothing changed is instant.
The check goes on after a file fails, so one run lists everything to fix:

- content, sources, audiences, messages: the build's own loader in collect mode
  (`project.load.collect_project`: the schema, then the rule book `rules.py`,
  with its warnings: old `as_of` dates, uncited sources);
- templates (by the loader too): every `*.j2` compiles and holds no control character;
- every edition (each brief an audience builds, in each of its languages) is
  rendered to HTML with placeholder charts: undefined names, missing messages and
  fonts, references the PDF writer would refuse to fetch (warnings), and elements
  outside the DOCX writer's vocabulary, each at the template line that writes it.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from briefgen.edition.environment import template_environment
from briefgen.edition.render import edition_html
from briefgen.edition.sandbox import TIME_LIMIT
from briefgen.errors import ContentError, Problem, sorted_unique
from briefgen.files import read_project_text
from briefgen.limits import MAX_TEMPLATE_BYTES, MAX_YAML_BYTES
from briefgen.project.load import LoadedProject, collect_project
from briefgen.project.model import Dataset
from briefgen.project.paths import MAX_AGE_DAYS, Project
from briefgen.writers.assets import FONT_HINT, allowed_file, missing_fonts
from briefgen.writers.docx import vocabulary

if TYPE_CHECKING:
    from briefgen.project.checkcache import EditionCache


def check_project(
    project: Project,
    today: dt.date | None = None,
    max_age_days: int = MAX_AGE_DAYS,
    evidence_stats: dict | None = None,
    seen: dict | None = None,
    editions: EditionCache | None = None,
) -> list[Problem]:
    """Every problem in the project, errors and warnings, sorted by file and line.

    The project is read by the build's own loader in collect mode (content, then
    every template compiled), so `check` and `build` report the same problems;
    then every edition is rendered, which the build does one edition at a time.
    `seen` receives the archive folder the evidence check read, and `editions`
    remembers each edition's problems (both for checkcache.py).
    """
    collected = collect_project(project, today or dt.date.today(), max_age_days)
    problems = list(collected.problems)
    if seen is not None:  # without a loaded project, no archived text was read
        from briefgen.project.evidence import archive_folder

        loaded = collected.loaded
        folder = archive_folder(project, loaded.register) if loaded is not None else None
        seen["archive"] = str(folder) if folder is not None else None
    if evidence_stats is not None and collected.loaded is not None:
        from briefgen.project.evidence import check_evidence

        loaded = collected.loaded
        evidence_stats.update(check_evidence(project, loaded.register, loaded.briefs).stats)
    if collected.loaded is not None:
        problems.extend(_render_templates(collected.loaded, editions))
    return sorted_unique(problems)


# -- templates -----------------------------------------------------------------


#: References WeasyPrint would fetch: src="…", <link href="…">, CSS url(…).
_REFERENCES = re.compile(
    r"""(?<![-\w])src\s*=\s*["']([^"']+)["']"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']+)["']"""
    r"""|\burl\(\s*["']?([^"')]+?)["']?\s*\)""",
    re.IGNORECASE,
)


class PlaceholderCharts:
    """Charts for `check`: the chart's content is read (labels in every language, the
    series it draws) but nothing is drawn; every chart is one tiny placeholder."""

    def __init__(self, folder: Path):
        self.files = SimpleNamespace(
            svg=folder / "placeholder.svg", png=folder / "placeholder.png", width_mm=160
        )
        self.files.svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
        self.files.png.write_bytes(b"")

    def render(self, dataset: Dataset, lang: str) -> SimpleNamespace:
        assert dataset.chart is not None
        for text in (dataset.chart.alt, dataset.chart.title, dataset.chart.value_label):
            if text is not None:
                text.get(lang)
        dataset.drawn_series()
        return self.files


def _render_templates(
    loaded: LoadedProject, cache: EditionCache | None = None
) -> Iterator[Problem]:
    """Render every edition's HTML (no charts drawn) and look for what the build refuses.

    Every brief each audience builds, in each of its languages: an undefined name
    that only one brief or language reaches is found too. Each problem is located
    in the template that wrote it. With a `cache` (checkcache.py), an edition whose
    inputs did not change since the last check is not rendered again.
    """
    project = loaded.project
    with tempfile.TemporaryDirectory(prefix="briefgen-check-") as scratch:
        charts = PlaceholderCharts(Path(scratch))
        roots = [project.templates.resolve(), Path(scratch).resolve()]
        for name, audience in sorted(loaded.audiences.items()):
            wanted = audience.briefs
            chosen = [b for b in sorted(loaded.briefs) if wanted is None or b in wanted]
            sources = TemplateSources(project, name)
            env = None
            editions = [(brief, lang) for brief in chosen for lang in audience.languages]
            for brief, lang in editions:
                remembered = cache.get(brief, name, lang) if cache is not None else None
                if remembered is not None:
                    yield from remembered
                    continue
                env = env if env is not None else template_environment(project, name)
                try:
                    html = edition_html(loaded, brief, name, lang, charts, env)
                except ContentError as error:
                    yield from error.problems
                    if any(TIME_LIMIT in problem.message for problem in error.problems):
                        break  # a template that hit the time limit would hit it every time
                    if cache is not None:
                        cache.put(brief, name, lang, error.problems)
                    continue
                # Located by searching every file (_find): remembered only when there are none.
                searched = [
                    *_missing_fonts(html, project, sources),
                    *_refused(html, project, roots, sources.main),
                ]
                refusals = list(_docx_refusals(html, sources)) if "docx" in audience.formats else []
                yield from searched + refusals
                if cache is not None and not searched:
                    cache.put(brief, name, lang, refusals)


def _missing_fonts(html: str, project: Project, sources: TemplateSources) -> Iterator[Problem]:
    for family in missing_fonts(html):
        where = _find([project.templates], family) or (sources.main, 1, 1)
        yield Problem(*where, f"font '{family}' is not installed", FONT_HINT)


def _docx_refusals(html: str, sources: TemplateSources) -> Iterator[Problem]:
    """Elements the DOCX writer would refuse, at the template line that writes them."""
    root = lxml.html.document_fromstring(html)
    for element, why in vocabulary.unknown_elements(root):
        path, line, col = sources.locate(element.tag, element.get("class"))
        yield Problem(
            path,
            line,
            col,
            f"{vocabulary.describe(element)} {why}, so the DOCX edition cannot be built",
            "use the elements listed in src/briefgen/writers/docx/vocabulary.py, "
            "or build this audience as PDF only (formats: [pdf])",
        )


class TemplateSources:
    """An audience's HTML templates (its own first, then the base), read once, so an
    element of the rendered HTML can be traced to the line that writes it."""

    def __init__(self, project: Project, audience: str):
        folders = [project.audience_dir(audience), project.templates / "base"]
        self.paths = [
            path
            for folder in folders
            for path in sorted(folder.glob("*.html.j2"))
            if path.is_file()
        ]
        own = project.audience_dir(audience) / "brief.html.j2"
        self.main = own if own.is_file() else project.templates / "base" / "brief.html.j2"
        self._elements: dict[Path, list[tuple[str, str | None, int, int]]] = {}

    def elements(self, path: Path) -> list[tuple[str, str | None, int, int]]:
        """(tag, class, line, column) of every element written in a template."""
        if path not in self._elements:
            found = []
            try:
                source = read_project_text(path, path.parent, MAX_TEMPLATE_BYTES)
                root = lxml.html.document_fromstring(source)
            except (ContentError, etree.ParserError):
                root, source = None, ""
            lines = source.split("\n")
            for element in root.iter() if root is not None else []:
                if not isinstance(element.tag, str) or not element.sourceline:
                    continue
                text = lines[element.sourceline - 1] if element.sourceline <= len(lines) else ""
                col = text.find(f"<{element.tag}") + 1 or 1
                found.append((element.tag, element.get("class"), element.sourceline, col))
            self._elements[path] = found
        return self._elements[path]

    def locate(self, tag: str, classes: str | None) -> tuple[Path, int, int]:
        """Where `<tag class="classes">` is written; a class made by Jinja matches any."""
        for exact in (True, False):
            for path in self.paths:
                for found_tag, found_class, line, col in self.elements(path):
                    if found_tag != tag:
                        continue
                    if found_class == classes or (not exact and "{" in (found_class or "")):
                        return path, line, col
        return self.main, 1, 1


def _refused(html: str, project: Project, roots: list[Path], template: Path) -> Iterator[Problem]:
    base = project.templates.resolve().as_uri() + "/"
    for match in _REFERENCES.finditer(html):
        reference = next(group for group in match.groups() if group)
        if reference.startswith(("data:", "#")):
            continue
        url = urljoin(base, reference)
        path = allowed_file(url, roots)
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
            try:  # contained and bounded like every read (a link out is reported elsewhere)
                lines = read_project_text(path, folder, MAX_YAML_BYTES).splitlines()
            except ContentError:
                continue
            for number, line in enumerate(lines, start=1):
                if needle in line:
                    return path, number, line.index(needle) + 1
    return None
