"""Languages, the message catalogue, and locale-aware dates and numbers.

Every word the tool adds to a document (Contents, Table 2, Page 3 of 9, dates)
comes from `templates/base/messages.yaml` and Babel, so an edition reads
naturally in its language and a designer can reword it without Python.
"""

from __future__ import annotations

import copy
import datetime as dt
import decimal
import os
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from babel.dates import format_date, format_skeleton
from babel.numbers import format_decimal, format_percent

from briefgen.edition.simplified import to_simplified
from briefgen.errors import ContentError, Problem
from briefgen.project.document import Document, read_yaml


@dataclass(frozen=True)
class Language:
    code: str  #: the content key: en, zh-Hant
    html: str  #: the HTML/PDF language tag; zh-Hant-HK selects Hong Kong glyph forms
    babel: str  #: the Babel locale for dates and numbers
    word_lang: str  #: the DOCX w:lang value

    def __eq__(self, other: object) -> bool:
        # `{% if doc.language == "en" %}` was always false, silently: say what to write.
        if isinstance(other, str):
            raise TypeError(
                f"doc.language is not a text, so comparing it with {other!r} is always false; "
                f'compare doc.lang instead: {{% if doc.lang == "{other}" %}}'
            )
        if not isinstance(other, Language):
            return NotImplemented
        return self.code == other.code

    def __hash__(self) -> int:
        return hash(self.code)


LANGUAGES: dict[str, Language] = {
    "en": Language("en", "en", "en_HK", "en-GB"),
    "zh-Hant": Language("zh-Hant", "zh-Hant-HK", "zh_Hant_HK", "zh-HK"),
    # Derived from zh-Hant with OpenCC; for mainland readers.
    "zh-Hans": Language("zh-Hans", "zh-Hans", "zh_Hans_CN", "zh-CN"),
}
#: Languages the catalogue and content are written in; the others are derived.
AUTHORED = ("en", "zh-Hant")


#: A placeholder is a plain name: `{number}`, never `{v.attr}`, `{v[0]}`, `{v!r}`, `{v:>9}`.
_PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
#: The values a placeholder may take: text, numbers and dates, shown with str().
PLAIN_VALUES = (str, int, float, decimal.Decimal, dt.date)


class MessageError(Exception):
    """A message asked for with a value it cannot show (raised inside a template)."""


def parse_message(text: str) -> list[str | tuple[str]]:
    """A catalogue text as literal parts and `(name,)` placeholders; ValueError if a
    placeholder is anything but a plain name.

    `str.format` would follow `{v.__init__.__globals__[...]}` into any object a
    template passes: catalogue text is data, so it gets only name substitution.
    """
    parts: list[str | tuple[str]] = []
    for literal, name, spec, conversion in string.Formatter().parse(text):
        if literal:
            parts.append(literal)
        if name is None:
            continue
        if not _PLACEHOLDER.fullmatch(name) or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(f"the placeholder {shown} is not a plain name")
        parts.append((name,))
    return parts


class Messages:
    """The message catalogue: `t(key, lang, **values)`."""

    def __init__(self, path: Path, simplify: Callable[[str], str] = to_simplified):
        document = read_yaml(path)
        self.path = path
        #: the project's zh-Hans converter (with its phrase list), given by the loader
        self.simplify = simplify
        self._catalogue: dict[str, dict[str, str]] = {}
        problems: list[Problem] = []
        for key, texts in _entries(document, "the catalogue", problems, empty_ok=True):
            missing = [lang for lang in AUTHORED if not (texts or {}).get(lang)]
            if missing:
                problems.append(
                    document.problem(
                        [key],
                        f"message '{key}' has no {', '.join(missing)} text",
                        "add the missing language",
                    )
                )
            for lang, text in texts.items():
                try:
                    parse_message(str(text))
                except ValueError as error:
                    problems.append(
                        document.problem(
                            [key, lang],
                            f"message '{key}': {error}",
                            "write placeholders as {name}; use {{ and }} for braces",
                        )
                    )
            self._catalogue[key] = {lang: str(text) for lang, text in texts.items()}
        if problems:
            raise ContentError(problems)

    def _template(self, key: str, lang: str) -> str:
        if lang == "zh-Hans" and "zh-Hans" not in self._catalogue.get(key, {}):
            return self.simplify(self._template(key, "zh-Hant"))
        try:
            return self._catalogue[key][lang]
        except KeyError:
            raise KeyError(f"{self.path}: no message '{key}' for language {lang!r}") from None

    def t(self, key: str, lang: str, **values: object) -> str:
        """The message, its placeholders filled with str() of plain values."""
        text = []
        for part in parse_message(self._template(key, lang)):
            if isinstance(part, str):
                text.append(part)
                continue
            name = part[0]
            if name not in values:
                raise MessageError(f"message '{key}' needs a value for {{{name}}}")
            value = values[name]
            if not isinstance(value, PLAIN_VALUES) or isinstance(value, bool):
                raise MessageError(
                    f"message '{key}': {{{name}}} may be a text, number or date, "
                    f"not {type(value).__name__}"
                )
            text.append(str(value))
        return "".join(text)

    def fields(self, key: str, lang: str) -> list[str | tuple[str]]:
        """A message split into literal text and `(placeholder,)` parts (for CSS content)."""
        return parse_message(self._template(key, lang))


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


# -- an audience's own wording ---------------------------------------------------------

#: Languages an audience's messages.yaml may give (zh-Hans only to override the derived text).
MESSAGE_LANGUAGES = (*AUTHORED, "zh-Hans")


def audience_messages(base: Messages, folder: Path) -> Messages:
    """The catalogue an audience's templates see: its messages.yaml merged over `base`.

    A new key needs every authored language; an override may give only some (the
    others stay the base's) and must use the base message's placeholders, so the
    code that fills them in still can. Without a messages.yaml, `base` itself.
    """
    path = folder / "messages.yaml"
    if not os.path.lexists(path):  # a FIFO, folder or broken link is read, and refused
        return base
    document = read_yaml(path)
    merged = copy.copy(base)
    merged._catalogue = {key: dict(texts) for key, texts in base._catalogue.items()}
    problems: list[Problem] = []
    for key, texts in _entries(document, "messages.yaml", problems, empty_ok=False):
        known = base._catalogue.get(key)
        for lang, text in texts.items():
            problem = _override_problem(key, lang, text, known)
            if problem:
                problems.append(document.problem([key, lang], *problem))
        missing = [lang for lang in AUTHORED if known is None and not texts.get(lang)]
        if missing:
            problems.append(
                document.problem(
                    [key],
                    f"new message '{key}' has no {', '.join(missing)} text",
                    f"add it, or use a key of {base.path.name} to override its wording",
                )
            )
        merged._catalogue[key] = {**(known or {}), **{str(k): str(v) for k, v in texts.items()}}
    if problems:
        raise ContentError(problems)
    return merged


def _entries(
    document: Document, name: str, problems: list[Problem], empty_ok: bool
) -> Iterator[tuple[str, dict]]:
    """A catalogue file's (key, texts) pairs. A file that is not a mapping stops here;
    an entry that is not a mapping of languages (or is empty, unless `empty_ok`) is
    a problem in `problems` and skipped."""
    if not isinstance(document.data, dict):
        hint = "write key: {en: …, zh-Hant: …}"
        raise ContentError([document.problem([], f"{name} is not a mapping", hint)])
    for key, texts in document.data.items():
        if not isinstance(texts, dict) or not (texts or empty_ok):
            message = f"message '{key}' is not a mapping of languages"
            problems.append(document.problem([key], message, "write {en: …, zh-Hant: …}"))
            continue
        yield str(key), texts


def _override_problem(key: str, lang: object, text: object, known: dict | None):
    """(message, hint) if one language's text of an audience message is wrong."""
    if lang not in MESSAGE_LANGUAGES:
        return f"'{lang}' is not a language of messages", f"use {', '.join(MESSAGE_LANGUAGES)}"
    if not isinstance(text, str) or not text.strip():
        return f"message '{key}' has an empty {lang} text", "write the text, quoted"
    try:
        names = _placeholders(text)
    except ValueError as error:
        return f"message '{key}': {error}", "write placeholders as {name}; {{ and }} for braces"
    if known is not None:
        expected = _placeholders(known.get(lang) or known[AUTHORED[0]])
        if names != expected:
            shown = ", ".join(f"{{{name}}}" for name in sorted(expected)) or "none"
            return (
                f"message '{key}' ({lang}) must use the placeholders of the base message: {shown}",
                "keep the base message's {names}; only the wording around them changes",
            )
    return None


def _placeholders(text: str) -> set[str]:
    """The placeholder names of a message; ValueError unless each is a plain name."""
    return {part[0] for part in parse_message(text) if isinstance(part, tuple)}
