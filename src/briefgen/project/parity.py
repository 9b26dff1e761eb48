"""Figures a text states, normalised so that two languages (or a text and its
source) can be compared.

A bilingual brief is only honest if the Chinese paragraph says what the English
one says, and a cited sentence only if its source says it too (`evidence`).
Both compare figures: percentages, counts, amounts, ranks, years and dates,
normalised so that `HK$200 billion` and `2,000億港元`, `17,600` and `1.76萬`,
`No. 1` and `第1位`, `June 2021` and `2021年6月`, `19 November 2025` and
`November 19, 2025`, `seven` and `七項` count as the same figures.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from briefgen.project.model import CITATION_GROUP, FIGURE_REFERENCE

MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        start=1,
    )
}
_ABBREVIATED = {name[:3]: number for name, number in MONTHS.items()} | {"sept": 9}
MULTIPLIERS = {
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "million": 1e6,
    "m": 1e6,
    "億": 1e8,
    "亿": 1e8,
    "萬": 1e4,
    "万": 1e4,
}
#: English number words, read in sources ("seven Smart Banking initiatives"); a brief
#: writes digits (its "two cities" is no figure). Not "one": "one-stop" is none.
_WORDS = "two three four five six seven eight nine ten eleven twelve thirteen fourteen"
NUMBER_WORDS = {word: value for value, word in enumerate(_WORDS.split(), start=2)}
NUMBER_WORDS |= {"fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50, "hundred": 100}
#: Ranks in words, as a source writes them ("ranked first", 「位居首位」); in a brief,
#: "the first batch" is no figure.
RANK_WORDS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "首位": 1}
_CHINESE_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "兩": 2, "两": 2, "三": 3, "四": 4}
_CHINESE_DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000}
#: What follows a Chinese numeral that counts something (四大支柱, 七項, 三批, 五年).
_CLASSIFIERS = "項个個家間间批大位年月日名倍成類类種种次宗條条所層层期屆届隻只份支座類"

#: Month names as written: capitalised (so "may" the verb is none), or abbreviated.
_MONTH = (
    r"(?P<{g}>"
    + "|".join(name.title() for name in MONTHS)
    + r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<{g}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>(?:19|20)\d\d)"
_DATES = [
    re.compile(pattern)
    for pattern in (
        _DAY.format(g="d") + r"\s+" + _MONTH.format(g="m") + r",?\s+" + _YEAR.format(g="y"),
        _MONTH.format(g="m") + r"\s+" + _DAY.format(g="d") + r",?\s+" + _YEAR.format(g="y"),
        _MONTH.format(g="m") + r",?\s+" + _YEAR.format(g="y"),
        _DAY.format(g="d") + r"\s+" + _MONTH.format(g="m") + r"\b",
        _MONTH.format(g="m") + r"\s+" + _DAY.format(g="d") + r"(?![\d:])",
        r"(?P<y>\d{4})\s*年\s*(?P<m>1[0-2]|0?[1-9])\s*月(?:\s*(?P<d>[0-3]?\d)\s*[日號号])?",
        r"(?P<m>1[0-2]|0?[1-9])\s*月\s*(?P<d>[0-3]?\d)\s*[日號号]",
        r"(?P<y>\d{4})-(?P<m>\d\d)-(?P<d>\d\d)(?!\d)",
    )
]
#: A month name on its own ("in November"); capitalised, so "may" the verb is none.
_BARE_MONTH = re.compile(r"\b(" + "|".join(name.title() for name in MONTHS) + r")\b")
_CHINESE_MONTH = re.compile(r"(?<![\d年])(1[0-2]|[1-9])\s*月(?!\s*\d)")
# A number glued to Latin letters is part of a name (Web3, 5G, AI2Strategy), not a
# figure; ordinal suffixes (14th) and amount suffixes after a currency (HK$200B) are
# the exceptions.
NUMBER = re.compile(
    r"(?<![A-Za-z\d.])(\d+(?:,\d{3})*(?:\.\d+)?)"
    r"(?:st|nd|rd|th|(?<=\d)(?=[BbMm]\b)(?P<suffix>[BbMm]))?(?![A-Za-z\d])"
    r"\s*(billion|bn|million|億|亿|萬|万)?%?",
)
_WORD = re.compile(r"(?<![A-Za-z])(" + "|".join(NUMBER_WORDS) + r")(?![A-Za-z])", re.IGNORECASE)
_RANK = re.compile(r"(?<![A-Za-z])(" + "|".join(RANK_WORDS) + r")(?![A-Za-z])", re.IGNORECASE)
_CHINESE_NUMERAL = re.compile(
    "([" + "".join(_CHINESE_DIGITS) + "".join(_CHINESE_UNITS) + "]+)(?=[" + _CLASSIFIERS + "])"
)


@dataclass(frozen=True)
class Figure:
    """One figure as a text states it: a number, or a date as precise as it is given."""

    text: str  #: as written, for messages
    value: float | None = None
    date: tuple[int | None, int | None, int | None] | None = None  #: (year, month, day)

    @property
    def key(self) -> object:
        return ("date", *self.date) if self.date else round(self.value or 0.0, 6)

    def found_in(self, others: list[Figure]) -> bool:
        """Whether `others` (a source's or a quote's figures) state this figure.

        A date matches a date that agrees on every part this one gives (a source's
        `November 19, 2025` supports `November 2025`, not `19 November 2026`); a
        number matches a number, or the year of a date.
        """
        if self.date:
            return any(
                other.date
                and all(a is None or a == b for a, b in zip(self.date, other.date, strict=True))
                for other in others
            )
        key = self.key
        return any(
            other.key == key or (other.date and other.date[0] == self.value) for other in others
        )


_STRAIGHTENED = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "–": "-"})


def normalise(text: str) -> str:
    """Full-width digits and signs as ASCII, curly quotes straight, dashes as '-'."""
    return unicodedata.normalize("NFKC", text).translate(_STRAIGHTENED)


def _month(text: str | None) -> int | None:
    """6, June or Jun. -> 6."""
    if not text:
        return None
    name = text.lower().rstrip(".")
    return int(name) if name.isdigit() else MONTHS.get(name) or _ABBREVIATED.get(name)


def chinese_numeral(text: str) -> int | None:
    """四 -> 4, 十三 -> 13, 二十 -> 20, 一百二十 -> 120; None for 一 alone (一站式)."""
    if text in {"一", "〇", "零"}:
        return None
    total, current = 0, 0
    for char in text:
        if char in _CHINESE_DIGITS:
            current = current * 10 + _CHINESE_DIGITS[char] if current else _CHINESE_DIGITS[char]
        else:
            total += (current or 1) * _CHINESE_UNITS[char]
            current = 0
    return total + current


def extract(text: str, spelled: bool = False, source: bool = False) -> list[Figure]:
    """Every figure `text` states, dates first (so their day and year are not
    counted again as numbers). Citations and `{=…}` references are not figures.

    `spelled`: also numbers in words, English or Chinese (`seven`, `四大`), as a
    source writes them. A brief writes its figures in digits in both languages
    (so that they can be compared), and its "two cities" or 「五項排名」 in a chart's
    description are no figures. `source`: read as a source is read, generously:
    also ranks in words (`second`, 首位) and "two" (in a brief, "the two cities",
    「兩地」 are a pair, not a count)."""
    text = CITATION_GROUP.sub(" ", normalise(text))
    text = FIGURE_REFERENCE.sub(" ", text)  # the same figure in every language by construction
    found: list[Figure] = []

    def take(match: re.Match, figure: Figure) -> str:
        found.append(figure)
        return " " * (match.end() - match.start())

    def date(match: re.Match) -> str:
        year, month, day = (match.groupdict().get(part) for part in "ymd")
        parts = (int(year) if year else None, _month(month), int(day) if day else None)
        return take(match, Figure(match.group(0), date=parts))

    for pattern in _DATES:
        text = pattern.sub(date, text)
    text = _BARE_MONTH.sub(
        lambda m: take(m, Figure(m.group(0), date=(None, MONTHS[m.group(1).lower()], None))), text
    )
    text = _CHINESE_MONTH.sub(
        lambda m: take(m, Figure(m.group(0), date=(None, int(m.group(1)), None))), text
    )
    if source:
        text = _RANK.sub(
            lambda m: take(m, Figure(m.group(0), float(RANK_WORDS[m.group(1).lower()]))), text
        )

    def word(match: re.Match) -> str:
        value = NUMBER_WORDS[match.group(1).lower()]
        if value == 2 and not source:
            return match.group(0)
        return take(match, Figure(match.group(0), float(value)))

    if spelled:
        text = _WORD.sub(word, text)

    def numeral(match: re.Match) -> str:
        value = chinese_numeral(match.group(1))
        if value is None or (value == 2 and not source):
            return match.group(0)
        return take(match, Figure(match.group(0), float(value)))

    if spelled:
        text = _CHINESE_NUMERAL.sub(numeral, text)
    for match in NUMBER.finditer(text):
        unit = (match.group("suffix") or match.group(3) or "").lower()
        value = float(match.group(1).replace(",", "")) * MULTIPLIERS.get(unit, 1)
        found.append(Figure(match.group(0).strip(), value))
    return found


def figures(text: str) -> Counter[object]:
    """The figures a text states, normalised (for comparing two languages)."""
    return Counter(figure.key for figure in extract(text))


def differing_figures(texts: dict[str, str]) -> str | None:
    """A description of the figures that differ between the languages, or None."""
    counted = {lang: figures(text) for lang, text in texts.items()}
    first_lang, first = next(iter(counted.items()))
    for lang, other in counted.items():
        if other != first:
            only_first = sorted((first - other).elements(), key=str)
            only_other = sorted((other - first).elements(), key=str)
            return (
                f"{first_lang} states {_show(only_first) or 'nothing'} where "
                f"{lang} states {_show(only_other) or 'nothing'}"
            )
    return None


def _show(values: list[object]) -> str:
    shown = []
    for value in values:
        if isinstance(value, tuple):
            shown.append("-".join(str(part) for part in value[1:] if part is not None))
        else:
            assert isinstance(value, float)
            shown.append(f"{value:g}" if value < 1e6 else f"{value:,.0f}")
    return ", ".join(shown)
