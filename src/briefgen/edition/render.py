"""Render a brief, for one audience and language, to semantic HTML.

The HTML is the intermediate document: the audience's Jinja template decides
structure and wording once, and every output format follows it. Templates get
a view of the brief that is already in the reader's language (strings and
safe Markup), so a designer never deals with language keys or Markdown.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from markupsafe import Markup, escape

from briefgen.edition.cite import (
    Citer,
    InlineMarkdown,
    NoteReferenceCiter,
    SharedNoteCiter,
)
from briefgen.edition.environment import template_environment, template_problem
from briefgen.edition.i18n import LANGUAGES, Messages, audience_messages, format_value, long_date
from briefgen.edition.sandbox import render_bounded
from briefgen.errors import BriefgenError, ContentError, Problem
from briefgen.project.model import (
    Audience,
    Block,
    Brief,
    Bullets,
    ChartRef,
    Dataset,
    Paragraph,
    Section,
    SourceRegister,
    TableRef,
    Text,
)
from briefgen.project.paths import Project

if TYPE_CHECKING:
    from pathlib import Path

    from jinja2.sandbox import SandboxedEnvironment

    from briefgen.project.load import LoadedProject

__all__ = ["BilingualView", "BriefView", "edition_html", "render_html", "template_environment"]


class ChartFiles(Protocol):
    """A drawn chart: its SVG (for the PDF) and PNG (for the DOCX)."""

    svg: Path
    png: Path
    width_mm: int


class Charts(Protocol):
    """What draws an edition's charts: `edition.charts.ChartRenderer`, or `check`'s
    placeholders (which validate the chart and draw nothing)."""

    def render(self, dataset: Dataset, lang: str) -> ChartFiles: ...


@dataclass
class ParagraphView:
    html: Markup
    kind: str = "paragraph"
    #: The author's own assessment (no citation, no figure), not a sourced statement.
    assessment: bool = False


@dataclass
class BulletsView:
    items: list[Markup]
    kind: str = "bullets"


@dataclass
class TableView:
    number: int
    id: str
    caption: Markup
    header: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    note: Markup | None
    kind: str = "table"


@dataclass
class FigureView:
    number: int
    id: str
    title: str
    alt: str
    svg: str  #: the SVG as a data: URL, for the PDF
    png: str  #: the PNG as a data: URL, for the DOCX (which reads only the HTML)
    width_mm: int
    source: str  #: the source line under the chart
    kind: str = "chart"


@dataclass
class SectionView:
    id: str
    title: str
    tags: list[str]
    blocks: list[ParagraphView | BulletsView | TableView | FigureView] = field(default_factory=list)


class BriefView:
    """The brief in one language, as the template sees it."""

    def __init__(
        self,
        brief: Brief,
        name: str,
        audience: Audience,
        register: SourceRegister,
        messages: Messages,
        lang: str,
        charts: Charts,
        citer: Citer | None = None,
        logo: str | None = None,
    ):
        # Long on purpose: it lists every field a template sees, in the order the
        # edition cites its sources (summary, key figures, sections), which is the
        # order its notes are numbered in; split up, that order would be hidden.
        self.name = name
        self.lang = lang
        self.language = LANGUAGES[lang]
        self.bilingual = False
        self._messages = messages
        self.citer = citer or Citer(register, messages, lang, audience.citations)
        self._register = register
        self._charts = charts
        self._data = brief.data
        md = InlineMarkdown(self.citer, self.figure)
        text = lambda value: value.get(lang)  # noqa: E731 - a short local alias

        self.title = text(brief.title)
        self.subtitle = text(brief.subtitle)
        self.as_of = long_date(brief.as_of, lang)
        self.as_of_iso = brief.as_of.isoformat()
        self.edition = text(audience.edition)
        self.classification = text(audience.classification) if audience.classification else None
        plain = audience.plain_language
        summary = brief.plain_summary if plain and brief.plain_summary else brief.summary
        self.summary = [md(text(paragraph)) for paragraph in summary]
        figures = brief.key_figures
        self.key_figures = [
            {
                "value": md(text(figure.value)),
                "label": md(text(figure.label)),
                # One note for a run of figures from the same source, on the last of them.
                "note": Markup("")
                if index + 1 < len(figures) and figures[index + 1].source == figure.source
                else self.citer.footnote([figure.source]),
            }
            for index, figure in enumerate(figures)
        ]
        #: The author's own assessment (e.g. the board's points), in the reader's language.
        self.assessment = [md(text(item)) for item in brief.assessment]
        self.tables: list[TableView] = []
        self.figures: list[FigureView] = []
        self.sections: list[SectionView] = []
        #: With detail "summary": the charts shown after the key figures.
        self.highlights: list[FigureView] = []
        chosen = [section for section in brief.sections if audience.sections.wants(section.tags)]
        if audience.detail == "summary":
            for section in chosen:
                for block in section.blocks:
                    if isinstance(block, ChartRef) and len(self.highlights) < audience.charts:
                        chart = self._chart(block.chart, brief.data[block.chart])
                        self.figures.append(chart)
                        self.highlights.append(chart)
            chosen = []
        skipped = _shown_once(chosen, audience.show)
        for section in chosen:
            blocks = [b for b in section.blocks if not any(b is other for other in skipped)]
            view = SectionView(section.id, text(section.title), list(section.tags))
            view.blocks = [self._block(block, plain, md) for block in blocks]
            self.sections.append(view)
        self.keywords = [section.title for section in self.sections]
        self.keywords += [text(keyword) for keyword in audience.keywords]
        self.author = text(audience.author) if audience.author else ""
        self.organisation = text(audience.organisation) if audience.organisation else ""
        self.cover_note = text(audience.cover.note) if audience.cover.note else None
        self.theme = audience.theme
        #: Whether the edition has a contents page (a summary has none unless asked).
        self.show_contents = (
            audience.contents if audience.contents is not None else audience.detail == "full"
        )
        self.logo = logo  #: the audience's logo as a data: URL
        #: With `source_list` (or `citations: source-list`): every source the edition
        #: cites, in full, in order of first use (the numbers of `[n]`).
        self.sources = (
            self.citer.sources_list()
            if audience.source_list or audience.citations == "source-list"
            else []
        )

    def _block(
        self, block: Block, plain: bool, md: InlineMarkdown
    ) -> ParagraphView | BulletsView | TableView | FigureView:
        """One block of a section in this edition's language (and wording, with `plain`);
        tables and charts are numbered in the order they are met."""
        if isinstance(block, Paragraph):
            wording = block.plain if plain and block.plain else block.paragraph
            return ParagraphView(md(wording.get(self.lang)), assessment=block.assessment)
        if isinstance(block, Bullets):
            items = block.plain if plain and block.plain else block.bullets
            return BulletsView(md.unit([item.get(self.lang) for item in items]))
        if isinstance(block, TableRef):
            table = self._table(block.table, self._data[block.table], md)
            self.tables.append(table)
            return table
        chart = self._chart(block.chart, self._data[block.chart])
        self.figures.append(chart)
        return chart

    def _table(self, name: str, dataset: Dataset, md: InlineMarkdown) -> TableView:
        lang = self.lang
        number = len(self.tables) + 1
        if self.citer.style == "source-list":
            caption = Markup("{}{}").format(
                dataset.title.get(lang), self.citer.footnote([dataset.source])
            )
        else:  # a source line under the table, as under a chart, not a note
            caption = Markup(escape(dataset.title.get(lang)))
        header = [dataset.category_label.get(lang), *(s.label.get(lang) for s in dataset.series)]
        rows = []
        for index, category in enumerate(dataset.categories):
            cells = [category.get(lang)]
            for series in dataset.series:
                value = series.values[index]
                cells.append(
                    value.get(lang)
                    if isinstance(value, Text)
                    else format_value(value, dataset.unit, lang)
                )
            rows.append(cells)
        numeric = [False, *(series.is_numeric() for series in dataset.series)]
        note = md(dataset.note.get(lang)) if dataset.note else None
        if self.citer.style != "source-list":
            line = Markup(escape(self.t("source", source=self.citer.source_line(dataset.source))))
            gap = "" if lang.startswith("zh") else " "  # Chinese sets no space after 。
            note = line + self.t("citation_end") + (gap + note if note else "")
        return TableView(number, name, caption, header, rows, numeric, note)

    def _chart(self, name: str, dataset: Dataset) -> FigureView:
        lang = self.lang
        assert dataset.chart is not None
        files = self._charts.render(dataset, lang)
        title = (dataset.chart.title or dataset.title).get(lang)
        source = self.citer.source_line(dataset.source)
        return FigureView(
            number=len(self.figures) + 1,
            id=name,
            title=title,
            alt=dataset.chart.alt.get(lang),
            # Inline, not a file URL: WeasyPrint names images by URL, and a path
            # would make the PDF depend on where the project is checked out.
            svg="data:image/svg+xml;base64," + base64.b64encode(files.svg.read_bytes()).decode(),
            png="data:image/png;base64," + base64.b64encode(files.png.read_bytes()).decode(),
            width_mm=files.width_mm,
            source=self.t("source", source=source),
        )

    def figure(self, dataset: str, reference: str) -> str:
        """A figure from the data block, formatted for this edition: `45%`, `1,200`."""
        value, unit = self._data[dataset].value(reference)
        return format_value(value, unit, self.lang)

    def t(self, key: str, **values: object) -> str:
        """A generated word from the message catalogue, in this edition's language."""
        return self._messages.t(key, self.lang, **values)

    def css_content(self, key: str) -> Markup:
        """A message as a CSS `content` value, placeholders as counters: `"Page " counter(page)`."""
        parts = []
        for part in self._messages.fields(key, self.lang):
            if isinstance(part, tuple):
                parts.append(f"counter({part[0]})")
            else:
                parts.append('"' + part.replace("\\", "\\\\").replace('"', '\\"') + '"')
        return Markup(" ".join(parts))


def _shown_once(sections: list[Section], show: str) -> list[TableRef | ChartRef]:
    """The blocks to leave out so that a dataset drawn as a chart and also given as a
    table is shown once in the edition: as its chart or as its table (`show`)."""
    if show == "both":
        return []
    blocks = [block for section in sections for block in section.blocks]
    charts = {block.chart for block in blocks if isinstance(block, ChartRef)}
    tables = {block.table for block in blocks if isinstance(block, TableRef)}
    both = charts & tables
    if show == "chart":
        return [b for b in blocks if isinstance(b, TableRef) and b.table in both]
    return [b for b in blocks if isinstance(b, ChartRef) and b.chart in both]


@dataclass
class Pair:
    """One row of the bilingual edition: the same block in English and in Chinese."""

    en: object
    zh: object


class BilingualView:
    """English and Traditional Chinese side by side, block by block.

    The two columns share one set of footnotes: the English column carries the
    notes (each naming the source in both languages) and the Chinese column
    calls the same numbers, so a reader of either column finds the same note.
    """

    def __init__(
        self,
        brief: Brief,
        name: str,
        audience: Audience,
        register: SourceRegister,
        messages: Messages,
        charts: Charts,
        logo: str | None = None,
    ):
        self.name = name
        self.lang = "bilingual"
        self.bilingual = True
        self.language = LANGUAGES["en"]
        self._messages = messages
        self.en = BriefView(
            brief,
            name,
            audience,
            register,
            messages,
            "en",
            charts,
            citer=SharedNoteCiter(register, messages, ("en", "zh-Hant"), audience.citations),
        )
        self.zh = BriefView(
            brief,
            name,
            audience,
            register,
            messages,
            "zh-Hant",
            charts,
            citer=NoteReferenceCiter(register, messages, "zh-Hant", audience.citations),
        )
        for item in [*self.zh.figures, *self.zh.tables]:
            item.id = f"{item.id}-zh"  # anchors are unique in the document
        self.title = self.en.title
        self.subtitle = self.en.subtitle
        self.as_of = self.en.as_of
        self.as_of_iso = self.en.as_of_iso
        self.edition = self.en.edition
        self.classification = self.en.classification
        self.figures = self.en.figures
        self.highlights: list[FigureView] = []  # a summary edition shows none side by side
        self.keywords = self.en.keywords + self.zh.keywords
        self.theme = self.en.theme
        self.show_contents = self.en.show_contents
        self.logo = logo
        self.cover_note = self.en.cover_note
        self.author, self.organisation = self.en.author, self.en.organisation
        self.sources = self.en.sources
        self.summary = [Pair(*pair) for pair in zip(self.en.summary, self.zh.summary, strict=True)]
        self.key_figures = [
            Pair(*pair) for pair in zip(self.en.key_figures, self.zh.key_figures, strict=True)
        ]
        self.sections = [
            Pair(*pair) for pair in zip(self.en.sections, self.zh.sections, strict=True)
        ]

    def rows(self, section: Pair) -> list[Pair]:
        """A section's blocks, paired; a list becomes one row per item, so that each
        item sits beside its translation and no row outgrows a page."""
        rows = []
        for en, zh in zip(section.en.blocks, section.zh.blocks, strict=True):
            if isinstance(en, BulletsView) and isinstance(zh, BulletsView):
                rows.extend(
                    Pair(BulletsView([a]), BulletsView([b]))
                    for a, b in zip(en.items, zh.items, strict=True)
                )
            else:
                rows.append(Pair(en, zh))
        return rows

    def t(self, key: str, **values: object) -> str:
        """A generated word in both languages: `Contents 目錄`."""
        return f"{self.en.t(key, **values)} {self.zh.t(key, **values)}"

    def css_content(self, key: str) -> Markup:
        return Markup(f'{self.en.css_content(key)} "  ·  " {self.zh.css_content(key)}')


def render_html(
    project: Project,
    audience_name: str,
    view: BriefView | BilingualView,
    env: SandboxedEnvironment | None = None,
) -> str:
    """Render the audience's template (which extends the base) for one edition.

    `env`: the audience's environment, when several editions share its compiled templates.
    """
    env = env or template_environment(project, audience_name)
    name = "bilingual.html.j2" if view.bilingual else "brief.html.j2"
    template = env.get_template(name)
    return render_bounded(
        template, doc=view, t=view.t, css_content=view.css_content, css_string=css_string
    )


def css_string(text: str) -> Markup:
    """A text as a quoted CSS string (for `content:` in page margins)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(f'"{escaped}"')


def edition_html(
    loaded: LoadedProject,
    brief: str,
    audience: str,
    lang: str,
    charts: Charts,
    env: SandboxedEnvironment | None = None,
) -> str:
    """The intermediate HTML of one edition; a template's error is a located problem."""
    from briefgen.project.audiences import logo_data_url

    settings = loaded.audiences[audience]
    logo = logo_data_url(loaded.project, audience, settings)
    # the base catalogue with the audience's own messages.yaml merged over it
    messages = audience_messages(loaded.messages, loaded.project.audience_dir(audience))
    parts = (loaded.briefs[brief], brief, settings, loaded.register, messages)
    view: BriefView | BilingualView
    if lang == "bilingual":
        view = BilingualView(*parts, charts, logo=logo)
    else:
        view = BriefView(*parts, lang, charts, logo=logo)
    try:
        html = render_html(loaded.project, audience, view, env)
    except BriefgenError:
        raise
    except Exception as error:  # a template's error, e.g. an undefined name
        raise ContentError([template_problem(error)]) from None
    if view.bilingual:
        own = loaded.project.audience_dir(audience) / "bilingual.html.j2"
        base = loaded.project.templates / "base" / "bilingual.html.j2"
        html = number_note_calls(html, own if own.is_file() else base)
    return html


_NOTE = re.compile(r'<span class="footnote"[^>]*?\sdata-note="(\d+)"')
_NOTE_CALL = re.compile(r'(<sup class="note-ref"[^>]*?\sdata-note="(\d+)"[^>]*>)[^<]*(</sup>)')


def number_note_calls(html: str, template: Path) -> str:
    """Number the bilingual edition's note calls as the notes they call are numbered:
    in the order the notes stand in the document (as WeasyPrint and Word number them),
    whatever order the template rendered the two columns in."""
    numbers: dict[str, int] = {}
    for match in _NOTE.finditer(html):
        numbers.setdefault(match.group(1), len(numbers) + 1)
    missing = sorted({m.group(2) for m in _NOTE_CALL.finditer(html)} - set(numbers), key=int)
    if missing:
        raise ContentError(
            [
                Problem(
                    template,
                    1,
                    1,
                    f"the Chinese column calls {len(missing)} note(s) the English column "
                    "does not set",
                    "show the same sections and blocks in both columns",
                )
            ]
        )
    return _NOTE_CALL.sub(lambda m: f"{m.group(1)}{numbers[m.group(2)]}{m.group(3)}", html)
