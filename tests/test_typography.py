"""Chinese typesetting (issue 16, clreq): mixed Chinese–Latin justification read
back from the PDFs, and the line-breaking bindings of writers/typography.py.

The read-back tests reuse test_layout.py's glyph reader (pdfplumber) and its
`pdfs` fixture, so `BRIEFGEN_LAYOUT_DIR` points them at an existing build too.

Bounds, from measuring the general zh-Hant, zh-Hans and bilingual PDFs of the
three briefs (Noto Sans CJK, body text 10.5 pt; /tmp/cjk/measure.py in the report):
- a word space of a Latin run is 0.22 em unstretched; before this fix a justified
  line widened it to 0.92 em (fintech-2030.bilingual p10, `China  Development`).
  0.6 em stays visibly a word space, not a hole; the justification adds at most
  0.3 em (`SPACE_LIMIT`), so a space reaches 0.52 em at most.
- a gap between two Han characters is 0.00-0.21 em in the single-column editions
  (0.70 em before, on that p10 line). HAN_GAP = 0.2 em: an 18-character bilingual
  column line that is 3 em short (a `（2025年），` or `「Ensemble」` that did not fit)
  spreads to 0.18 em, and beyond a fifth of an em a Chinese reader sees the line
  letter-spaced, the text set in holes. WeasyPrint breaks lines greedily, so such
  a line used to be excused here as a line-breaking matter (0.27-0.40 em on
  digital-assets.bilingual p3 and fintech-2030.bilingual p9); writers/pdf_lines.py
  now breaks such a paragraph again as a paragraph-wide breaker would, and no
  line is excused.
"""

from __future__ import annotations

import itertools
import re

import pytest
from test_layout import assert_none, pdfs, where  # noqa: F401 (pdfs: a fixture)

from briefgen.writers import pdf_lines, typography, weasyprint_fixes

HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
LATIN = re.compile(r"[A-Za-z]")
SPACE_MAX = 0.6
HAN_GAP = 0.2


def _chinese(path) -> bool:
    return ".en." not in path.name


def _gaps(line):
    """(Latin word spaces, Han–Han gaps) of a line in em, Latin ones inside a run."""
    glyphs = [g for g in line.glyphs if g.text.strip() and not g.call]
    spaces, han = [], []
    for before, after in itertools.pairwise(glyphs):
        gap = (after.x0 - before.x1) / line.size
        if LATIN.match(before.text) and LATIN.match(after.text):
            spaces.append(gap)
        elif HAN.match(before.text) and HAN.match(after.text):
            han.append((gap, before.text + after.text))
    return spaces, han


@pytest.mark.slow
def test_mixed_chinese_lines_are_evenly_justified(pdfs):  # noqa: F811
    """In a justified Chinese line, a Latin run's word spaces stay under 0.6 em and the
    Han gaps under HAN_GAP, whatever the next line starts with."""

    def check(path, page):
        if not _chinese(path):
            return
        for line in page.lines:
            body = 10 <= line.size <= 11
            if not body or sum(bool(HAN.match(g.text)) for g in line.glyphs) < 2:
                continue
            spaces, han = _gaps(line)
            widest = max(spaces, default=0.0)
            if widest > SPACE_MAX:
                yield where(path, page, f"a {widest:.2f} em word space: {line.text[:30]!r}")
            gap, pair = max(han, default=(0.0, ""))
            if gap > HAN_GAP:
                yield where(path, page, f"{pair!r} {gap:.2f} em apart: {line.text[:30]!r}")

    assert_none(pdfs, check)


def test_a_hole_in_a_latin_run_is_measured():
    """The read-back above sees a hole: a glyph list with a 0.9 em space fails it."""
    from test_layout import Glyph, Line

    def glyph(text, x0):
        return Glyph(text, x0, x0 + (10.5 if HAN.match(text) else 5), 0, 10, 10, 10.5, ("P",))

    line = Line([glyph("的", 0), glyph("a", 11), glyph("b", 16), glyph("c", 30.5)], 10, 10.5)
    spaces, _ = _gaps(line)
    assert max(spaces) > SPACE_MAX


JOINERS = set("+\uff0b/\uff0f\u00b7\u30fb\u2027&\u2013")
JOINABLE = re.compile(r"[\u3400-\u9fff\uf900-\ufaffA-Za-z0-9]")


@pytest.mark.slow
def test_no_line_breaks_at_a_joining_symbol(pdfs):  # noqa: F811
    """clreq: `人工智能+金融`, `Z/Yen` are not split; no line starts with `+ / · & –`."""

    def check(path, page):
        for line in page.lines:
            first, last = line.glyphs[0], line.glyphs[-1]
            if first.text in JOINERS and "Lbl" not in first.roles:  # not a list's bullet
                yield where(path, page, f"line starts with {first.text!r}: {line.text[:12]!r}")
            nxt = line.following
            if (
                last.text in JOINERS
                and len(line.glyphs) > 1
                and JOINABLE.match(line.glyphs[-2].text)
                and nxt is not None
                and JOINABLE.match(nxt.glyphs[0].text)
            ):
                yield where(path, page, f"break after {last.text!r}: {line.text[-8:]!r}")

    assert_none(pdfs, check)


@pytest.mark.parametrize(
    ("text", "bound"),
    [
        ("推出「人工智能+金融」的", "能+金"),
        ("人工智能＋金融", "能＋金"),
        ("英國的Z/Yen及", "Z/Y"),
        ("金融科技業務／產品開發", "務／產"),
        ("中國·香港", "國·香"),
        ("R&amp;D", "R&amp;D"),
        ("2025–2027年", "5–2027年"),
        ("逾1,200+家", "0+家"),
    ],
)
def test_joining_symbols_are_bound_to_their_neighbours(text, bound):
    """The symbol and the characters on both sides sit in one no-break span."""
    out = typography.prepare(f"<html><body><p>{text}</p></body></html>")
    assert f'<span class="nobr">{bound}</span>' in out, out


def test_addresses_keep_their_break_points():
    out = typography.prepare(
        "<html><body><p>見 https://www.hkma.gov.hk/eng/a/b 。</p></body></html>"
    )
    assert "nobr" not in out.split("https")[1].split("。")[0], out


#: Han gaps within one justified line differ by at most this (em). Measured: 0.10
#: before the mixed-line rule, 0.32 with it while the gaps at no-break spans and
#: calls were lost (Pango drops the half gap at each end of a text box), 0.11 after.
HAN_GAP_SPREAD = 0.15


@pytest.mark.slow
def test_han_gaps_are_even_within_a_line(pdfs):  # noqa: F811
    """A no-break span (`2024年`, `第14位`) or a call does not close its gaps."""

    def check(path, page):
        if not _chinese(path):
            return
        for line in page.lines:
            if not (10 <= line.size <= 11) or line.following is None:
                continue
            gaps = [gap for gap, _ in _gaps(line)[1]]
            if len(gaps) >= 3 and max(gaps) - min(gaps) > HAN_GAP_SPREAD:
                spread = max(gaps) - min(gaps)
                yield where(path, page, f"Han gaps differ by {spread:.2f} em: {line.text[:24]!r}")

    assert_none(pdfs, check)


def test_a_passages_last_mark_is_half_width():
    """`發布²⁰。` at a paragraph's end takes 0.5 em less, so it can share the line
    before; a mark inside the paragraph keeps its full width."""
    call = '<span class="footnote">1</span>'
    out = typography.prepare(f"<html><body><p>聯合發布{call}。</p><p>甲乙。丙丁{call}。戊己</p>")
    first, second = out.split("</p>")[:2]
    assert first.endswith('<span class="halt">。</span></span>'), first
    assert "halt" not in second, second
    out = typography.prepare("<html><body><li>甲乙丙「丁戊」。</li></body></html>")
    assert '<span class="halt">。</span>' in out, out


def test_a_closing_bracket_after_a_latin_run_is_half_width():
    """「Ensemble」 is set 0.5 em narrower, so it fits the end of a narrow line instead of
    leaving that line stretched (fintech-2030.bilingual p7 was at 0.72 em gaps);
    brackets round Chinese text keep their full width."""
    out = typography.prepare("<html><body><p>交易的「Ensemble」項目，「金融科技」（HKMA）計劃</p>")
    assert '「Ensemble<span class="halt">」</span>' in out, out
    assert '（HKMA<span class="halt">）</span>' in out, out
    assert "「金融科技" in out, out  # (its 」 is halved as the first of the pair 」（)


@pytest.mark.parametrize(
    ("text", "halved"),
    [
        ("策略、“DART”支柱", ["、", "”"]),  # zh-Hans: a pause mark then a quote
        ("（“数码港”）", ["“", "”", "）"]),  # (the last: a passage's final mark)
        ("《“十四五”规划》，还有", ["“", "》"]),
        ("的“Ensemble”项目", ["”"]),
    ],
)
def test_curly_quotes_in_chinese_are_full_width_marks(text, halved):
    """zh-Hans writes “” where zh-Hant writes 「」, and Noto CJK sets them full-width:
    a quote beside another mark, or closing a Latin run, is halved like a bracket."""
    out = typography.prepare(f"<html><body><p>{text}</p></body></html>")
    assert re.findall(r'<span class="halt">(.)</span>', out) == halved, out


def test_english_quotes_are_left_alone():
    out = typography.prepare("<html><body><p>He said “yes”, and ‘no’.</p></body></html>")
    assert "halt" not in out, out


#: Full-width marks (curly quotes count in Chinese text: Noto CJK sets them full-width).
FULL_WIDTH_MARKS = set("，。、；：？！）」』》〉】〕（「『《〈【〔“”‘’")


@pytest.mark.slow
def test_adjacent_full_width_marks_leave_no_double_gap(pdfs):  # noqa: F811
    """clreq 3.1.7: two full-width marks in a row take 1.5 em, not 2 (`」：`, `、“`),
    besides what justification adds between characters."""

    def check(path, page):
        if not _chinese(path):
            return
        for line in page.lines:
            glyphs = [g for g in line.glyphs if not g.call]
            # From the end of the glyph before the pair to the start of the one after it:
            # a halved mark's own box is shifted onto its ink, so it cannot be measured.
            for before, first, second, after in zip(
                glyphs, glyphs[1:], glyphs[2:], glyphs[3:], strict=False
            ):
                if not (first.text in FULL_WIDTH_MARKS and second.text in FULL_WIDTH_MARKS):
                    continue
                if min(g.x1 - g.x0 for g in (first, second)) < 0.9 * line.size:  # Latin quotes
                    continue
                span = (after.x0 - before.x1) / line.size
                # less what justification put in the three gaps round the pair
                han = sorted(gap for gap, _ in _gaps(line)[1])
                span -= 3 * (han[len(han) // 2] if han else 0.0)
                if span > 1.6:
                    pair = first.text + second.text
                    yield where(path, page, f"{pair!r} takes {span:.2f} em: {line.text[:20]!r}")

    assert_none(pdfs, check)


def test_the_stretch_goes_to_han_gaps_first_and_spaces_are_bounded():
    """`share`: Han gaps alone up to HAN_ALONE, then shared, spaces at most SPACE_LIMIT."""
    size = 10.0
    assert weasyprint_fixes.share(5.0, 10, 3, size) == (0.5, 0.0)  # 0.05 em each
    han, space = weasyprint_fixes.share(26.0, 10, 2, size)  # 0.1 em, then 16 pt shared
    assert space == pytest.approx(16 / 12) and han == pytest.approx(1.0 + 16 / 12)
    han, space = weasyprint_fixes.share(40.0, 2, 3, size)  # spaces capped
    assert space == pytest.approx(weasyprint_fixes.SPACE_LIMIT * size)
    assert han == pytest.approx((40.0 - 3 * space) / 2)


def test_the_justification_patch_stands_down_if_weasyprint_changed(monkeypatch, caplog):
    from weasyprint.layout import inline

    def justify_line(context, line, extra_width, new_argument=None):
        return None

    monkeypatch.setattr(weasyprint_fixes, "_justify_applied", False)
    monkeypatch.setattr(inline, "justify_line", justify_line)
    assert weasyprint_fixes.justify_between_characters() is False
    assert inline.justify_line is justify_line
    assert "not applied" in caplog.text


@pytest.mark.slow
def test_patched_justification_ends_mixed_lines_flush():
    """Rendered directly: a justified line with a Latin name, with or without a space
    between the scripts, ends at the right edge and keeps its word spaces narrow."""
    import io

    import pdfplumber
    import weasyprint

    assert weasyprint_fixes.justify_between_characters()
    page = """<html lang="zh-Hant"><style>@page { size: 200pt 200pt; margin: 10pt }
    p { font: 10pt 'Noto Sans CJK HK'; text-align: justify; width: 150pt; margin: 0 }</style>
    <p>金融科技發展的 China Development Institute——聯合發布金融科技發展報告。</p>
    <p>金融科技發展的China Development Institute——聯合發布金融科技發展報告。</p>"""
    with pdfplumber.open(io.BytesIO(weasyprint.HTML(string=page).write_pdf())) as pdf:
        chars = [c for c in pdf.pages[0].chars if c["text"].strip()]
    rows: dict[float, list] = {}
    for char in chars:
        rows.setdefault(round(char["top"]), []).append(char)
    lines = [sorted(row, key=lambda c: c["x0"]) for _, row in sorted(rows.items())]
    justified = [line for line in lines if line[-1]["text"] != "。"]  # not a last line
    assert len(justified) == 4
    for line in justified:
        width = line[-1]["x1"] - line[0]["x0"]  # the body's own margin moves the start
        assert abs(width - 150) < 0.5, "".join(c["text"] for c in line)
        for before, after in itertools.pairwise(line):
            if LATIN.match(before["text"]) and LATIN.match(after["text"]):
                assert after["x0"] - before["x1"] < SPACE_MAX * 10


@pytest.mark.slow
def test_break_controls_never_reach_the_text_layer(pdfs):  # noqa: F811
    """The word joiners of pdf_lines and the quote breaks of typography draw nothing:
    copy-paste, search and screen readers get the brief's text as written, and the
    bookmarks (the headings' text) hold none of them either."""
    from pdfread import outline_titles
    from pypdf import PdfReader

    def check(path, page):
        for glyph in page.glyphs:
            if glyph.text in typography.BREAK_CONTROLS:
                yield where(path, page, f"U+{ord(glyph.text):04X} in the text layer")

    assert_none(pdfs, check)

    marked = [
        f"{path.name}: {title!r}"
        for path in pdfs
        for title in outline_titles(PdfReader(path))
        if any(control in title for control in typography.BREAK_CONTROLS)
    ]
    assert not marked, marked


def test_a_break_is_allowed_beside_a_curly_quote_in_chinese():
    """`的“Ensemble”项目` is not one unbreakable unit (Unicode's QU class); English
    quotes and quotes after a space are left alone."""
    out = typography.prepare("<html><body><p>交易的“Ensemble”项目。He said “no”.</p>")
    assert "的\u200b“Ensemble" in out, out
    assert "”</span>\u200b项" in out, out  # (the ” is halved after a Latin run)
    assert "said “no”." in out, out


def test_a_mostly_latin_line_shares_its_stretch_evenly():
    """`China Development Institute——聯合`: 1.5 Han units, 2 spaces: no first share
    for the Han gaps alone, which would open its one Han gap to 0.25 em."""
    han, space = weasyprint_fixes.share(0.66, 1.5, 2, 1.0)
    assert han == pytest.approx(space) == pytest.approx(0.66 / 3.5)


def _paragraph(lines: list[tuple[str, float, float, bool]]):
    """A Paragraph of one element whose lines are (text, slack em, Han units, justified)."""
    from xml.etree import ElementTree

    element = ElementTree.Element("p")
    element.text = "".join(text for text, *_ in lines)
    paragraph = pdf_lines.Paragraph(element, "zh-Hant")
    pdf_lines._read(paragraph, element)
    start = 0
    for number, (text, slack, han, justified) in enumerate(lines):
        line = pdf_lines.Line(start, start + len(text), slack, han, 0.0, justified)
        line.last = number == len(lines) - 1
        paragraph.lines.append(line)
        start += len(text)
    return paragraph


def test_a_loose_line_takes_the_tail_of_the_lines_before():
    """The `（2025年），` case: a line 3.6 em short after two full lines. The breaker
    passes a character or two down each line, so the worst gap falls from 0.40 em
    under HAN_GAP, and word joiners bind exactly those tails; unbind restores."""
    paragraph = _paragraph(
        [
            ("其他排名亦上升或保持穩定：香港的國際", 0.0, 17.0, True),
            ("金融中心排名維持第3位，全球創新指數", 0.45, 16.0, True),
            ("由第18位（2024年）升至第15位", 3.56, 9.0, True),
            ("（2025年），世界數碼競爭力", 5.0, 0.0, False),
        ]
    )
    original = paragraph.element.text
    assert pdf_lines.worst(paragraph) == pytest.approx(0.4, abs=0.01)
    allowed = [True] * (len(original) + 1)
    worst, choices = pdf_lines.plan(paragraph, allowed)
    assert worst < HAN_GAP and choices[1] is not None and choices[2] is None
    pdf_lines.bind(paragraph, choices, allowed)
    text = paragraph.element.text
    joined = text[text.index("由") - 1 : text.index("由") + 1]
    assert joined == pdf_lines.WORD_JOINER + "由" and text.replace("\u2060", "") == original
    pdf_lines.unbind(paragraph)
    assert paragraph.element.text == original


def test_a_tail_never_splits_a_no_break_span():
    """The break chosen inside a line is one Pango and the no-break spans allow."""
    from xml.etree import ElementTree

    element = ElementTree.fromstring(
        '<p>甲乙丙<span class="nobr">2024年</span>丁戊<span class="footnote">x</span>己</p>'
    )
    paragraph = pdf_lines.Paragraph(element, "zh-Hant")
    pdf_lines._read(paragraph, element)
    assert paragraph.text == "甲乙丙2024年丁戊己" and paragraph.calls == [10]
    allowed = pdf_lines._breaks(paragraph, "zh-Hant")
    assert not any(allowed[4:8]) and allowed[3] and allowed[8]


def test_the_line_pass_stands_down_without_pangos_break_rules(monkeypatch, caplog):
    """`get_log_attrs` is WeasyPrint's, not public API: without it nothing is rebroken
    (the build goes on with its lines as laid out) and the log says why."""
    from types import SimpleNamespace

    monkeypatch.setattr(pdf_lines, "get_log_attrs", None)
    with caplog.at_level("WARNING"):
        assert pdf_lines.EvenLines(source=None).bind(SimpleNamespace(pages=[])) is False
    assert "loose lines are kept" in caplog.text
