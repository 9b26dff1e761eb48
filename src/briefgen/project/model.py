"""Typed content model: what a brief, a source and an audience may contain.

Validation lives here (pydantic) so every later stage can trust its input: a
text exists in every language, a citation names a registered source, a data
series has one value per category. Errors carry a path into the YAML, which
`load` turns into `file:line:col`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    StringConstraints,
    Tag,
    ValidationInfo,
    field_validator,
    model_validator,
)

from briefgen.edition.simplified import to_simplified

#: Languages that content is written in. Others (zh-Hans) are derived.
AUTHORED_LANGUAGES: tuple[str, ...] = ("en", "zh-Hant")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
#: An id an author types: lower-case letters, digits and '-' (sections, datasets, keys).
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
#: A source's id in the register is such an id too (one rule, one pattern).
SourceId = Slug

#: `{=dataset.category}` or `{=dataset.category.series}`: a figure from the data block.
FIGURE_REFERENCE = re.compile(r"\{=([a-z0-9-]+)\.([a-z0-9-]+(?:\.[a-z0-9-]+)?)\}")
#: Anything an author meant as a figure reference, well formed or not: `{=…}`.
FIGURE_LIKE = re.compile(r"\{=[^{}\n]*\}")

#: One citation of a group: `@id`, optionally with a quote locator `@id, "words"`.
_CITATION_ITEM = r'@[^\]\s;,"]+(?:\s*,\s*"[^"]*")?'
#: `[@id]`, `[@id; @other]` or `[@id, "quote"; @other]`: Pandoc's citation syntax,
#: with a quote of the source as the locator.
CITATION_GROUP = re.compile(r"\[(" + _CITATION_ITEM + r"(?:\s*;\s*" + _CITATION_ITEM + r")*)\]")
_ITEM = re.compile(r'@([^\]\s;,"]+)(?:\s*,\s*"([^"]*)")?')


def citation_items(group: str) -> list[tuple[str, str | None]]:
    """(source id, quote or None) for each citation in the inside of one `[...]` group."""
    return [(match.group(1), match.group(2)) for match in _ITEM.finditer(group)]


def cited_ids(markdown: str) -> list[list[str]]:
    """Source ids cited in a Markdown text, one list per `[...]` citation group."""
    return [
        [source_id for source_id, _ in citation_items(match.group(1))]
        for match in CITATION_GROUP.finditer(markdown)
    ]


class Strict(BaseModel):
    """Base for every content type: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True)


class Text(Strict):
    """One user-visible text in every authored language.

    A missing or empty language is a validation error, never a silent fallback:
    a bilingual brief that quietly shows English in the Chinese edition is wrong.
    """

    en: NonEmpty
    zh_hant: NonEmpty = Field(alias="zh-Hant")
    #: Optional: the whole Simplified text, where converting zh-Hant is not right.
    zh_hans: NonEmpty | None = Field(None, alias="zh-Hans")
    #: The Simplified text derived at load with the project's phrase list.
    _derived_hans: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _derive_simplified(self, info: ValidationInfo) -> Text:
        # The loader passes its project's Simplifier as validation context, so the
        # phrase list travels with the loaded texts instead of living in a global.
        simplify = (info.context or {}).get("simplify")
        if simplify is not None and self.zh_hans is None:
            self._derived_hans = simplify(self.zh_hant)
        return self

    def get(self, lang: str) -> str:
        """The text in `lang`; Simplified Chinese is derived from the Traditional."""
        if lang == "en":
            return self.en
        if lang == "zh-Hant":
            return self.zh_hant
        if lang == "zh-Hans":
            return self.zh_hans or self._derived_hans or to_simplified(self.zh_hant)
        raise KeyError(f"no text for language {lang!r}")


class OptionalText(Strict):
    """A name as the source gives it, in the languages it gives it in: a Chinese
    name the source does not romanise has no English form (nothing is made up)."""

    en: NonEmpty | None = None
    zh_hant: NonEmpty | None = Field(None, alias="zh-Hant")
    #: The Simplified name derived at load with the project's phrase list (see Text).
    _derived_hans: str | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _derive_simplified(self, info: ValidationInfo) -> OptionalText:
        simplify = (info.context or {}).get("simplify")
        if simplify is not None and self.zh_hant:
            self._derived_hans = simplify(self.zh_hant)
        return self

    def get(self, lang: str) -> str | None:
        if lang == "en":
            return self.en
        if lang == "zh-Hans" and self.zh_hant:
            return self._derived_hans or to_simplified(self.zh_hant)
        return self.zh_hant if lang.startswith("zh") else None


# --------------------------------------------------------------------------
# The source register


class Source(Strict):
    """One primary source. Only what the source itself states is recorded."""

    #: The archived text of the source, relative to the register's `archive` folder.
    file: NonEmpty | None = None
    kind: Literal["web-page", "news-report", "article"]
    language: Literal["en", "zh-Hant"]
    title: Text
    #: The title as later notes repeat it (default: the title).
    short_title: Text | None = None
    #: An organisation that publishes the source (HKMA).
    publisher: Text | None = None
    #: A newspaper or other publication the source appeared in (《大公報》).
    outlet: Text | None = None
    author: OptionalText | None = None
    #: ISO date, possibly truncated: `2025-12-16`, `2025-11`, or `--01-21`
    #: (day and month, year not printed in the source). Omit when undated.
    date: str | None = None
    #: What the date is the date of; `unknown` (the default without a date) when the
    #: source prints no date of its own (a date of an event it reports is not one).
    date_role: Literal["published", "revised", "unknown"] | None = None
    url: str | None = None

    @property
    def date_of(self) -> str:
        """published, revised or unknown."""
        if self.date is None:
            return "unknown"
        return self.date_role or "published"

    @model_validator(mode="after")
    def _date_role_fits(self) -> Source:
        if self.date is not None and self.date_role == "unknown":
            raise ValueError("date_role is unknown but a date is given; remove one of them")
        if self.date is None and self.date_role in ("published", "revised"):
            raise ValueError(f"date_role is {self.date_role} but no date is given")
        return self

    @field_validator("date", mode="before")
    @classmethod
    def _date_to_text(cls, value: object) -> object:
        if isinstance(value, dt.date):
            return value.isoformat()
        return value

    @field_validator("date")
    @classmethod
    def _date_shape(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?|--\d{2}-\d{2}", value):
            raise ValueError("date must be YYYY-MM-DD, YYYY-MM, YYYY or --MM-DD (no year)")
        return value


class SourceRegister(Strict):
    #: The folder of the sources' archived texts, relative to the project folder
    #: (a clone may lack it: the evidence check then warns instead of verifying).
    archive: str | None = None
    sources: dict[SourceId, Source]


# --------------------------------------------------------------------------
# Data: every figure that a table (and later a chart) shows, stated once


class Series(Strict):
    label: Text
    #: A name for prose to refer to this series: `{=dataset.category.series}`.
    key: Slug | None = None
    #: Numbers for figures; texts for annotation columns (such as a period).
    values: list[float | Text]

    def is_numeric(self) -> bool:
        return all(isinstance(value, int | float) for value in self.values)

    # A figure is a finite number: `.nan` or `.inf` would print as "NaN%".
    model_config = ConfigDict(**Strict.model_config, allow_inf_nan=False)

    @field_validator("values", mode="before")
    @classmethod
    def _no_booleans(cls, values: object) -> object:
        if isinstance(values, list) and any(isinstance(value, bool) for value in values):
            raise ValueError("true / false is not a figure; write a number, or quote it as text")
        return values


class ChartSpec(Strict):
    """How a dataset is drawn. It sits in the dataset, next to the numbers it draws."""

    #: bar / barh: one bar per category; line / step: a value over time (categories
    #: are the periods); compare: two series side by side (before / after).
    kind: Literal["bar", "barh", "line", "step", "compare"]
    alt: Text
    title: Text | None = None  #: defaults to the dataset's title
    value_label: Text | None = None  #: the value axis
    category_label: Text | None = None  #: the category axis; defaults to the dataset's
    #: Which numeric series to draw, by position (default: all numeric series;
    #: `compare` needs exactly two).
    series: list[int] | None = None


class Dataset(Strict):
    """A table of figures: categories (rows) by series (columns), from one source."""

    title: Text
    source: SourceId
    unit: Literal["percent", "count", "rank", "text"] = "count"
    category_label: Text
    categories: list[Text] = Field(min_length=1)
    #: Names for prose to refer to categories, one per category: `{=dataset.key}`.
    keys: list[Slug] | None = None
    series: list[Series] = Field(min_length=1)
    note: Text | None = None
    chart: ChartSpec | None = None

    def drawn_series(self) -> list[Series]:
        """The numeric series the chart draws."""
        if self.chart is None:
            return []
        chosen = (
            [self.series[i] for i in self.chart.series]
            if self.chart.series is not None
            else [series for series in self.series if series.is_numeric()]
        )
        return chosen

    def value(self, reference: str) -> tuple[float, str]:
        """The figure `category[.series]` names, with the dataset's unit."""
        category, _, series_key = reference.partition(".")
        if not self.keys or category not in self.keys:
            raise KeyError(
                f"no category '{category}' (keys: {', '.join(self.keys or []) or 'none'})"
            )
        row = self.keys.index(category)
        numeric = [series for series in self.series if series.is_numeric()]
        if series_key:
            matches = [series for series in self.series if series.key == series_key]
            if not matches:
                keys = ", ".join(series.key for series in self.series if series.key) or "none"
                raise KeyError(f"no series '{series_key}' (keys: {keys})")
            chosen = matches[0]
        elif numeric:
            chosen = numeric[0]
        else:
            raise KeyError("the dataset has no numeric series")
        value = chosen.values[row]
        if not isinstance(value, int | float):
            raise KeyError(f"'{reference}' is a text, not a figure")
        return float(value), self.unit

    @model_validator(mode="after")
    def _chart_series(self) -> Dataset:
        # Series lengths and keys against the categories are checked (and located)
        # by project.rules, with the other rules that relate one node to another.
        if self.chart is not None:
            chosen = self.chart.series
            if chosen is not None and any(not 0 <= i < len(self.series) for i in chosen):
                raise ValueError(f"chart.series must be positions 0 to {len(self.series) - 1}")
            drawn = self.drawn_series()
            if not drawn or not all(series.is_numeric() for series in drawn):
                raise ValueError("a chart draws numeric series only; choose them in chart.series")
            if self.chart.kind == "compare" and len(drawn) != 2:
                raise ValueError("a compare chart draws exactly two series (before, after)")
        return self


# --------------------------------------------------------------------------
# The brief


class Paragraph(Strict):
    paragraph: Text
    #: The same facts in plain language, for audiences that ask for it (`plain_language`).
    plain: Text | None = None
    #: The author's own assessment: it needs no citation and may state no figure.
    assessment: bool = False


class Bullets(Strict):
    bullets: list[Text] = Field(min_length=1)
    #: The same items in plain language, one per item, for `plain_language` audiences.
    plain: list[Text] | None = None

    @model_validator(mode="after")
    def _plain_matches(self) -> Bullets:
        if self.plain is not None and len(self.plain) != len(self.bullets):
            raise ValueError("plain: gives one plain item per bullet, in the same order")
        return self


class TableRef(Strict):
    """A table drawn from a dataset of the brief's `data` block."""

    table: Slug


class ChartRef(Strict):
    """A chart of a dataset of the brief's `data` block (the dataset declares `chart`)."""

    chart: Slug


#: The key that makes a mapping a block of each kind -> the tag of its model.
BLOCK_KINDS = {
    "paragraph": "Paragraph",
    "bullets": "Bullets",
    "table": "TableRef",
    "chart": "ChartRef",
}


def _block_kind(value: object) -> str | None:
    """Which kind of block a value is: by its key (in YAML) or its class (a model).

    pydantic then validates the value against that kind only, instead of trying
    every kind and guessing which of their errors the author meant.
    """
    if isinstance(value, dict):
        return next((BLOCK_KINDS[key] for key in BLOCK_KINDS if key in value), None)
    name = type(value).__name__
    return name if name in BLOCK_KINDS.values() else None


Block = Annotated[
    Annotated[Paragraph, Tag("Paragraph")]
    | Annotated[Bullets, Tag("Bullets")]
    | Annotated[TableRef, Tag("TableRef")]
    | Annotated[ChartRef, Tag("ChartRef")],
    Discriminator(_block_kind),
]


class Section(Strict):
    id: Slug
    title: Text
    tags: list[Slug] = []
    blocks: list[Block] = Field(min_length=1)


class KeyFigure(Strict):
    value: Text
    label: Text
    source: SourceId
    #: The date the figure is current to, if not the brief's `as_of`
    #: (`briefgen check` warns when it is old).
    as_of: dt.date | None = None


class Brief(Strict):
    title: Text
    subtitle: Text
    #: The date the brief's facts are current to.
    as_of: dt.date
    summary: list[Text] = Field(min_length=1)
    #: The summary in plain language, for `plain_language` audiences.
    plain_summary: list[Text] | None = None
    key_figures: list[KeyFigure] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    data: dict[Slug, Dataset] = {}
    #: The author's own assessment (e.g. the board's points): no citations, no figures.
    assessment: list[Text] = []

    def texts(self) -> list[Text]:
        """Every Markdown text of the brief, in document order (for citation checks)."""
        found: list[Text] = [*self.summary]
        for figure in self.key_figures:
            found.extend([figure.value, figure.label])
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Paragraph):
                    found.append(block.paragraph)
                elif isinstance(block, Bullets):
                    found.extend(block.bullets)
        return found


class PhraseOverrides(Strict):
    """content/zh-Hans.yaml: converted phrase -> the phrase mainland readers expect."""

    phrases: dict[NonEmpty, NonEmpty] = {}


# --------------------------------------------------------------------------
# Audiences


HexColour = Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")]
FontName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 ._-]+$")]


class Theme(Strict):
    """An audience's colours and fonts (fonts must be installed; the build checks)."""

    accent: HexColour = "#0b5d7a"
    ink: HexColour = "#1d2733"
    muted: HexColour = "#5b6770"
    rule: HexColour = "#b8c4cc"
    panel: HexColour = "#eef4f7"
    body_font: FontName = "Noto Serif"
    heading_font: FontName = "Noto Sans"
    #: An image in the audience's folder, shown on the cover (SVG or PNG).
    logo: str | None = None


class SectionChoice(Strict):
    """Which sections an audience reads, by their tags (no choice: all of them)."""

    include_tags: list[Slug] | None = None
    exclude_tags: list[Slug] = []

    def wants(self, tags: list[str]) -> bool:
        if any(tag in self.exclude_tags for tag in tags):
            return False
        return self.include_tags is None or any(tag in self.include_tags for tag in tags)


class Cover(Strict):
    """Cover wording: a note under the subtitle (e.g. who the edition is for)."""

    note: Text | None = None


class Audience(Strict):
    """An edition's settings: templates/audiences/<name>/audience.yaml."""

    edition: Text
    #: en, zh-Hant; zh-Hans (derived from zh-Hant); bilingual (en and zh-Hant side by side)
    languages: list[Literal["en", "zh-Hant", "zh-Hans", "bilingual"]] = list(AUTHORED_LANGUAGES)
    formats: list[Literal["pdf", "docx"]] = ["pdf", "docx"]
    briefs: list[Slug] | None = None
    #: full: every chosen section; summary: summary, key figures and `charts` charts only.
    detail: Literal["full", "summary"] = "full"
    #: A contents page: true or false (default: true for detail full, false for summary).
    contents: bool | None = None
    #: With detail summary: how many charts (the first ones of the chosen sections).
    charts: int = Field(1, ge=0, le=10)
    #: How a dataset that has both a table and a chart is shown, once: as the chart,
    #: as the table, or (`both`) as every block the brief gives.
    show: Literal["chart", "table", "both"] = "chart"
    sections: SectionChoice = SectionChoice()
    #: Use a paragraph's plain-language wording where the content gives one.
    plain_language: bool = False
    #: List every source the brief cites at its end, with full details.
    source_list: bool = False
    #: notes: footnotes, a full reference first and a short one after; notes-with-quotes:
    #: the same, each note followed by the quotes its citations carry; source-list: no
    #: footnotes, numbered references to the list of sources at the end.
    citations: Literal["notes", "notes-with-quotes", "source-list"] = "notes"
    classification: Text | None = None
    #: Who writes the edition: the DOCX's author, the HTML's meta author.
    author: Text | None = None
    #: Who issues the edition: the DOCX's company property.
    organisation: Text | None = None
    #: Keywords of the edition (document properties), after the section titles.
    keywords: list[Text] = []
    cover: Cover = Cover()
    theme: Theme = Theme()
