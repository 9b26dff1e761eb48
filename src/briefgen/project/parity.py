"""Translation parity: the figures a text states must agree between its languages.

A bilingual brief is only honest if the Chinese paragraph says what the English
one says. Citations are compared elsewhere (same sources, same order); here
the numbers are: percentages, counts, amounts and years, normalised so that
`HK$200 billion` and `2,000億港元`, `17,600` and `1.76萬`, `June 2021` and
`2021年6月` count as the same figures.
"""

from __future__ import annotations

import re
from collections import Counter

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
MULTIPLIERS = {
    "billion": 1e9,
    "bn": 1e9,
    "million": 1e6,
    "億": 1e8,
    "亿": 1e8,
    "萬": 1e4,
    "万": 1e4,
}
# A number glued to Latin letters is part of a name (Web3, 5G, AI2Strategy), not a
# figure; ordinal suffixes (14th) are the exception.
NUMBER = re.compile(
    r"(?<![A-Za-z])(\d+(?:,\d{3})*(?:\.\d+)?)(?:st|nd|rd|th)?(?![A-Za-z\d])"
    r"\s*(billion|bn|million|億|亿|萬|万)?",
    re.IGNORECASE,
)
MONTH_NAME = re.compile(r"\b(" + "|".join(MONTHS) + r")\b", re.IGNORECASE)


def figures(text: str) -> Counter[float]:
    """The numbers a text states, normalised (month names count as their number)."""
    text = CITATION_GROUP.sub(" ", text)
    text = FIGURE_REFERENCE.sub(" ", text)  # the same figure in every language by construction
    text = MONTH_NAME.sub(lambda match: f" {MONTHS[match.group(1).lower()]} ", text)
    found: Counter[float] = Counter()
    for digits, unit in NUMBER.findall(text):
        value = float(digits.replace(",", "")) * MULTIPLIERS.get(unit.lower(), 1)
        found[round(value, 6)] += 1
    return found


def differing_figures(texts: dict[str, str]) -> str | None:
    """A description of the figures that differ between the languages, or None."""
    counted = {lang: figures(text) for lang, text in texts.items()}
    first_lang, first = next(iter(counted.items()))
    for lang, other in counted.items():
        if other != first:
            only_first = sorted((first - other).elements())
            only_other = sorted((other - first).elements())
            return (
                f"{first_lang} states {_show(only_first) or 'nothing'} where "
                f"{lang} states {_show(only_other) or 'nothing'}"
            )
    return None


def _show(values: list[float]) -> str:
    return ", ".join(f"{value:g}" if value < 1e6 else f"{value:,.0f}" for value in values)
