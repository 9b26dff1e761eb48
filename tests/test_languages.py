"""Languages: Simplified Chinese derived with OpenCC, the bilingual edition, parity."""

from __future__ import annotations

import re

import opencc
import pytest
from conftest import (
    BRIEFS,
    ROOT,
    assert_fails_with,
    briefgen,
    edit,
    expected_citations,
    line_of,
    raw_yaml,
)

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files

TO_SIMPLIFIED = opencc.OpenCC("t2s")
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{4,}")


@pytest.mark.parametrize("brief", BRIEFS)
def test_simplified_edition_is_simplified_throughout(brief, build_dir, read_pdf):
    pdf = read_pdf(build_dir / "general" / f"{brief}.zh-Hans.pdf")
    text = pdf.text
    chinese = "".join(CJK.findall(text))
    assert len(chinese) > 500
    leftover = sorted({c for c in chinese if TO_SIMPLIFIED.convert(c) != c})
    assert not leftover, f"Traditional characters left in the Simplified edition: {leftover}"
    assert "金融科技" in text and "目录" in text and "资料截至" in text
    assert pdf.reader.trailer["/Root"]["/Lang"] == "zh-Hans"
    fonts = pdf.fonts()
    assert any("CJK-SC" in name for name in fonts)
    assert not any("CJK-HK" in name for name in fonts), "Hong Kong glyph forms in zh-Hans"
    assert "第2页，共" in pdf.pages[1].text
    for number, page in enumerate(pdf.pages, start=1):
        assert sorted(page.calls) == sorted(page.notes), f"page {number}"


def test_simplified_footnotes_and_captions(build_dir, read_pdf):
    pdf = read_pdf(build_dir / "general" / "fintech-2030.zh-Hans.pdf")
    notes = pdf.notes()
    assert sorted(notes) == list(range(1, expected_citations("fintech-2030", "zh-Hant") + 1))
    assert any("香港金融管理局" in note and "2025年12月16日" in note for note in notes.values())
    assert "图1" in pdf.text and "表1" in pdf.text


def test_a_phrase_override_replaces_the_converted_wording(build_dir, read_pdf):
    text = read_pdf(build_dir / "general" / "fintech-2030.zh-Hans.pdf").text
    assert "「" not in text and "“金融科技2030”" in text  # content/zh-Hans.yaml: 「」 -> “”


@pytest.mark.parametrize("brief", BRIEFS)
def test_bilingual_edition_pairs_both_languages_with_one_set_of_notes(brief, build_dir, read_pdf):
    pdf = read_pdf(build_dir / "general" / f"{brief}.bilingual.pdf")
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    for number, page in enumerate(pdf.pages[2:], start=3):
        assert CJK.search(page.text) and LATIN_WORD.search(page.text), f"page {number}"
    notes = pdf.notes()
    # One note per citation, numbered once, each naming the source in both languages.
    assert sorted(notes) == list(range(1, expected_citations(brief, "en") + 1))
    for text in notes.values():
        assert CJK.search(text) and LATIN_WORD.search(text), text
    # Both columns call the same numbers on the page where the note is set.
    for number, page in enumerate(pdf.pages, start=1):
        assert set(page.calls) == set(page.notes), f"page {number}"
        counts = {call: page.calls.count(call) for call in page.calls}
        assert all(count == 2 for count in counts.values()), f"page {number}: {counts}"
    text = pdf.text.replace("\n", " ")
    for section in content["sections"]:
        assert section["title"]["en"] in text
        assert section["title"]["zh-Hant"] in pdf.text.replace("\n", "")


def test_dates_and_generated_words_in_each_language(build_dir, read_pdf):
    english = read_pdf(build_dir / "general" / "hk-shenzhen-plan.en.pdf").text
    chinese = read_pdf(build_dir / "general" / "hk-shenzhen-plan.zh-Hant.pdf").text
    assert "As of 19 November 2025" in english and "Contents" in english
    assert "資料截至2025年11月19日" in chinese and "目錄" in chinese
    assert "Figure 1" in english and "圖1" in chinese
    assert "Source: " in english and "資料來源：" in chinese


def test_parity_catches_a_differing_figure(project):
    brief = project / "content/mini.yaml"
    edit(brief, "香港有超過1200家金融科技企業[@", "香港有超過1300家金融科技企業[@")
    line = line_of(brief, "- en: The HKMA announced")  # the text: its en and zh-Hant
    stderr = assert_fails_with(project, "the languages state different figures")
    assert (
        f"content/mini.yaml:{line}:5: error: the languages state different figures: "
        "en states 1200 where zh-Hant states 1300 (" in stderr
    )


def test_parity_catches_a_percentage_and_a_missing_citation(project):
    brief = project / "content/mini.yaml"
    # The Chinese drops the citation and says 74% where the English says 75%.
    chinese = "比例為{=talent.app-dev}"
    edit(brief, f"{chinese}[@takungpao-fintech]。", f"{chinese}，另有74%。")
    edit(
        brief,
        "lead the list at {=talent.app-dev} [@takungpao-fintech].",
        "lead the list at {=talent.app-dev}, and 75% more [@takungpao-fintech].",
    )
    stderr = assert_fails_with(project, "the languages state different figures")
    assert "en states 75 where zh-Hant states 74" in stderr
    assert "the languages cite different sources" in stderr


def test_each_language_can_be_built_alone(project):
    for lang in ("en", "zh-Hant", "zh-Hans", "bilingual"):
        result = briefgen("build", "--lang", lang, cwd=project, check=True)
        assert f"mini.{lang}.pdf" in result.stdout
