"""The DOCX of the general edition, read back as Word and LibreOffice see them;
and the writer itself, on small documents.

Checks of structure run on every edition the audience builds (en, zh-Hant, and
the derived zh-Hans and bilingual ones where it builds them); checks against
the YAML's own texts run on the authored languages (LANGS).
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import pytest
from conftest import BRIEFS, LANGS, ROOT, expected_citations, names_source, raw_yaml
from docxread import NS, ReadDocx, text_of, w

from briefgen.edition.i18n import Messages
from briefgen.errors import BriefgenError
from briefgen.writers.docx.writer import collapse_whitespace, write_docx

EDITIONS = [(brief, lang) for brief in BRIEFS for lang in LANGS]
AUDIENCE = raw_yaml(ROOT / "templates" / "audiences" / "general" / "audience.yaml")
ALL_EDITIONS = [(brief, lang) for brief in BRIEFS for lang in AUDIENCE["languages"]]
#: Editions whose PDF reads in the DOCX's order (the bilingual one has columns).
PARITY_EDITIONS = [(brief, lang) for brief, lang in ALL_EDITIONS if lang != "bilingual"]
#: Whose citations a derived edition carries.
CITING = {"zh-Hans": "zh-Hant", "bilingual": "en"}
SOURCES = raw_yaml(ROOT / "content" / "sources.yaml")["sources"]
MESSAGES = raw_yaml(ROOT / "templates" / "base" / "messages.yaml")
REFERENCE = ROOT / "templates" / "docx" / "reference.docx"
WORD_LANG = {"en": "en-GB", "zh-Hant": "zh-HK", "zh-Hans": "zh-CN", "bilingual": "en-GB"}
CJK_FONT = {"zh-Hant": "Noto Sans CJK HK", "zh-Hans": "Noto Sans CJK SC"}
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def ids(editions):
    return [f"{brief}.{lang}" for brief, lang in editions]


def read_edition(build_dir: Path, brief: str, lang: str):
    path = build_dir / "general" / f"{brief}.{lang}.docx"
    assert path.is_file(), f"{path} was not built"
    return brief, lang, path, ReadDocx(path)


@pytest.fixture(params=EDITIONS, ids=ids(EDITIONS))
def edition(request, build_dir):
    """An edition in an authored language: its texts are the YAML's."""
    return read_edition(build_dir, *request.param)


@pytest.fixture(params=ALL_EDITIONS, ids=ids(ALL_EDITIONS))
def any_edition(request, build_dir):
    """Any edition the audience builds, derived ones too."""
    return read_edition(build_dir, *request.param)


def squash(text: str) -> str:
    """Text compared across formats: no whitespace (PDF line breaks fall anywhere), no case
    (the PDF sets the edition line in capitals)."""
    return re.sub(r"\s+", "", text).casefold()


# -- what the DOCX contains -------------------------------------------------------


def test_python_docx_opens_it(any_edition):
    _, _, path, _ = any_edition
    document = docx.Document(str(path))
    assert len(document.paragraphs) > 5


def test_one_footnote_per_citation(any_edition):
    brief, lang, _, read = any_edition
    notes = read.notes()
    assert len(notes) == expected_citations(brief, CITING.get(lang, lang))
    references = read.references()
    assert sorted(references) == sorted(notes), "each footnote is called exactly once"
    assert len(set(references)) == len(references)


def test_separator_notes_and_footnote_settings(any_edition):
    _, _, _, read = any_edition
    types = {note.get(w("id")): note.get(w("type")) for note in read.footnotes.iter(w("footnote"))}
    assert types["-1"] == "separator" and types["0"] == "continuationSeparator"
    assert read.footnotes.find(f".//{w('separator')}") is not None
    assert read.footnotes.find(f".//{w('continuationSeparator')}") is not None
    properties = read.settings.find(w("footnotePr"))
    assert properties is not None
    assert [n.get(w("id")) for n in properties.findall(w("footnote"))] == ["-1", "0"]
    content_types = read.parts["[Content_Types].xml"].decode()
    assert "/word/footnotes.xml" in content_types and "footnotes+xml" in content_types
    rels = read.parts["word/_rels/document.xml.rels"].decode()
    assert "relationships/footnotes" in rels
    assert {"footnote text", "footnote reference"} <= set(read.style_names.values())


def test_each_footnote_names_its_source(edition):
    _, lang, _, read = edition

    for number, text in enumerate(read.note_texts(), start=1):
        assert any(names_source(sid, text, lang) for sid in SOURCES), f"footnote {number}: {text!r}"


def test_headings_carry_heading_styles(edition):
    brief, lang, _, read = edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    headings = read.headings()
    assert headings[0] == ("Title", content["title"][lang])
    assert ("TOC Heading", MESSAGES["contents"][lang]) in headings
    level_one = [text for style, text in headings if style == "heading 1"]
    assert level_one == [
        MESSAGES["summary"][lang],
        MESSAGES["key_figures"][lang],
        *(section["title"][lang] for section in content["sections"]),
    ]
    outline = {s.get(w("styleId")): s for s in read.styles.iter(w("style"))}
    level = outline["Heading1"].find(f"{w('pPr')}/{w('outlineLvl')}")
    assert level is not None and level.get(w("val")) == "0", "Heading 1 is in the outline"


def test_contents_is_a_toc_field(any_edition):
    _, _, _, read = any_edition
    instructions = read.instructions()
    assert any(re.fullmatch(r'TOC \\o "1-3" \\h.*', i) for i in instructions), instructions


def test_tables_have_a_repeating_header_row_and_numbered_captions(any_edition):
    _, lang, _, read = any_edition
    tables = [
        table
        for table in read.body.iter(w("tbl"))
        if table.find(f"{w('tblPr')}/{w('tblStyle')}").get(w("val")) == "BriefTable"
    ]
    assert tables
    for table in tables:
        first = table.find(w("tr"))
        assert first.find(f"{w('trPr')}/{w('tblHeader')}") is not None
        for paragraph in first.iter(w("p")):
            assert read.style_of(paragraph) == "Table Header"
        for row in table.findall(w("tr"))[1:]:
            assert row.find(f"{w('trPr')}/{w('tblHeader')}") is None
    # The caption's number is a SEQ field named by its label's word (Table, 表).
    names = {re.sub(r"\{number\}", "", label).strip() for label in MESSAGES["table"].values()}
    seq = [i for i in read.instructions() if i.split()[:2][-1] in names and i.startswith("SEQ")]
    assert len(seq) == len(tables)
    captions = [text_of(p) for p in read.paragraphs() if read.style_of(p) == "caption"]
    label = "表1" if lang.startswith("zh") else "Table 1"
    assert any(caption.startswith(label) for caption in captions)


def test_chinese_fonts_and_language_on_runs_and_styles(any_edition):
    _, lang, _, read = any_edition
    chinese = lang in CJK_FONT
    runs = [*read.document.iter(w("r")), *read.footnotes.iter(w("r"))]
    for run in runs:
        text = "".join(t.text or "" for t in run.iter(w("t")))
        if not text or (not chinese and not CJK.search(text)):
            continue
        fonts = run.find(f"{w('rPr')}/{w('rFonts')}")
        language = run.find(f"{w('rPr')}/{w('lang')}")
        assert fonts is not None and "CJK" in fonts.get(w("eastAsia"), ""), text
        assert language is not None and language.get(w("eastAsia")).startswith("zh-"), text
        if chinese:
            assert fonts.get(w("eastAsia")) == CJK_FONT[lang], text
            assert language.get(w("eastAsia")) == WORD_LANG[lang], text
            assert fonts.get(w("hint")) == "eastAsia", text
        elif lang == "en":
            assert fonts.get(w("eastAsia")) == "Noto Serif CJK HK" or "Sans" in fonts.get(
                w("ascii"), ""
            ), text  # a Chinese title in an English footnote or heading: the HK font
            assert language.get(w("eastAsia")) == "zh-HK", text
    normal = next(s for s in read.styles.iter(w("style")) if s.get(w("styleId")) == "Normal")
    normal_fonts = normal.find(f"{w('rPr')}/{w('rFonts')}")
    assert normal_fonts.get(w("eastAsia")) == CJK_FONT.get(lang, "Noto Serif CJK HK")
    defaults = read.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('lang')}")
    east_asian = WORD_LANG[lang] if chinese else "zh-HK"
    assert defaults.get(w("eastAsia")) == east_asian and defaults.get(w("val")) == "en-GB"
    # No letter spacing anywhere: it breaks up Chinese text.
    assert read.styles.find(f".//{w('rPr')}/{w('spacing')}") is None
    assert read.document.find(f".//{w('rPr')}/{w('spacing')}") is None


def test_core_properties(any_edition):
    brief, lang, path, _ = any_edition
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    properties = docx.Document(str(path)).core_properties
    authored = CITING.get(lang, lang) if lang == "bilingual" else lang
    if authored in LANGS:
        assert properties.title == content["title"][authored]
        assert properties.subject == content["subtitle"][authored]
        assert content["sections"][0]["title"][authored] in properties.keywords
    assert properties.title and properties.subject and properties.keywords
    assert properties.language == WORD_LANG[lang]
    as_of = content["as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(as_of)
    assert properties.created.date() == as_of and properties.modified.date() == as_of


def test_every_picture_has_alt_text(any_edition):
    _, _, _, read = any_edition
    for drawing in read.document.iter(w("drawing")):
        description = drawing.find(".//wp:docPr", NS)
        assert description is not None and description.get("descr", "").strip()


def test_a4_pages_with_the_pdf_margins_header_and_footer(any_edition):
    _, _, path, read = any_edition
    title = docx.Document(str(path)).core_properties.title
    section = read.body.find(w("sectPr"))
    size = section.find(w("pgSz"))
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    margins = section.find(w("pgMar"))
    twips = {side: round(int(margins.get(w(side))) * 25.4 / 1440) for side in
             ("top", "right", "bottom", "left")}  # fmt: skip
    assert twips == {"top": 24, "right": 20, "bottom": 22, "left": 20}
    assert section.find(w("titlePg")) is not None, "no header or footer on the cover"
    kinds = {ref.get(w("type")) for ref in section.findall(w("headerReference"))}
    assert kinds == {"default", "first"}
    section_proxy = docx.Document(str(path)).sections[0]
    header = section_proxy.header.part.element
    assert title in text_of(header)
    assert not text_of(section_proxy.first_page_header.part.element).strip()
    footer = section_proxy.footer.part.element
    instructions = read.instructions(footer)
    assert "PAGE" in instructions and "NUMPAGES" in instructions


# -- the same thing as the PDF ---------------------------------------------------


def pdf_body(pdf, title: str, edition_name: str) -> str:
    """The PDF's running text, squashed: page by page, without the notes at the foot,
    the running header and the page footer, and without list bullets (drawn apart
    from their items, at the end of the page's text)."""
    bodies = []
    total = len(pdf.pages)
    for index, page in enumerate(pdf.pages):
        text = squash(page.text).replace("•", "")
        if page.notes:
            first = min(page.notes)
            cut = text.rfind(squash(f"{first}. {page.notes[first]}"))
            assert cut >= 0, f"page {index + 1}: note {first} not found in the page text"
            text = text[:cut]
        if index > 0:
            for furniture in (title + edition_name, f"{index + 1}{total}"):
                furniture = squash(furniture)
                position = text.rfind(furniture)
                if position >= 0 and position >= len(text) - 3 * len(furniture):
                    text = text[:position] + text[position + len(furniture) :]
        bodies.append(text)
    return "".join(bodies)


@pytest.fixture(params=PARITY_EDITIONS, ids=ids(PARITY_EDITIONS))
def both(request, build_dir, read_pdf):
    brief, lang = request.param
    folder = build_dir / "general"
    return (
        brief,
        lang,
        ReadDocx(folder / f"{brief}.{lang}.docx"),
        read_pdf(folder / f"{brief}.{lang}.pdf"),
    )


def test_pdf_and_docx_have_the_same_footnotes_in_the_same_order(both):
    _, _, read, pdf = both
    pdf_notes = [" ".join(text.split()) for _, text in sorted(pdf.notes().items())]
    docx_notes = [" ".join(text.split()) for text in read.note_texts()]
    assert docx_notes == pdf_notes


def test_pdf_and_docx_have_the_same_headings(both):
    _, _, read, pdf = both
    assert [text for _, text in read.headings()] == pdf.outline_titles()


def test_every_docx_paragraph_is_in_the_pdf_in_the_same_order(both):
    _, _, read, pdf = both
    title = next(text for style, text in read.headings() if style == "Title")
    edition_name = next(text_of(p) for p in read.paragraphs() if read.style_of(p) == "Edition")
    body = pdf_body(pdf, title, edition_name)
    numbers = {note_id: n for n, note_id in enumerate(read.references(), start=1)}
    position = 0
    checked = 0
    for paragraph in read.paragraphs():
        if any(i.startswith("TOC") for i in read.instructions(paragraph)):
            continue  # the contents: a field Word fills in
        text = squash(text_of(paragraph, numbers))
        if not text:
            continue
        found = body.find(text, position)
        assert found >= 0, (
            f"DOCX paragraph not in the PDF (after what matched so far): {text_of(paragraph)!r}"
        )
        position = found + len(text)
        checked += 1
    assert checked > 30


HTML_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "caption", "figcaption", "th", "td", "dt", "dd"}


@pytest.fixture(scope="module")
def loaded_project():
    from briefgen.edition.render import Project
    from briefgen.project.load import load_project

    return load_project(Project(ROOT))


def html_block_texts(html: str) -> list[str]:
    """The text of every block of the intermediate HTML, footnotes left out, in order;
    in the contents only its headings (the DOCX lists the rest with a field)."""
    import lxml.html

    texts = []
    for element in lxml.html.document_fromstring(html).find("body").iter(*HTML_BLOCKS):
        in_nav = any(ancestor.tag == "nav" for ancestor in element.iterancestors())
        if in_nav and element.tag not in ("h2", "h3"):
            continue
        if element.tag == "td" and "parallel" in (
            element.getparent().getparent().get("class") or ""
        ):
            continue  # a column of the bilingual edition: its blocks are counted
        element = copy.deepcopy(element)
        for note in element.xpath(".//span[@class='footnote']"):
            note.drop_tree()  # keeps the text after it
        texts.append(squash(element.text_content()))
    return [text for text in texts if text]


def test_nothing_of_the_html_is_dropped(any_edition, loaded_project, build_dir):
    """Every paragraph, list item, heading, caption and cell of the HTML is a paragraph
    of the DOCX, with the same text, in the same order."""
    from briefgen.engine.build import plan, render_job_html

    brief, lang, _, read = any_edition
    job = next(j for j in plan(loaded_project, [brief], ["general"], [lang]) if j.format == "docx")
    html = render_job_html(loaded_project, job, build_dir)
    docx_texts = [
        squash(text_of(paragraph))
        for paragraph in read.paragraphs()
        if not any(i.startswith("TOC") for i in read.instructions(paragraph))
    ]
    assert [text for text in docx_texts if text] == html_block_texts(html)


# -- a real client opens them ------------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_pdfs(build_dir, tmp_path_factory) -> Path:
    """All six DOCX converted to PDF by LibreOffice, in one run (it starts slowly)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail("LibreOffice (soffice) is missing: run `sh scripts/setup-system.sh --test`")
    out = tmp_path_factory.mktemp("libreoffice")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    files = sorted(str(path) for path in (build_dir / "general").glob("*.docx"))
    assert len(files) == len(ALL_EDITIONS)
    try:
        result = subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out), *files],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out


def test_libreoffice_opens_the_docx_with_its_footnotes(any_edition, libreoffice_pdfs):
    brief, lang, _, read = any_edition
    pdf = libreoffice_pdfs / f"{brief}.{lang}.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000, f"LibreOffice wrote no {pdf.name}"
    assert shutil.which("pdftotext"), "pdftotext missing: run `sh scripts/setup-system.sh --test`"
    text = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    squashed = squash(text)
    for number, note in enumerate(read.note_texts(), start=1):
        assert squash(note) in squashed, f"footnote {number} not in LibreOffice's PDF: {note!r}"
    for style, heading in read.headings():
        assert squash(heading) in squashed, f"{style} {heading!r} not in LibreOffice's PDF"


# -- the writer on small documents ---------------------------------------------------


@pytest.fixture(scope="module")
def messages() -> Messages:
    return Messages(ROOT / "templates" / "base" / "messages.yaml")


def page(body: str, lang: str = "en") -> str:
    html_lang = {"en": "en", "zh-Hant": "zh-Hant-HK"}[lang]
    return (
        f'<!DOCTYPE html><html lang="{html_lang}"><head><meta charset="utf-8">'
        "<title>A small brief</title>"
        '<meta name="description" content="What it covers">'
        '<meta name="keywords" content="one, two">'
        '<meta name="dcterms.created" content="2025-12-16">'
        f"<style>p {{ color: red }}</style></head><body>{body}</body></html>"
    )


def write(tmp_path: Path, html: str, messages: Messages, lang: str = "en", **kwargs):
    target = tmp_path / f"out-{len(list(tmp_path.iterdir()))}.docx"
    warnings = write_docx(
        html, target, lang, REFERENCE, "templates/audiences/test", messages=messages, **kwargs
    )
    return target, warnings


@pytest.fixture
def png(tmp_path: Path) -> Path:
    from PIL import Image

    path = tmp_path / "assets" / "chart.png"
    path.parent.mkdir()
    Image.new("RGB", (400, 200), (11, 93, 122)).save(path)
    return path


def figure_html(png: Path, alt: str = "Bars of the shares, highest first") -> str:
    return (
        '<section class="section" id="s"><h2>Charts</h2>'
        f'<figure class="chart" id="fig-a"><img src="{png.with_suffix(".svg").as_uri()}" '
        f'data-png="{png}" alt="{alt}" data-width-mm="120">'
        '<figcaption><span class="label">Figure 1</span> Shares of banks</figcaption>'
        '<p class="figure-source">Source: a survey<span class="footnote">A, “B”, 2025.</span>'
        "</p></figure></section>"
    )


def test_a_chart_becomes_a_picture_with_alt_text_and_a_numbered_caption(tmp_path, png, messages):
    target, warnings = write(tmp_path, page(figure_html(png)), messages, assets=[png.parent])
    assert warnings == []
    read = ReadDocx(target)
    drawings = list(read.document.iter(w("drawing")))
    assert len(drawings) == 1
    doc_pr = drawings[0].find(".//wp:docPr", NS)
    assert doc_pr.get("descr") == "Bars of the shares, highest first"
    assert doc_pr.get("title") == "Bars of the shares, highest first"
    extent = drawings[0].find(".//wp:extent", NS)
    assert abs(int(extent.get("cx")) - 120 * 36000) < 36000
    assert any(name.startswith("word/media/") for name in read.names)
    assert "SEQ Figure \\* ARABIC" in read.instructions()
    caption = next(p for p in read.paragraphs() if read.style_of(p) == "caption")
    assert text_of(caption) == "Figure 1 Shares of banks"
    source = next(p for p in read.paragraphs() if read.style_of(p) == "Figure Source")
    assert text_of(source) == "Source: a survey"
    assert read.note_texts() == ["A, “B”, 2025."]


def test_a_chart_without_alt_text_or_outside_the_assets_is_refused(tmp_path, png, messages):
    with pytest.raises(BriefgenError, match="alt text"):
        write(tmp_path, page(figure_html(png, alt=" ")), messages)
    with pytest.raises(BriefgenError, match="outside the project's asset folders"):
        write(tmp_path, page(figure_html(png)), messages, assets=[tmp_path / "elsewhere"])


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
def test_an_unknown_element_is_an_error_naming_template_and_element(
    tmp_path, messages, body, named
):
    with pytest.raises(BriefgenError) as caught:
        write(tmp_path, page(body), messages)
    message = str(caught.value)
    assert "templates/audiences/test" in message
    assert named in message


def test_the_same_html_gives_the_same_bytes(tmp_path, png, messages):
    html = page(
        '<section class="cover" id="cover"><p class="edition">Ed</p><h1>T</h1></section>'
        '<nav class="toc"><h2>Contents</h2><ol><li><a href="#s">Charts</a></li></ol></nav>'
        + figure_html(png)
    )
    first, _ = write(tmp_path, html, messages)
    second, _ = write(tmp_path, html, messages)
    assert first.read_bytes() == second.read_bytes()


def test_the_same_brief_gives_the_same_bytes(tmp_path, messages):
    from briefgen.edition.render import Project
    from briefgen.engine.build import plan, render_job_html
    from briefgen.project.load import load_project

    loaded = load_project(Project(ROOT))
    job = plan(loaded, ["fintech-2030"], ["general"], ["zh-Hant"])[0]
    html = render_job_html(loaded, job, tmp_path / "build")
    first, _ = write(tmp_path, html, messages, "zh-Hant")
    second, _ = write(tmp_path, html, messages, "zh-Hant")
    assert first.read_bytes() == second.read_bytes()
    with __import__("zipfile").ZipFile(first) as package:
        infos = package.infolist()
    assert [i.filename for i in infos] == sorted(i.filename for i in infos)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_whitespace_collapses_like_a_browser_and_never_between_chinese_characters(
    tmp_path, messages
):
    html = page(
        "<main><p>  one \n  <em>two</em>\tthree <br> four  </p>"
        "<p>香港\n金融科技 2030\n策略</p><p>你好 世界</p></main>",
        "zh-Hant",
    )
    target, _ = write(tmp_path, html, messages, "zh-Hant")
    texts = [text_of(p) for p in ReadDocx(target).paragraphs()]
    assert texts == ["one two three four", "香港金融科技 2030 策略", "你好 世界"]


def test_collapse_keeps_spaces_around_footnote_calls():
    from briefgen.writers.docx.writer import Chars, Fmt, Footnote

    span = __import__("lxml.etree").etree.Element("span")
    tokens = collapse_whitespace([Chars(" a  ", Fmt()), Footnote(span), Chars("  b ", Fmt())])
    assert [t.text if isinstance(t, Chars) else "*" for t in tokens] == ["a ", "*", " b"]


def test_lists_links_and_inline_formatting(tmp_path, messages):
    html = page(
        '<main><section id="top"><h2>Lists</h2>'
        "<ul><li>first <strong>bold</strong> and <em>italic</em> and <code>x=1</code></li>"
        "<li>outer<ul><li>inner</li></ul></li></ul>"
        "<ol><li>one</li><li>two</li></ol><ol><li>again one</li></ol>"
        '<p>See <a href="https://www.hkma.gov.hk/">the HKMA</a> and <a href="#top">above</a>'
        ' (not <a href="#nowhere">here</a>).</p>'
        "<h3>Sub</h3><h4>Subsub</h4></section></main>"
    )
    target, warnings = write(tmp_path, html, messages)
    assert warnings == ["templates/audiences/test: link to #nowhere, which no element has"]
    read = ReadDocx(target)
    styles = [(read.style_of(p), text_of(p)) for p in read.paragraphs()]
    assert styles == [
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
    links = list(read.document.iter(w("hyperlink")))
    assert links[1].get(w("anchor")) == "_top"
    assert "https://www.hkma.gov.hk/" in read.parts["word/_rels/document.xml.rels"].decode()
    assert read.document.find(f".//{w('bookmarkStart')}[@{w('name')}='_top']") is not None
    bold = [r for r in read.document.iter(w("r")) if r.find(f"{w('rPr')}/{w('b')}") is not None]
    assert [text_of(r) for r in bold] == ["bold"]


def test_cover_and_contents_end_with_page_breaks(tmp_path, messages):
    html = page(
        '<section class="cover"><p class="classification">Restricted</p>'
        '<p class="edition">General</p><h1 class="title">T</h1><p class="subtitle">S</p>'
        '<p class="as-of">As of today</p></section>'
        '<nav class="toc"><h2 class="toc-title">Contents</h2><ol><li><a href="#a">A</a></li></ol>'
        '<h3 class="toc-title">Figures</h3><ol class="figures"><li>F</li></ol></nav>'
        '<main><section id="a"><h2>A</h2><p>Body</p></section></main>'
    )
    target, _ = write(tmp_path, html, messages)
    read = ReadDocx(target)
    styles = [(read.style_of(p), text_of(p)) for p in read.paragraphs()]
    assert [s for s, _ in styles] == [
        "Classification", "Edition", "Title", "Subtitle", "As Of",
        "TOC Heading", "Normal", "TOC Heading", "Normal", "heading 1", "Normal",
    ]  # fmt: skip
    breaks = [
        text_of(p)
        for p in read.paragraphs()
        if p.find(f"{w('pPr')}/{w('pageBreakBefore')}") is not None
    ]
    assert breaks == ["Contents", "A"]
    assert read.instructions()[:2] == ['TOC \\o "1-3" \\h \\z \\u', 'TOC \\h \\z \\c "Figure"']


def test_a_plain_reference_document_still_gives_footnotes_and_warns_of_missing_styles(
    tmp_path, messages
):
    plain = tmp_path / "plain.docx"
    docx.Document().save(str(plain))
    html = page(
        '<main><p class="edition">Ed</p><p>Text<span class="footnote">A note.</span></p></main>'
    )
    target = tmp_path / "out.docx"
    warnings = write_docx(html, target, "en", plain, "t", messages=messages)
    assert any("no paragraph style 'Edition'" in warning for warning in warnings)
    read = ReadDocx(target)
    assert {"footnote text", "footnote reference"} <= set(read.style_names.values())
    assert read.note_texts() == ["A note."]


def test_an_audience_may_bring_its_own_reference_document(tmp_path):
    from briefgen.edition.render import Project
    from briefgen.engine.build import docx_reference

    project = Project(tmp_path)
    (tmp_path / "templates" / "audiences" / "board").mkdir(parents=True)
    assert docx_reference(project, "board") == tmp_path / "templates/docx/reference.docx"
    own = tmp_path / "templates" / "audiences" / "board" / "reference.docx"
    own.write_bytes(REFERENCE.read_bytes())
    assert docx_reference(project, "board") == own


def test_an_element_in_another_language_gets_that_languages_fonts(tmp_path, messages):
    from briefgen.edition.i18n import LANGUAGES

    simplified = "zh-Hans" in LANGUAGES
    html = page(
        '<main><p>English <span lang="zh-Hant-HK">香港</span></p>'
        '<p lang="zh-Hant-HK">金融科技<span class="footnote">大公報。</span></p>'
        + ('<p lang="zh-Hans">金融科技</p>' if simplified else "")
        + "</main>"
    )
    target, _ = write(tmp_path, html, messages, "en")
    read = ReadDocx(target)

    def fonts(text: str) -> tuple[str, str, str | None]:
        run = next(r for r in read.document.iter(w("r")) if text_of(r) == text)
        rpr = run.find(w("rPr"))
        return (
            rpr.find(w("rFonts")).get(w("eastAsia")),
            rpr.find(w("lang")).get(w("eastAsia")),
            rpr.find(w("rFonts")).get(w("hint")),
        )

    assert fonts("English ") == ("Noto Serif CJK HK", "zh-HK", None)
    assert fonts("香港") == ("Noto Sans CJK HK", "zh-HK", "eastAsia")
    assert fonts("金融科技") == ("Noto Sans CJK HK", "zh-HK", "eastAsia")
    note = next(iter(read.notes().values()))
    assert all(
        r.find(f"{w('rPr')}/{w('rFonts')}").get(w("eastAsia")) == "Noto Sans CJK HK"
        for r in note.iter(w("r"))
    )
    if simplified:
        runs = [r for r in read.document.iter(w("r")) if text_of(r) == "金融科技"]
        rpr = runs[-1].find(w("rPr"))
        assert rpr.find(w("rFonts")).get(w("eastAsia")) == "Noto Sans CJK SC"
        assert rpr.find(w("lang")).get(w("eastAsia")) == "zh-CN"
