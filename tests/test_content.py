"""The briefs' wording: what an editor checks by eye, made repeatable (issue #15).

These read content/*.yaml directly (no build), so they are fast: each asserts a
rule of the house style or a fix of the issue that a later edit could undo.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[1]
BRIEFS = ["digital-assets", "fintech-2030", "hk-shenzhen-plan"]
CITATION = re.compile(r"\[@[^\]]+\]")
REFERENCE = re.compile(r"\{=[^}]+\}")
#: Set phrases that Hong Kong Chinese writes with Chinese numerals (四大支柱, 六項措施).
SET_PHRASE = re.compile(r"[0-9](大支柱|大「DART」|項重點措施|項「智慧銀行」|批代幣化)")


def load(brief: str) -> dict:
    return YAML(typ="safe").load((ROOT / "content" / f"{brief}.yaml").read_text("utf-8"))


def texts(node: object, lang: str, plain: bool = True) -> Iterator[str]:
    """Every text of one language, in document order (summary first)."""
    if isinstance(node, dict):
        if isinstance(node.get(lang), str):
            yield node[lang]
        for key, value in node.items():
            if key != "plain" or plain:
                yield from texts(value, lang, plain)
    elif isinstance(node, list):
        for value in node:
            yield from texts(value, lang, plain)


def prose(brief: str, lang: str) -> list[str]:
    """The running text: summary and section blocks (not data labels)."""
    data = load(brief)
    return list(texts(data["summary"], lang)) + list(texts(data["sections"], lang))


def all_text(brief: str, lang: str) -> str:
    return "\n".join(texts(load(brief), lang))


@pytest.mark.parametrize("brief", BRIEFS)
def test_english_uses_curly_quotes_and_en_dashes(brief: str) -> None:
    for text in texts(load(brief), "en"):
        assert '"' not in text and "'" not in text, text
        assert not re.search(r"\d{4}-\d{4}", text), text  # 2025–2027
        assert not re.search(r"(Hong Kong|Shenzhen|Guangdong)-[A-Z]", text), text


@pytest.mark.parametrize("brief", BRIEFS)
def test_english_prose_writes_small_numbers_in_words(brief: str) -> None:
    small = re.compile(r"(?<![\d.,:$/\u00a0–-])\b[1-9]\b(?![\d%.,:]\d|%|\.\d)")
    for text in prose(brief, "en"):
        plain = REFERENCE.sub("", CITATION.sub("", text))
        assert not small.search(plain), plain


@pytest.mark.parametrize("brief", BRIEFS)
def test_hong_kong_chinese_typography(brief: str) -> None:
    for text in texts(load(brief), "zh-Hant"):
        assert not re.search(r"[^\x00-\x7f]/|/[^\x00-\x7f]", text), text  # ／
        assert " – " not in text and not re.search(r"\d{4}-\d{4}", text), text  # 2025至2027年
        assert not SET_PHRASE.search(text), text
        assert "未來5年" not in text and "亦或會" not in text and "骨幹" not in text, text
        assert "指數據" not in text, text  # reads as 指數


def test_newspaper_named_alike_in_text_and_notes() -> None:
    register = YAML(typ="safe").load((ROOT / "content" / "sources.yaml").read_text("utf-8"))
    assert register["sources"]["takungpao-fintech"]["publisher"]["zh-Hant"] == "《大公報》"
    # 004 prints no date of its own: 21 January is the date of the address
    assert "date" not in register["sources"]["fs-davos-address"]


@pytest.mark.parametrize("brief", BRIEFS)
def test_regulator_named_in_full_at_first_mention(brief: str) -> None:
    first_en = next(t for t in prose(brief, "en") if "HKMA" in t)
    assert re.search(r"Hong Kong Monetary Authority(’s)? \(HKMA(’s)?\)", first_en), first_en
    first_zh = next(t for t in prose(brief, "zh-Hant") if "金管局" in t)
    assert "香港金融管理局（金管局）" in first_zh, first_zh


def test_digital_assets_is_dated_no_earlier_than_the_address() -> None:
    data = load("digital-assets")
    assert data["as_of"] >= dt.date(2026, 1, 21)  # README: 004's events place it in 2026
    assert data["title"]["en"] != "Digital-asset status"


def test_plans_stay_plans() -> None:
    english = all_text("digital-assets", "en")
    chinese = all_text("digital-assets", "zh-Hant")
    assert "has been made regular" not in english and "will make such issuance regular" in english
    assert "已將此項發行恆常化" not in chinese and "已經恆常化" not in chinese
    assert "“later this year”" not in english and "「今年稍後」" not in chinese


def test_fintech_2030_mentions_no_imd() -> None:
    assert "IMD" not in all_text("fintech-2030", "en") + all_text("fintech-2030", "zh-Hant")


@pytest.mark.parametrize(
    ("brief", "needles"),
    [
        ("hk-shenzhen-plan", ["Shi Weigan", "Christopher Hui Ching-yu", "Li Wei", "Z/Yen"]),
        ("hk-shenzhen-plan", ["China Development Institute"]),
        ("digital-assets", ["Paul Chan", "mBridge"]),
        ("fintech-2030", ["Z/Yen", "China Development Institute", "fintech@hkma.gov.hk"]),
    ],
)
def test_coverage_is_cited_in_both_languages(brief: str, needles: list[str]) -> None:
    for lang in ("en", "zh-Hant"):
        for needle in needles:
            holding = [t for t in prose(brief, lang) if needle in t]
            assert holding, f"{brief} {lang} never names {needle}"
            assert all(CITATION.search(t) for t in holding), needle


def test_each_dart_pillar_names_a_concrete_project() -> None:
    pillars = next(
        block["bullets"]
        for section in load("fintech-2030")["sections"]
        if section["id"] == "dart-pillars"
        for block in section["blocks"]
        if "bullets" in block
    )
    projects = ["Payment Connect", "sandbox", "certification framework", "Ensemble"]
    for pillar, project in zip(pillars, projects, strict=True):
        assert project in pillar["en"], pillar["en"]


def words(text: str) -> list[str]:
    return re.findall(r"[\w’{}=.%$-]+", CITATION.sub(" ", text))


@pytest.mark.parametrize("brief", BRIEFS)
def test_summary_does_not_copy_the_body(brief: str) -> None:
    """A figure read in the summary is not read again in the same words below."""
    run = 10
    data = load(brief)
    body = set()
    for text in texts(data["sections"], "en", plain=False):
        found = words(text)
        body |= {tuple(found[i : i + run]) for i in range(len(found) - run + 1)}
    for text in texts(data["summary"], "en"):
        found = words(text)
        copied = [found[i : i + run] for i in range(len(found) - run + 1)]
        assert not [c for c in copied if tuple(c) in body], text
