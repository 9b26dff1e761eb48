"""Languages, the message catalogue, and locale-aware dates and numbers.

Every word the tool adds to a document (Contents, Table 2, Page 3 of 9, dates)
comes from `templates/base/messages.yaml` and Babel, so an edition reads
naturally in its language and a designer can reword it without Python.
"""

from __future__ import annotations

import datetime as dt
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

from briefgen.edition.simplified import to_simplified
from briefgen.errors import ContentError
from briefgen.project.document import read_yaml


@dataclass(frozen=True)
class Language:
    code: str  #: the content key: en, zh-Hant
    html: str  #: the HTML/PDF language tag; zh-Hant-HK selects Hong Kong glyph forms
    babel: str  #: the Babel locale for dates and numbers
    word_lang: str  #: the DOCX w:lang value


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en", "en_HK", "en-GB"),
    "zh-Hant": Language("zh-Hant", "zh-Hant-HK", "zh_Hant_HK", "zh-HK"),
    # Derived from zh-Hant with OpenCC; for mainland readers.
    "zh-Hans": Language("zh-Hans", "zh-Hans", "zh_Hans_CN", "zh-CN"),
}
#: Languages the catalogue and content are written in; the others are derived.
AUTHORED = ("en", "zh-Hant")


class Messages:
    """The message catalogue: `t(key, lang, **values)`."""

    def __init__(self, path: Path, simplify: Callable[[str], str] = to_simplified):
        document = read_yaml(path)
        self.path = path
        #: the project's zh-Hans converter (with its phrase list), given by the loader
        self.simplify = simplify
        self._catalogue: dict[str, dict[str, str]] = {}
        problems = []
        for key, texts in document.data.items():
            missing = [lang for lang in AUTHORED if not (texts or {}).get(lang)]
            if missing:
                problems.append(
                    document.problem(
                        [key],
                        f"message '{key}' has no {', '.join(missing)} text",
                        "add the missing language",
                    )
                )
            self._catalogue[str(key)] = {lang: str(text) for lang, text in (texts or {}).items()}
        if problems:
            raise ContentError(problems)

    def t(self, key: str, lang: str, **values: object) -> str:
        if lang == "zh-Hans" and "zh-Hans" not in self._catalogue.get(key, {}):
            template = self.simplify(self.t(key, "zh-Hant"))
        else:
            try:
                template = self._catalogue[key][lang]
            except KeyError:
                raise KeyError(f"{self.path}: no message '{key}' for language {lang!r}") from None
        return template.format(**values) if values else template

    def fields(self, key: str, lang: str) -> list[str | tuple[str]]:
        """A message split into literal text and `(placeholder,)` parts (for CSS content)."""
        parts: list[str | tuple[str]] = []
        for literal, field, _, _ in string.Formatter().parse(self.t(key, lang)):
            if literal:
                parts.append(literal)
            if field:
                parts.append((field,))
        return parts


def long_date(value: dt.date, lang: str) -> str:
    """`19 November 2025` / `2025年11月19日`."""
    return format_date(value, "long", locale=LANGUAGES[lang].babel)


def partial_date(value: str, lang: str) -> str:
    """A source date as precise as the source gives it: full, year-month, year or day-month."""
    locale = LANGUAGES[lang].babel
    if value.startswith("--"):  # --MM-DD: the source prints no year
        month, day = (int(part) for part in value[2:].split("-"))
        return format_skeleton("MMMMd", dt.date(2000, month, day), locale=locale)
    parts = [int(part) for part in value.split("-")]
    if len(parts) == 3:
        return long_date(dt.date(*parts), lang)
    if len(parts) == 2:
        return format_skeleton("yMMMM", dt.date(parts[0], parts[1], 1), locale=locale)
    return format_skeleton("y", dt.date(parts[0], 1, 1), locale=locale)


def format_value(value: float, unit: str, lang: str) -> str:
    """A figure in a table: `45%`, `1,200`, `3`."""
    locale = LANGUAGES[lang].babel
    if unit == "percent":
        return format_percent(value / 100, locale=locale)
    return format_decimal(value, locale=locale)
