"""Render a brief, for one audience and language, to semantic HTML.

The HTML is the intermediate document: the audience's Jinja template decides
structure and wording once, and every output format follows it. Templates get
a view of the brief that is already in the reader's language (strings and
safe Markup), so a designer never deals with language keys or Markdown.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from briefgen.edition.charts import ChartRenderer
from briefgen.edition.cite import (
    Citer,
    InlineMarkdown,
    NoteReferenceCiter,
    SharedNoteCiter,
    format_source,
)
from briefgen.edition.i18n import LANGUAGES, Messages, format_value, long_date
from briefgen.project.model import (
    Audience,
    Brief,
    Bullets,
    ChartRef,
    Dataset,
    Paragraph,
    SourceRegister,
    TableRef,
    Text,
)
from briefgen.project.paths import Project


@dataclass
class ParagraphView:
    html: Markup
    kind: str = "paragraph"


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


def template_environment(project: Project, audience: str) -> SandboxedEnvironment:
    """Jinja with autoescape, undefined names as errors, and the audience's folder first.

    The sandbox matters because audience templates may come from outside the team.
    """
    loader = jinja2.FileSystemLoader(
        [
            str(project.audience_dir(audience)),
            str(project.templates / "base"),
            # so that an audience's template can `{% extends "base/brief.html.j2" %}`
            str(project.templates),
        ]
    )
    return SandboxedEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
        charts: ChartRenderer,
        citer: Citer | None = None,
    ):
        self.name = name
        self.lang = lang
        self.language = LANGUAGES[lang]
        self.bilingual = False
        self._messages = messages
        self.citer = citer or Citer(register, messages, lang)
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
        self.summary = [md(text(paragraph)) for paragraph in brief.summary]
        self.key_figures = [
            {
                "value": md(text(figure.value)),
                "label": md(text(figure.label)),
                "note": self.citer.footnote([figure.source]),
            }
            for figure in brief.key_figures
        ]
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
        for section in chosen:
            view = SectionView(section.id, text(section.title), list(section.tags))
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    wording = block.plain if audience.plain_language and block.plain else None
                    view.blocks.append(ParagraphView(md(text(wording or block.paragraph))))
                elif isinstance(block, Bullets):
                    view.blocks.append(BulletsView([md(text(item)) for item in block.bullets]))
                elif isinstance(block, TableRef):
                    table = self._table(block.table, brief.data[block.table], md)
                    self.tables.append(table)
                    view.blocks.append(table)
                elif isinstance(block, ChartRef):
                    chart = self._chart(block.chart, brief.data[block.chart])
                    self.figures.append(chart)
                    view.blocks.append(chart)
            self.sections.append(view)
        self.keywords = [section.title for section in self.sections]
        self.keywords += [text(keyword) for keyword in audience.keywords]
        self.author = text(audience.author) if audience.author else ""
        self.organisation = text(audience.organisation) if audience.organisation else ""
        self.cover_note = text(audience.cover.note) if audience.cover.note else None
        self.theme = audience.theme
        self.logo: str | None = None  #: the audience's logo as a data: URL (set by the build)
        #: With `source_list`: every source the edition cites, in full, in order of first use.
        self.sources = (
            [format_source(register.sources[i], lang, messages) for i in self.citer.cited]
            if audience.source_list
            else []
        )

    def _table(self, name: str, dataset: Dataset, md: InlineMarkdown) -> TableView:
        lang = self.lang
        number = len(self.tables) + 1
        caption = Markup("{}{}").format(
            dataset.title.get(lang), self.citer.footnote([dataset.source])
        )
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
        return TableView(number, name, caption, header, rows, numeric, note)

    def _chart(self, name: str, dataset: Dataset) -> FigureView:
        lang = self.lang
        assert dataset.chart is not None
        files = self._charts.render(dataset, lang)
        title = (dataset.chart.title or dataset.title).get(lang)
        source = format_source(self._register.sources[dataset.source], lang, self._messages)
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
        charts: ChartRenderer,
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
            citer=SharedNoteCiter(register, messages, ("en", "zh-Hant")),
        )
        self.zh = BriefView(
            brief,
            name,
            audience,
            register,
            messages,
            "zh-Hant",
            charts,
            citer=NoteReferenceCiter(register, messages, "zh-Hant"),
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
        self.logo: str | None = None
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


def render_html(project: Project, audience_name: str, view: BriefView | BilingualView) -> str:
    """Render the audience's template (which extends the base) for one edition."""
    env = template_environment(project, audience_name)
    name = "bilingual.html.j2" if view.bilingual else "brief.html.j2"
    template = env.get_template(name)
    return template.render(doc=view, t=view.t, css_content=view.css_content, css_string=css_string)


def css_string(text: str) -> Markup:
    """A text as a quoted CSS string (for `content:` in page margins)."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return Markup(f'"{escaped}"')
