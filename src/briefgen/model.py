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
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

#: Languages that content is written in. Others (zh-Hans) are derived.
AUTHORED_LANGUAGES: tuple[str, ...] = ("en", "zh-Hant")

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
SourceId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]
Slug = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$")]

#: `[@id]` or `[@id; @other]`, Pandoc's citation syntax.
CITATION_GROUP = re.compile(r"\[(@[^\]\s;]+(?:\s*;\s*@[^\]\s;]+)*)\]")


def cited_ids(markdown: str) -> list[list[str]]:
    """Source ids cited in a Markdown text, one list per `[...]` citation group."""
    return [
        [part.strip().lstrip("@") for part in match.group(1).split(";")]
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

    def get(self, lang: str) -> str:
        """The text in `lang` (an authored language code)."""
        if lang == "en":
            return self.en
        if lang == "zh-Hant":
            return self.zh_hant
        raise KeyError(f"no authored text for language {lang!r}")

    def all(self) -> tuple[str, ...]:
        return (self.en, self.zh_hant)


# --------------------------------------------------------------------------
# The source register


class Source(Strict):
    """One primary source. Only what the source itself states is recorded."""

    file: NonEmpty
    kind: Literal["web-page", "news-report", "article"]
    language: Literal["en", "zh-Hant"]
    title: Text
    publisher: Text | None = None
    author: Text | None = None
    #: ISO date, possibly truncated: `2025-12-16`, `2025-11`, or `--01-21`
    #: (day and month, year not printed in the source). Omit when undated.
    date: str | None = None
    #: How the date is qualified in the source, e.g. "last revised".
    date_role: Literal["published", "revised"] = "published"
    url: str | None = None

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
    sources: dict[SourceId, Source]


# --------------------------------------------------------------------------
# Data: every figure that a table (and later a chart) shows, stated once


class Series(Strict):
    label: Text
    #: Numbers for figures; texts for annotation columns (such as a period).
    values: list[float | Text]

    def is_numeric(self) -> bool:
        return all(isinstance(value, int | float) for value in self.values)


class Dataset(Strict):
    """A table of figures: categories (rows) by series (columns), from one source."""

    title: Text
    source: SourceId
    unit: Literal["percent", "count", "rank", "text"] = "count"
    category_label: Text
    categories: list[Text] = Field(min_length=1)
    series: list[Series] = Field(min_length=1)
    note: Text | None = None

    @model_validator(mode="after")
    def _series_lengths(self) -> Dataset:
        expected = len(self.categories)
        for index, series in enumerate(self.series):
            if len(series.values) != expected:
                raise ValueError(
                    f"series {index + 1} ({series.label.en!r}) has {len(series.values)} values "
                    f"but there are {expected} categories; give one value per category"
                )
        return self


# --------------------------------------------------------------------------
# The brief


class Paragraph(Strict):
    paragraph: Text


class Bullets(Strict):
    bullets: list[Text] = Field(min_length=1)


class TableRef(Strict):
    """A table drawn from a dataset of the brief's `data` block."""

    table: Slug


Block = Paragraph | Bullets | TableRef


class Section(Strict):
    id: Slug
    title: Text
    tags: list[Slug] = []
    blocks: list[Block] = Field(min_length=1)


class KeyFigure(Strict):
    value: Text
    label: Text
    source: SourceId


class Brief(Strict):
    title: Text
    subtitle: Text
    #: The date the brief's facts are current to.
    as_of: dt.date
    summary: list[Text] = Field(min_length=1)
    key_figures: list[KeyFigure] = Field(min_length=1)
    sections: list[Section] = Field(min_length=1)
    data: dict[Slug, Dataset] = {}

    @model_validator(mode="after")
    def _references(self) -> Brief:
        section_ids = [section.id for section in self.sections]
        duplicates = {sid for sid in section_ids if section_ids.count(sid) > 1}
        if duplicates:
            raise ValueError(
                f"section ids must be unique; repeated: {', '.join(sorted(duplicates))}"
            )
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, TableRef) and block.table not in self.data:
                    known = ", ".join(sorted(self.data)) or "none"
                    raise ValueError(
                        f"section {section.id!r} shows table {block.table!r}, which is not in "
                        f"the brief's data block (known: {known})"
                    )
        return self

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


# --------------------------------------------------------------------------
# Audiences


class Audience(Strict):
    """An edition's settings; see templates/audiences/<name>/audience.yaml."""

    edition: Text
    languages: list[Literal["en", "zh-Hant"]] = list(AUTHORED_LANGUAGES)
    formats: list[Literal["pdf"]] = ["pdf"]
    briefs: list[Slug] | None = None
    classification: Text | None = None
