"""The DOCX writer on small documents: its vocabulary, inline content, lists, charts,
properties, reproducibility; and the style-change test on a whole edition."""

from __future__ import annotations

import base64
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docxread import (
    CJK,
    NS,
    REFERENCE,
    ReadDocx,
    section_titles,
    text_of,
    toc_entries,
    w,
)

from briefgen.errors import BriefgenError
from briefgen.writers.docx.inline import Chars, Fmt, Footnote
from briefgen.writers.docx.writer import collapse_whitespace, write_docx


@pytest.fixture(scope="module")
def loaded_project():
    from conftest import ROOT

    from briefgen.edition.render import Project
    from briefgen.project.load import load_project

    return load_project(Project(ROOT))


# -- the writer on small documents ---------------------------------------------------

TEMPLATE = "templates/audiences/test"


def page(body: str, lang: str = "en", head: str = "") -> str:
    html_lang = {"en": "en", "zh-Hant": "zh-Hant-HK", "zh-Hans": "zh-Hans"}[lang]
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        "<title>A small brief</title>"
        '<meta name="description" content="What it covers">'
        '<meta name="keywords" content="one, two">'
        '<meta name="dcterms.created" content="2025-12-16">'
        '<meta name="page-footer" content="Page {page} of {pages}">'
        f"{head}<style>p {{ color: red }}</style></head><body>{body}</body></html>"
    )


def write(tmp_path: Path, html: str, reference: Path = REFERENCE):
    target = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.docx"
    return target, write_docx(html, target, reference, TEMPLATE)


def png_url() -> str:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (1417, 700), (11, 93, 122)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


SVG_URL = (
    "data:image/svg+xml;base64,"
    + base64.b64encode(b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"/>').decode()
)


def figure_html(alt: str = "Bars of the shares, highest first", png: str | None = None) -> str:
    return (
        '<section class="section" id="s"><h2>Charts</h2>'
        f'<figure class="chart" id="fig-a"><img src="{SVG_URL}" data-png="{png or png_url()}" '
        f'alt="{alt}" data-width-mm="120">'
        '<figcaption><span class="label">Figure 1</span> Shares of banks</figcaption>'
        '<p class="figure-source">Source: a survey<span class="footnote">A, “B”, 2025.</span>'
        "</p></figure></section>"
    )


def test_a_chart_becomes_a_picture_with_alt_text_and_a_numbered_caption(tmp_path):
    target, warnings = write(tmp_path, page(figure_html()))
    assert warnings == []
    read = ReadDocx(target)
    drawings = list(read.document.iter(w("drawing")))
    assert len(drawings) == 1
    doc_pr = drawings[0].find(".//wp:docPr", NS)
    assert doc_pr.get("descr") == "Bars of the shares, highest first"
    extent = drawings[0].find(".//wp:extent", NS)
    assert abs(int(extent.get("cx")) - 120 * 36000) < 36000
    assert sum(name.startswith("word/media/") for name in read.names) == 2  # PNG and SVG
    assert "SEQ Figure \\* ARABIC" in read.instructions()
    caption = next(p for p in read.paragraphs() if read.style_of(p) == "caption")
    assert text_of(caption) == "Figure 1 Shares of banks"
    assert read.note_texts() == ["A, “B”, 2025."]


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (figure_html(alt=" "), "alt text"),
        (figure_html(png="/tmp/chart.png"), "data-png as a PNG data: URL"),
        (figure_html(png=SVG_URL), "not image/png"),
    ],
)
def test_a_chart_without_alt_text_or_a_png_in_the_html_is_refused(tmp_path, figure, message):
    with pytest.raises(BriefgenError, match=message):
        write(tmp_path, page(figure))


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ('<section class="x"><div class="callout"><p>Hi</p></div></section>',
         '<div class="callout">'),
        ("<main><p>Text with <sup>2</sup></p></main>", "<sup>"),
        ('<main><p class="lead">Lead</p></main>', '<p class="lead">'),
        ("<main><h5>Deep</h5></main>", "<h5>"),
        ("<main>Loose text</main>", "Loose text"),
        ('<main><p><span class="footnote">A <span class="footnote">B</span></span></p></main>',
         '<span class="footnote">'),
    ],
)  # fmt: skip
def test_an_unknown_element_is_an_error_naming_template_and_element(tmp_path, body, named):
    with pytest.raises(BriefgenError) as caught:
        write(tmp_path, page(body))
    assert TEMPLATE in str(caught.value) and named in str(caught.value)


def test_properties_come_from_the_head(tmp_path):
    head = '<meta name="author" content="Research desk"><meta name="organisation" content="HK Org">'
    target, _ = write(tmp_path, page("<main><p>Hi</p></main>", head=head))
    properties = docx.Document(str(target)).core_properties
    assert (properties.title, properties.subject, properties.keywords, properties.author) == (
        "A small brief",
        "What it covers",
        "one, two",
        "Research desk",
    )
    app = ReadDocx(target).parts["docProps/app.xml"].decode()
    assert "<Company>HK Org</Company>" in app and "<Application>briefgen</Application>" in app


def test_the_writer_reads_its_language_from_the_html(tmp_path):
    html = page("<main><p>Hi</p></main>").replace('lang="en"', 'lang="fr"')
    with pytest.raises(BriefgenError, match="names no language"):
        write(tmp_path, html)


def test_the_same_html_gives_the_same_bytes(tmp_path):
    html = page(
        '<section class="cover" id="cover"><p class="edition">Ed</p><h1>T</h1></section>'
        '<nav class="toc"><h2>Contents</h2><ol><li><a href="#s">Charts</a></li></ol></nav>'
        + figure_html()
    )
    first, _ = write(tmp_path, html)
    second, _ = write(tmp_path, html)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as package:
        infos = package.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_whitespace_collapses_like_a_browser_and_never_between_chinese_characters(tmp_path):
    html = page(
        "<main><p>  one \n  <em>two</em>\tthree <br> four  </p>"
        "<p>香港\n金融科技 2030\n策略</p><p>你好 世界</p></main>",
        "zh-Hant",
    )
    target, _ = write(tmp_path, html)
    texts = [text_of(p) for p in ReadDocx(target).paragraphs()]
    assert texts == ["one two three four", "香港金融科技 2030 策略", "你好 世界"]


def test_collapse_keeps_spaces_around_footnote_calls():
    span = __import__("lxml.etree").etree.Element("span")
    tokens = collapse_whitespace([Chars(" a  ", Fmt()), Footnote(span), Chars("  b ", Fmt())])
    assert [t.text if isinstance(t, Chars) else "*" for t in tokens] == ["a ", "*", " b"]


def test_lists_links_and_inline_formatting(tmp_path):
    html = page(
        '<main><section id="top"><h2>Lists</h2>'
        "<ul><li>first <strong>bold</strong> and <em>italic</em> and <code>x=1</code></li>"
        "<li>outer<ul><li>inner</li></ul></li></ul>"
        "<ol><li>one</li><li>two</li></ol><ol><li>again one</li></ol>"
        '<p>See <a href="https://www.hkma.gov.hk/">the HKMA</a> and <a href="#top">above</a>'
        ' (not <a href="#nowhere">here</a>).</p>'
        "<h3>Sub</h3><h4>Subsub</h4></section></main>"
    )
    target, warnings = write(tmp_path, html)
    assert warnings == [f"{TEMPLATE}: link to #nowhere, which no element has"]
    read = ReadDocx(target)
    assert [(read.style_of(p), text_of(p)) for p in read.paragraphs()] == [
        ("heading 1", "Lists"),
        ("List Bullet", "first bold and italic and x=1"),
        ("List Bullet", "outer"),
        ("List Bullet 2", "inner"),
        ("List Number", "one"),
        ("List Number", "two"),
        ("List Number", "again one"),
        ("Normal", "See the HKMA and above (not here)."),
        ("heading 2", "Sub"),
        ("heading 3", "Subsub"),
    ]
    numbered = [p for p in read.paragraphs() if read.style_of(p) == "List Number"]
    num_ids = [p.find(f".//{w('numId')}").get(w("val")) for p in numbered]
    assert num_ids[0] == num_ids[1] != num_ids[2], "each ol counts from 1"
    assert list(read.document.iter(w("hyperlink")))[1].get(w("anchor")) == "_top"
    assert "https://www.hkma.gov.hk/" in read.parts["word/_rels/document.xml.rels"].decode()
    bold = [r for r in read.document.iter(w("r")) if r.find(f"{w('rPr')}/{w('b')}") is not None]
    assert [text_of(r) for r in bold] == ["bold"]


def test_cover_and_contents_end_with_page_breaks_and_the_lists_are_filled_in(tmp_path):
    html = page(
        '<section class="cover"><p class="classification">Restricted</p>'
        '<p class="edition">General</p><h1 class="title">T</h1><p class="subtitle">S</p>'
        '<p class="as-of">As of today</p></section>'
        '<nav class="toc"><h2 class="toc-title">Contents</h2><ol><li><a href="#a">A</a></li>'
        '<li><a href="#s">Charts</a></li></ol><h3 class="toc-title">Figures</h3>'
        '<ol class="figures"><li><a href="#fig-a">Figure 1 Shares of banks</a></li></ol></nav>'
        '<main><section id="a"><h2>A</h2><p>Body</p></section>' + figure_html() + "</main>"
    )
    target, _ = write(tmp_path, html)
    read = ReadDocx(target)
    styles = [read.style_of(p) for p in read.paragraphs()]
    assert styles[:10] == [
        "Classification", "Edition", "Title", "Subtitle", "As Of",
        "TOC Heading", "toc 1", "toc 1", "TOC Heading", "table of figures",
    ]  # fmt: skip
    breaks = [
        text_of(p) for p in read.paragraphs() if p.find(f".//{w('pageBreakBefore')}") is not None
    ]
    assert breaks == ["Contents", "A"]
    assert read.instructions()[:2] == ['TOC \\o "1-3" \\h \\z \\u', 'TOC \\h \\z \\c "Figure"']
    assert [text for text, _ in toc_entries(read, "toc 1")] == ["A", "Charts"]
    assert toc_entries(read, "table of figures") == [("Figure 1 Shares of banks", "_fig_a")]


def test_a_plain_reference_document_still_gives_footnotes_and_warns_of_missing_styles(tmp_path):
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    html = page(
        '<main><p class="edition">Ed</p><p>Text<span class="footnote">A note.</span></p></main>'
    )
    _, warnings = write(tmp_path, html, plain)
    assert any("no paragraph style 'Edition'" in warning for warning in warnings)
    target, _ = write(tmp_path, html, plain)
    read = ReadDocx(target)
    assert {"footnote text", "footnote reference"} <= set(read.style_names.values())
    assert read.note_texts() == ["A note."]


def test_an_audience_may_bring_its_own_reference_document(tmp_path):
    from briefgen.edition.render import Project

    project = Project(tmp_path)
    (tmp_path / "templates" / "audiences" / "board").mkdir(parents=True)
    assert project.docx_reference("board") == tmp_path / "templates/docx/reference.docx"
    own = tmp_path / "templates" / "audiences" / "board" / "reference.docx"
    own.write_bytes(REFERENCE.read_bytes())
    assert project.docx_reference("board") == own


def test_only_a_run_in_another_chinese_says_its_language(tmp_path):
    html = page(
        '<main><p>English <span lang="zh-Hant-HK">香港</span></p>'
        '<p lang="zh-Hant-HK">金融科技<span class="footnote">大公報。</span></p>'
        '<p lang="zh-Hans">金融科技</p></main>'
    )
    target, _ = write(tmp_path, html)
    read = ReadDocx(target)
    marked = [
        (text_of(r), r.find(f"{w('rPr')}/{w('rFonts')}").get(w("eastAsia")),
         r.find(f"{w('rPr')}/{w('lang')}").get(w("eastAsia")))
        for r in read.document.iter(w("r"))
        if r.find(f"{w('rPr')}/{w('lang')}") is not None
    ]  # fmt: skip
    assert marked == [("金融科技", "Noto Sans CJK SC", "zh-CN")]


def east_asian_fonts_of_styles(reference: Path, fonts: dict[str, str], target: Path) -> None:
    """A copy of `reference` whose styles (by id) have other East Asian fonts."""
    document = docx.Document(str(reference))
    for style_id, font in fonts.items():
        style = document.styles.element.get_by_id(style_id)
        style.find(f"{w('rPr')}/{w('rFonts')}").set(w("eastAsia"), font)
    document.save(str(target))


ODF = {
    prefix: f"urn:oasis:names:tc:opendocument:xmlns:{name}:1.0"
    for prefix, name in (("office", "office"), ("style", "style"), ("text", "text"))
}


def odf(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{ODF[prefix]}}}{local}"


def asian_fonts_in_libreoffice(docx_path: Path, out: Path) -> list[tuple[str, list, str]]:
    """(font, style chain, text) of every paragraph with Chinese text, as LibreOffice resolves its
    East Asian font: LibreOffice's own flat ODF of the DOCX, each paragraph's style
    chain followed up to the first style that names one."""
    from lxml import etree

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run(
        [soffice, "--headless", "--convert-to", "fodt", "--outdir", str(out), str(docx_path)],
        capture_output=True, timeout=300, check=True,
    )  # fmt: skip
    tree = etree.parse(str(out / docx_path.with_suffix(".fodt").name))
    styles = {s.get(odf("style:name")): s for s in tree.iter(odf("style:style"))}
    automatic = tree.find(f".//{odf('office:automatic-styles')}")
    direct = [
        s.get(odf("style:name"))
        for s in automatic.iter(odf("style:text-properties"))
        if s.get(odf("style:font-name-asian"))
    ]
    assert direct == [], "LibreOffice found East Asian fonts in direct formatting"

    def font(name: str | None) -> tuple[str, list[str]]:
        chain = []
        while name in styles:
            chain.append(name)
            properties = styles[name].find(odf("style:text-properties"))
            if properties is not None and properties.get(odf("style:font-name-asian")):
                return properties.get(odf("style:font-name-asian")), chain
            name = styles[name].get(odf("style:parent-style-name"))
        return "", chain

    found = []
    for paragraph in tree.iter(odf("text:p"), odf("text:h")):
        text = "".join(paragraph.itertext())
        if CJK.search(text):
            found.append((*font(paragraph.get(odf("text:style-name"))), text))
    return found


@pytest.mark.slow
def test_chinese_text_follows_the_east_asian_font_of_its_style(tmp_path, loaded_project):
    """Change the East Asian font of Normal and Heading 1 in a copy of the reference
    document: every Chinese paragraph of the zh-Hant edition follows, as LibreOffice
    reads it, because no run (and no other style) names a Chinese font of its own."""
    from briefgen.engine.build import plan, render_job_html

    normal, heading = "Noto Sans CJK TC", "Noto Sans Mono CJK HK"
    reference = tmp_path / "reference.docx"
    east_asian_fonts_of_styles(REFERENCE, {"Normal": normal, "Heading1": heading}, reference)
    job = next(j for j in plan(loaded_project, ["fintech-2030"], ["general"], ["zh-Hant"]))
    html = render_job_html(loaded_project, job, tmp_path / "build")
    target = tmp_path / "fintech-2030.zh-Hant.docx"
    write_docx(html, target, reference, TEMPLATE)
    assert ReadDocx(target).parts["word/document.xml"].count(b"<w:rFonts") == 0
    found = asian_fonts_in_libreoffice(target, tmp_path)
    titles = section_titles("fintech-2030", "zh-Hant")
    assert [text for _, chain, text in found if chain[-1] == "Heading_20_1"][-len(titles) :] == (
        titles
    )
    assert len(found) > 50
    for font, chain, text in found:
        assert font == (heading if chain[-1] == "Heading_20_1" else normal), (chain, text)


def test_the_writer_dispatches_exactly_the_vocabulary_check_reads():
    """`check` and the writer share vocabulary.py: every element and class the writer
    dispatches is in it, and every element in it has a writer (its own handler, or
    its parent's)."""
    from briefgen.writers.docx.inline import InlineReader
    from briefgen.writers.docx.vocabulary import VOCABULARY, refusal
    from briefgen.writers.docx.writer import BLOCKS

    written_by_parent = set(
        [
            "html",
            "head",
            "title",
            "meta",
            "style",
            "body",
            "li",
            "div",
            "dt",
            "dd",
            "caption",
            "thead",
            "tbody",
            "colgroup",
            "col",
            "tr",
            "th",
            "td",
            "figcaption",
            "img",
        ]
    )
    for tag, by_class in BLOCKS.items():
        for name in by_class:
            classes = [] if name in (None, "any", "*") else [name]
            assert refusal(tag, classes) is None, (tag, name)
    for tag, name in InlineReader.HANDLERS:
        assert refusal(tag, [name] if name else []) is None, (tag, name)
    inline_tags = {tag for tag, _ in InlineReader.HANDLERS}
    assert set(VOCABULARY) == set(BLOCKS) | inline_tags | written_by_parent
