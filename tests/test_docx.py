"""The DOCX of the general edition, read back by three clients (our own reader of
the XML, pandoc and LibreOffice); and the writer itself, on small documents.

Checks of structure run on every edition the audience builds (en, zh-Hant, and
the derived zh-Hans and bilingual ones); checks against the YAML's own texts run
on the authored languages (LANGS). The editions are built once for this module
(the general audience only: `general_dir`).
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import shutil
import subprocess
from pathlib import Path

import docx
import lxml.html
import pytest
from conftest import BRIEFS, LANGS, ROOT, briefgen, names_source, raw_yaml
from docxread import (
    CJK,
    MESSAGES,
    NS,
    ReadDocx,
    content,
    libreoffice,
    pandoc_ast,
    pandoc_find,
    pandoc_text,
    section_titles,
    squash,
    text_of,
    toc_entries,
    w,
)

pytestmark = pytest.mark.slow

EDITIONS = [(brief, lang) for brief in BRIEFS for lang in LANGS]
AUDIENCE = raw_yaml(ROOT / "templates" / "audiences" / "general" / "audience.yaml")
ALL_EDITIONS = [(brief, lang) for brief in BRIEFS for lang in AUDIENCE["languages"]]
#: Editions whose PDF reads in the DOCX's order (the bilingual one has columns).
PARITY_EDITIONS = [(brief, lang) for brief, lang in ALL_EDITIONS if lang != "bilingual"]
SOURCES = raw_yaml(ROOT / "content" / "sources.yaml")["sources"]
WORD_LANG = {"en": "zh-HK", "zh-Hant": "zh-HK", "zh-Hans": "zh-CN", "bilingual": "zh-HK"}
CJK_FONT = {"zh-Hans": "Noto Sans CJK SC"}  # every other edition: Noto Sans CJK HK
PLACEHOLDERS = ("Right-click", "按右鍵", "按右键", "Update Field")


def ids(editions):
    return [f"{brief}.{lang}" for brief, lang in editions]


@pytest.fixture(scope="module")
def general_dir(tmp_path_factory) -> Path:
    """The general audience's editions, PDF and DOCX."""
    out = tmp_path_factory.mktemp("general")
    briefgen("build", "--audience", "general", "--out", str(out), check=True)
    return out


def read_edition(build_dir: Path, brief: str, lang: str):
    path = build_dir / "general" / f"{brief}.{lang}.docx"
    assert path.is_file(), f"{path} was not built"
    return brief, lang, path, ReadDocx(path)


@pytest.fixture(params=EDITIONS, ids=ids(EDITIONS))
def edition(request, general_dir):
    """An edition in an authored language: its texts are the YAML's."""
    return read_edition(general_dir, *request.param)


@pytest.fixture(params=ALL_EDITIONS, ids=ids(ALL_EDITIONS))
def any_edition(request, general_dir):
    """Any edition the audience builds, derived ones too."""
    return read_edition(general_dir, *request.param)


# -- what the DOCX contains -------------------------------------------------------


def test_python_docx_opens_it(any_edition):
    _, _, path, _ = any_edition
    assert len(docx.Document(str(path)).paragraphs) > 20


def test_one_footnote_per_note_of_the_html(any_edition, loaded_project, general_dir):
    """Every footnote of the HTML is a Word footnote (how many citations make how many
    notes is cite's rule, tested on the PDF in test_pdf.py)."""
    from briefgen.engine.build import plan, render_job_html

    brief, lang, _, read = any_edition
    job = next(j for j in plan(loaded_project, [brief], ["general"], [lang]) if j.format == "docx")
    html = render_job_html(loaded_project, job, general_dir)
    notes = read.notes()
    spans = lxml.html.document_fromstring(html).xpath("//span[@class='footnote']")
    assert len(notes) == len(spans) > 0
    references = read.references()
    assert sorted(references) == sorted(notes), "each footnote is called exactly once"
    assert len(set(references)) == len(references)


def test_separator_notes_and_raised_note_calls(any_edition):
    _, _, _, read = any_edition
    types = {note.get(w("id")): note.get(w("type")) for note in read.footnotes.iter(w("footnote"))}
    assert types["-1"] == "separator" and types["0"] == "continuationSeparator"
    properties = read.settings.find(w("footnotePr"))
    assert [n.get(w("id")) for n in properties.findall(w("footnote"))] == ["-1", "0"]
    assert "footnotes+xml" in read.parts["[Content_Types].xml"].decode()
    mark = next(
        s for s in read.styles.iter(w("style")) if s.get(w("styleId")) == "FootnoteReference"
    )
    assert mark.find(f"{w('rPr')}/{w('vertAlign')}").get(w("val")) == "superscript"
    for reference in read.document.iter(w("footnoteReference")):
        style = reference.getparent().find(f"{w('rPr')}/{w('rStyle')}")
        assert style.get(w("val")) == "FootnoteReference"


def test_each_footnote_names_its_source(edition):
    _, lang, _, read = edition
    for number, text in enumerate(read.note_texts(), start=1):
        assert any(names_source(sid, text, lang) for sid in SOURCES), f"footnote {number}: {text!r}"


def test_headings_carry_heading_styles(edition):
    brief, lang, _, read = edition
    headings = read.headings()
    assert headings[0] == ("Title", content(brief)["title"][lang])
    assert ("TOC Heading", MESSAGES["contents"][lang]) in headings
    assert [text for style, text in headings if style == "heading 1"] == section_titles(brief, lang)
    outline = {s.get(w("styleId")): s for s in read.styles.iter(w("style"))}
    level = outline["Heading1"].find(f"{w('pPr')}/{w('outlineLvl')}")
    assert level is not None and level.get(w("val")) == "0", "Heading 1 is in the outline"


def test_contents_and_figures_are_filled_fields_without_a_prompt(any_edition):
    brief, lang, _, read = any_edition
    instructions = read.instructions()
    assert 'TOC \\o "1-3" \\h \\z \\u' in instructions
    assert read.parts["word/document.xml"].count(b"w:dirty") == 0
    assert read.settings.find(w("updateFields")) is None
    body = text_of(read.body)
    assert not any(placeholder in body for placeholder in PLACEHOLDERS)
    bookmarks = {b.get(w("name")): b.getparent() for b in read.body.iter(w("bookmarkStart"))}
    entries = toc_entries(read, "toc 1")
    assert len(entries) == len(content(brief)["sections"]) + 2
    headings = [text_of(p) for p in read.paragraphs() if read.style_of(p) == "heading 1"]
    for text, anchor in entries:  # each entry names its heading and links to it
        target = bookmarks[anchor]
        assert read.style_of(target) == "heading 1" and text_of(target) in headings
        assert squash(text_of(target).split(" · ")[0]) in squash(text)
    figures = toc_entries(read, "table of figures")
    captions = [text_of(p) for p in read.paragraphs() if read.style_of(p) == "caption"]
    assert len(figures) == sum(1 for c in captions if re.match(r"(Figure|圖|图)\s?\d", c)) / (
        2 if lang == "bilingual" else 1
    )
    assert figures, "every general edition lists its charts"
    sequence = "Figure" if lang in ("en", "bilingual") else "圖" if lang == "zh-Hant" else "图"
    # the bilingual list: entries the figures carry (TC fields, see below)
    listing = "TOC \\h \\z \\f F" if lang == "bilingual" else f'TOC \\h \\z \\c "{sequence}"'
    assert listing in instructions
    for text, anchor in figures:
        assert bookmarks[anchor].find(f".//{w('drawing')}") is not None, text


def test_tables_have_a_repeating_header_row_and_numbered_captions(any_edition):
    _, _, _, read = any_edition
    tables = [
        table
        for table in read.body.iter(w("tbl"))
        if table.find(f"{w('tblPr')}/{w('tblStyle')}").get(w("val")) == "BriefTable"
    ]
    assert tables
    for table in tables:
        first = table.find(w("tr"))
        assert first.find(f"{w('trPr')}/{w('tblHeader')}") is not None
        assert {read.style_of(p) for p in first.iter(w("p"))} == {"Table Header"}
        for row in table.findall(w("tr"))[1:]:
            assert row.find(f"{w('trPr')}/{w('tblHeader')}") is None
    names = {re.sub(r"\{number\}", "", label).strip() for label in MESSAGES["table"].values()}
    names |= {"表"}
    seq = [i for i in read.instructions() if i.startswith("SEQ") and i.split()[1] in names]
    assert len(seq) == len(tables)


def run_text(run) -> str:
    return "".join(t.text or "" for t in run.iter(w("t")))


def test_styles_carry_fonts_and_languages_not_the_runs(any_edition):
    _, lang, _, read = any_edition
    for part in (read.document, read.footnotes):
        for run in part.iter(w("r")):
            properties = run.find(w("rPr"))
            if properties is None:
                continue
            assert properties.find(w("rFonts")) is None, run_text(run)
            assert properties.find(w("lang")) is None, run_text(run)
    if lang != "en":  # the Chinese runs the test is about are there
        assert any(CJK.search(run_text(r)) for r in read.document.iter(w("r")))
    defaults = read.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    language = defaults.find(w("lang"))
    assert (language.get(w("val")), language.get(w("eastAsia"))) == ("en-GB", WORD_LANG[lang])
    normal = next(s for s in read.styles.iter(w("style")) if s.get(w("styleId")) == "Normal")
    east_asian = normal.find(f"{w('rPr')}/{w('rFonts')}").get(w("eastAsia"))
    assert east_asian == CJK_FONT.get(lang, "Noto Sans CJK HK")
    spacing = read.styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}")
    assert spacing.find(w("autoSpaceDE")).get(w("val")) == "0"
    assert spacing.find(w("autoSpaceDN")).get(w("val")) == "0"
    fonts = read.xml("word/fontTable.xml")
    alternates = {f.get(w("name")): f.find(w("altName")) for f in fonts.iter(w("font"))}
    expected = "Microsoft YaHei" if lang == "zh-Hans" else "Microsoft JhengHei"
    assert alternates[east_asian].get(w("val")) == expected
    assert read.styles.find(f".//{w('rPr')}/{w('spacing')}") is None, "no letter spacing"


def test_properties_name_briefgen_the_brief_and_its_language(any_edition):
    brief, lang, path, read = any_edition
    properties = docx.Document(str(path)).core_properties
    title = content(brief)["title"]
    if lang == "bilingual":  # both languages, as the bilingual PDF's title says
        assert properties.title == f"{title['en']} · {title['zh-Hant']}"
    authored = "en" if lang == "bilingual" else lang
    if authored in LANGS:
        if lang != "bilingual":
            assert properties.title == title[authored]
        assert properties.subject == content(brief)["subtitle"][authored]
    assert properties.title and properties.subject and properties.keywords
    assert properties.language == {"en": "en-GB", "bilingual": "en-GB"}.get(lang, WORD_LANG[lang])
    as_of = content(brief)["as_of"]
    as_of = as_of if isinstance(as_of, dt.date) else dt.date.fromisoformat(str(as_of))
    assert properties.created.date() == as_of and properties.modified.date() == as_of
    app = read.parts["docProps/app.xml"].decode()
    assert "<Application>briefgen</Application>" in app
    assert "Microsoft" not in app and "<Pages>" not in app and "<Words>" not in app


def test_charts_are_svg_with_a_300_dpi_png_and_alt_text(any_edition):
    from PIL import Image

    _, _, _, read = any_edition
    drawings = list(read.document.iter(w("drawing")))
    assert drawings
    rels = read.parts["word/_rels/document.xml.rels"].decode()
    for drawing in drawings:
        assert drawing.find(".//wp:docPr", NS).get("descr", "").strip()
        blip = drawing.find(
            ".//a:blip", {"a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
        )
        svg = blip.find(".//{http://schemas.microsoft.com/office/drawing/2016/SVG/main}svgBlip")
        assert svg is not None, "the vector original beside the PNG"
        png_rel = blip.get(f"{{{NS['r']}}}embed")
        target = re.search(rf'Id="{png_rel}"[^>]*Target="([^"]+)"', rels) or re.search(
            rf'Target="([^"]+)"[^>]*Id="{png_rel}"', rels
        )
        width_px = Image.open(io.BytesIO(read.parts["word/" + target.group(1)])).width
        inches = int(drawing.find(".//wp:extent", NS).get("cx")) / 914400
        assert width_px / inches >= 290


def test_a4_pages_with_the_pdf_margins_header_and_footer(any_edition):
    _, lang, path, read = any_edition
    title = docx.Document(str(path)).core_properties.title
    section = read.body.find(w("sectPr"))
    size = section.find(w("pgSz"))
    assert (size.get(w("w")), size.get(w("h"))) == ("11906", "16838")
    assert section.find(w("titlePg")) is not None, "no header or footer on the cover"
    proxy = docx.Document(str(path)).sections[0]
    assert title in text_of(proxy.header.part.element)
    assert not text_of(proxy.first_page_header.part.element).strip()
    footer = proxy.footer.part.element
    assert {"PAGE", "NUMPAGES"} <= set(read.instructions(footer))
    footer_text = text_of(footer)
    assert ("頁" in footer_text or "页" in footer_text) == (lang != "en")
    assert ("Page" in footer_text) == (lang in ("en", "bilingual"))


def test_bilingual_sections_are_one_heading_above_the_columns(general_dir):
    brief = BRIEFS[0]
    _, _, _, read = read_edition(general_dir, brief, "bilingual")
    level_one = [p for p in read.paragraphs() if read.style_of(p) == "heading 1"]
    assert [text_of(p) for p in level_one] == [
        f"{en} · {zh}"
        for en, zh in zip(
            section_titles(brief, "en"), section_titles(brief, "zh-Hant"), strict=True
        )
    ]
    assert all(p.getparent().tag == w("body") for p in level_one), "no heading in a table cell"


def test_bilingual_list_of_figures_names_each_figure_in_both_languages(general_dir):
    """Its entries read "Figure 1 Title · 標題", as the contents' "Heading · 標題" do,
    both as filled in and as Word rebuilds the list: from TC fields in the English
    captions (`TOC \\f F`), not from the captions, which are one language each."""
    for brief in BRIEFS:
        _, _, _, read = read_edition(general_dir, brief, "bilingual")
        captions = [text_of(p) for p in read.paragraphs() if read.style_of(p) == "caption"]
        english = [text for text in captions if re.match(r"Figure \d", text)]
        chinese = [re.sub(r"^圖\s?\d+\s*", "", text) for text in captions if text.startswith("圖")]
        expected = [f"{en} · {zh}" for en, zh in zip(english, chinese, strict=True)]
        assert expected, f"{brief}: no figures"
        assert [text for text, _ in toc_entries(read, "table of figures")] == expected
        entries = read.entries("F")
        assert [text for text, _ in entries] == expected
        for _, paragraph in entries:
            assert read.style_of(paragraph) == "caption" and text_of(paragraph) in english


# -- pandoc, a second reader -----------------------------------------------------------


def test_pandoc_reads_headings_notes_tables_and_alt_texts(any_edition):
    brief, lang, path, read = any_edition
    ast = pandoc_ast(path)
    headers = [(h["c"][0], pandoc_text(h["c"][2])) for h, _ in pandoc_find(ast["blocks"], "Header")]
    contents = {text for style, text in read.headings() if style == "TOC Heading"}
    assert [text for _, text in headers if text not in contents] == [
        text for style, text in read.headings() if style.startswith("heading")
    ]
    notes = [squash(pandoc_text(n["c"])) for n, _ in pandoc_find(ast["blocks"], "Note")]
    assert notes == [squash(text) for text in read.note_texts()]
    tables = pandoc_find(ast["blocks"], "Table")
    assert len(tables) == len(list(read.body.iter(w("tbl"))))
    alts = [pandoc_text(image["c"][1]) for image, _ in pandoc_find(ast["blocks"], "Image")]
    descriptions = [d.get("descr") for d in read.document.iterfind(".//wp:docPr", NS)]
    assert alts == descriptions and alts
    if lang == "bilingual":
        assert not [h for h, around in pandoc_find(ast["blocks"], "Header") if "Table" in around]
        # the contents and figures titles are TOC Headings, not navigation headings
        level_one = [text for level, text in headers if level == 1 and text not in contents]
        assert len([t for t in level_one if " · " in t]) == len(content(brief)["sections"]) + 2


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
def both(request, general_dir, read_pdf):
    brief, lang = request.param
    folder = general_dir / "general"
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
    for name in sorted(read.parts):  # a chart's labels: drawn in the PDF, a picture here
        if name.endswith(".svg"):
            texts = read.xml(name).iter("{http://www.w3.org/2000/svg}text")
            labels = squash("".join("".join(text.itertext()) for text in texts))
            assert body.count(labels) == 1, f"the labels of {name} are not in the PDF once"
            body = body.replace(labels, "", 1)
    numbers = {note_id: n for n, note_id in enumerate(read.references(), start=1)}
    # Captions and source lines are followed in their own order: the PDF's make-up
    # may set the paragraphs after a figure before it (writers/pdf_makeup.py), as a
    # float; Word lays out the DOCX itself.
    position = {"text": 0, "float": 0}
    checked = 0
    for paragraph in read.paragraphs():
        style = read.style_of(paragraph)
        if style in ("toc 1", "table of figures"):
            continue  # the PDF's contents carry page numbers
        text = squash(text_of(paragraph, numbers))
        if not text:
            continue
        stream = "float" if style in ("caption", "Figure Source") else "text"
        found = body.find(text, position[stream])
        assert found >= 0, (
            f"DOCX paragraph not in the PDF (after what matched so far): {text_of(paragraph)!r}"
        )
        position[stream] = found + len(text)
        checked += 1
    assert checked > 30


HTML_BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "caption", "figcaption", "th", "td", "dt", "dd"}


@pytest.fixture(scope="module")
def loaded_project():
    from briefgen.edition.render import Project
    from briefgen.project.load import load_project

    return load_project(Project(ROOT))


def heading_row(element) -> list | None:
    """The headings of a bilingual row that holds one heading per column."""
    row = element.getparent().getparent() if element.getparent().tag == "td" else None
    if row is None or row.tag != "tr":
        return None
    cells = [cell for cell in row if cell.tag == "td"]
    if all(len(cell) == 1 and cell[0].tag in ("h2", "h3", "h4") for cell in cells):
        return [cell[0] for cell in cells]
    return None


def html_block_texts(html: str) -> list[str]:
    """The text of every block of the intermediate HTML, footnotes left out, in order;
    a bilingual row of two headings as the one heading the DOCX makes of it."""

    texts = []
    for element in lxml.html.document_fromstring(html).find("body").iter(*HTML_BLOCKS):
        if element.tag == "td" and "parallel" in (
            element.getparent().getparent().get("class") or ""
        ):
            continue  # a column of the bilingual edition: its blocks are counted
        pair = heading_row(element)
        if pair and element is not pair[0]:
            continue
        parts = pair or [element]
        text = ""
        for part in parts:
            part = copy.deepcopy(part)
            for note in part.xpath(".//span[@class='footnote']"):
                note.drop_tree()  # keeps the text after it
            text += squash(part.text_content()) + ("·" if pair else "")
        texts.append(text.rstrip("·"))
    return [text for text in texts if text]


def test_nothing_of_the_html_is_dropped(any_edition, loaded_project, general_dir):
    """Every paragraph, list item, heading, caption and cell of the HTML is a paragraph
    of the DOCX, with the same text, in the same order."""
    from briefgen.engine.build import plan, render_job_html

    brief, lang, _, read = any_edition
    job = next(j for j in plan(loaded_project, [brief], ["general"], [lang]) if j.format == "docx")
    html = render_job_html(loaded_project, job, general_dir)
    docx_texts = [squash(text_of(paragraph)) for paragraph in read.paragraphs()]
    assert [text for text in docx_texts if text] == html_block_texts(html)


# -- LibreOffice, a third reader ----------------------------------------------------


@pytest.fixture(scope="module")
def libreoffice_pdfs(general_dir, tmp_path_factory) -> Path:
    """Every DOCX of the audience converted to PDF by LibreOffice, in one run."""
    files = sorted((general_dir / "general").glob("*.docx"))
    assert len(files) == len(ALL_EDITIONS)
    return libreoffice(files, tmp_path_factory.mktemp("libreoffice"))


def pdftotext(pdf: Path, *pages: int) -> str:
    assert shutil.which("pdftotext"), "pdftotext missing: run `sh scripts/setup-system.sh --test`"
    first_last = ["-f", str(pages[0]), "-l", str(pages[-1])] if pages else []
    command = ["pdftotext", "-raw", "-enc", "UTF-8", *first_last, str(pdf), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def test_libreoffice_shows_the_contents_on_page_2_and_every_footnote(any_edition, libreoffice_pdfs):
    brief, lang, _, read = any_edition
    pdf = libreoffice_pdfs / f"{brief}.{lang}.pdf"
    assert pdf.is_file() and pdf.stat().st_size > 1000, f"LibreOffice wrote no {pdf.name}"
    page_two = squash(pdftotext(pdf, 2))
    for text, _ in toc_entries(read, "toc 1") + toc_entries(read, "table of figures"):
        assert squash(text) in page_two, f"{text!r} is not in the contents on page 2"
    assert not any(squash(p) in page_two for p in PLACEHOLDERS)
    everything = squash(pdftotext(pdf))
    for number, note in enumerate(read.note_texts(), start=1):
        assert squash(note) in everything, f"footnote {number} not in LibreOffice's PDF: {note!r}"
