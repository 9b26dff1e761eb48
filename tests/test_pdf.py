"""The six PDFs of the general edition, read back as a reader's tools see them."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from conftest import (
    BRIEFS,
    FULL_REFERENCE,
    LANGS,
    ROOT,
    expected_citations,
    names_source,
    raw_yaml,
)

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files

EDITIONS = [(brief, lang) for brief in BRIEFS for lang in LANGS]
# Characters that exist only in Simplified Chinese; none may appear in a zh-Hant edition.
SIMPLIFIED_ONLY = set(
    "这为发说们来时对开关东车门问题会过还没进长见现实际经济术数据网络银行业务币资产监管应时间区块链创新"
) - set(
    "為發說們來時對開關東車門問題會過還沒進長見現實際經濟術數據網絡銀行業務幣資產監管應時間區塊鏈創新"
)
SOURCES = raw_yaml(ROOT / "content" / "sources.yaml")["sources"]


def test_the_three_briefs_exist():
    assert BRIEFS == ["digital-assets", "fintech-2030", "hk-shenzhen-plan"]


@pytest.fixture(params=EDITIONS, ids=[f"{b}.{lang}" for b, lang in EDITIONS])
def edition(request, build_dir, read_pdf):
    brief, lang = request.param
    path = build_dir / "general" / f"{brief}.{lang}.pdf"
    assert path.is_file(), f"{path} was not built"
    return brief, lang, path, read_pdf(path)


def test_qpdf_finds_no_errors(edition):
    _, _, path, _ = edition
    assert shutil.which("qpdf"), "qpdf missing: run `sh scripts/setup-system.sh --test`"
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a4_pages_and_a_sensible_length(edition):
    _, _, _, pdf = edition
    assert 4 <= len(pdf.pages) <= 20
    for page in pdf.reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (595, 842)


def test_metadata_title_language_and_tags(edition):
    brief, lang, _, pdf = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    assert pdf.reader.metadata.title == content["title"][lang]
    root = pdf.reader.trailer["/Root"]
    assert root["/Lang"] == {"en": "en", "zh-Hant": "zh-Hant-HK"}[lang]
    assert bool(root["/MarkInfo"]["/Marked"]), "the PDF is not tagged"
    assert "/StructTreeRoot" in root


def test_every_font_is_embedded_and_subset(edition):
    _, lang, _, pdf = edition
    fonts = pdf.fonts()
    assert fonts, "no fonts found"
    assert all(fonts.values()), f"not embedded: {[f for f, e in fonts.items() if not e]}"
    assert all(re.match(r"/[A-Z]{6}\+", name) for name in fonts), f"not subset: {list(fonts)}"
    if lang == "zh-Hant":
        assert any("CJK-HK" in name for name in fonts), f"no Hong Kong CJK font: {list(fonts)}"


def test_one_note_per_citing_paragraph_numbered_in_order(edition):
    brief, lang, _, pdf = edition
    notes = pdf.notes()
    expected = expected_citations(brief, lang)
    assert expected >= 12
    assert sorted(notes) == list(range(1, expected + 1))


def test_footnotes_sit_on_the_page_of_their_call(edition):
    _, _, _, pdf = edition
    for number, page in enumerate(pdf.pages, start=1):
        assert sorted(page.calls) == sorted(page.notes), f"page {number}"


def test_each_footnote_names_publisher_title_and_date_of_its_source(edition):
    _, lang, _, pdf = edition

    for number, text in pdf.notes().items():
        assert any(names_source(sid, text, lang) for sid in SOURCES), (
            f"footnote {number} names no registered source with its publisher: {text!r}"
        )
        if not any(kind in text for kind in FULL_REFERENCE):
            continue  # a short note: the full one, with the date, came first
        if lang == "zh-Hant":
            assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日|\d{1,2}月\d{1,2}日|未註明發表日期", text)
        else:
            assert re.search(
                r"\d{1,2} [A-Z][a-z]+ \d{4}|\d{1,2} [A-Z][a-z]+|date of publication not stated",
                text,
            )


def test_text_is_in_the_edition_language(edition):
    brief, lang, _, pdf = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    text = pdf.text
    for section in content["sections"]:
        assert section["title"][lang] in text
    if lang == "zh-Hant":
        simplified = sorted(set(text) & SIMPLIFIED_ONLY)
        assert not simplified, f"Simplified characters in the Traditional edition: {simplified}"
        assert "金融科技" in text and "目錄" in text
    else:
        assert "Contents" in text


def test_contents_page_gives_the_right_page_numbers(edition):
    brief, lang, _, pdf = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    contents = pdf.pages[1].text
    for section in content["sections"]:
        title = section["title"][lang]
        match = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents, re.MULTILINE)
        assert match, f"{title!r} not in the contents page"
        page = int(match.group(1))
        assert title in pdf.pages[page - 1].text.replace("\n", ""), f"{title!r} not on page {page}"


def test_running_header_and_localised_page_footer(edition):
    brief, lang, _, pdf = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    total = len(pdf.pages)
    for number, page in enumerate(pdf.pages[1:], start=2):
        footer = f"Page {number} of {total}" if lang == "en" else f"第{number}頁，共{total}頁"
        assert footer in page.text, f"page {number}"
        assert content["title"][lang] in page.text, f"no running header on page {number}"
    assert "Page 1" not in pdf.pages[0].text and "第1頁" not in pdf.pages[0].text


def test_bookmarks_follow_the_headings(edition):
    brief, lang, _, pdf = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    outline = pdf.outline_titles()
    for section in content["sections"]:
        assert section["title"][lang] in outline


def test_tables_have_numbered_captions(edition):
    _, lang, _, pdf = edition
    label = "Table 1" if lang == "en" else "表1"
    assert label in pdf.text
