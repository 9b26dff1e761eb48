"""Make templates/docx/reference.docx: the styles every DOCX brief is written with.

    .venv/bin/python scripts/make_reference_docx.py [OUTPUT]

Like Pandoc's reference.docx: the DOCX writer opens this document, clears its
body and keeps everything else (styles, page set-up, numbering, settings). A
designer changes fonts, colours and spacing by editing the styles in Word or
LibreOffice and saving the file; this script is only the starting point (and
the record of the house style), so run it again only to start over.

The look follows the PDF (templates/base/brief.css.j2): Noto Serif body,
Noto Sans headings in the accent colour #0b5d7a, Noto Serif/Sans CJK HK for
Chinese, A4 with the PDF's margins. The body holds a sample of each style so
that a designer sees them all; the writer removes it.
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Mm

from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.oxml import set_on, w
from briefgen.writers.docx.package import font_table, save_reproducibly
from briefgen.writers.docx.styles import ALTERNATES, declare_fonts

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUTPUT = ROOT / "templates" / "docx" / "reference.docx"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

ACCENT = "0B5D7A"
INK = "1D2733"
MUTED = "5B6770"
RULE = "B8C4CC"
PANEL = "EEF4F7"
CLASSIFIED = "8A1C1C"

#: Chinese is set in sans-serif in every edition, as the PDF sets it.
SERIF = ("Noto Serif", "Noto Sans CJK HK")
SANS = ("Noto Sans", "Noto Sans CJK HK")
MONO = ("DejaVu Sans Mono", None)


def mm(value: float) -> int:
    """Millimetres in twips (1/20 pt), the unit of spacing and indents."""
    return round(value * 1440 / 25.4)


# Paragraph styles: (id, name, based on, next, custom?, properties). Sizes in
# points, spacing in millimetres. Built-in styles keep Word's names (lower-case
# where Word's are), so that Word treats them as its own.
PARAGRAPH_STYLES = [
    ("Normal", "Normal", None, None, False,
     dict(fonts=SERIF, size=10.5, color=INK, after=3, line=1.1)),
    ("Title", "Title", "Normal", "Subtitle", False,
     dict(fonts=SANS, size=28, bold=True, color=ACCENT, before=4, after=6, line=1.0,
          keep_next=True)),
    ("Subtitle", "Subtitle", "Normal", "Normal", False,
     dict(size=14, color=INK, after=14, italic=False)),
    ("Heading1", "heading 1", "Normal", "Normal", False,
     dict(fonts=SANS, size=15, bold=True, color=ACCENT, before=9, after=3, keep_next=True,
          border=("bottom", 6, RULE, 4), outline=0)),
    ("Heading2", "heading 2", "Normal", "Normal", False,
     dict(fonts=SANS, size=12, bold=True, color=ACCENT, before=6, after=2, keep_next=True,
          outline=1)),
    ("Heading3", "heading 3", "Normal", "Normal", False,
     dict(fonts=SANS, size=10.5, bold=True, color=ACCENT, before=4, after=1.5, keep_next=True,
          outline=2)),
    ("TOCHeading", "TOC Heading", "Heading1", "Normal", False, dict(before=0, outline=9)),
    ("TOC1", "toc 1", "Normal", "Normal", False, dict(fonts=SANS, size=11, after=2.5)),
    ("TOC2", "toc 2", "Normal", "Normal", False, dict(fonts=SANS, size=10.5, after=1.5,
                                                      indent=5)),
    ("TOC3", "toc 3", "Normal", "Normal", False, dict(fonts=SANS, size=10, after=1.5,
                                                      indent=10)),
    ("TableofFigures", "table of figures", "Normal", "Normal", False,
     dict(fonts=SANS, size=10.5, after=2)),
    ("Caption", "caption", "Normal", "Normal", False,
     dict(fonts=SANS, size=9.5, bold=True, color=INK, before=4, after=2, line=1.0,
          keep_next=True)),
    ("FootnoteText", "footnote text", "Normal", None, False,
     dict(fonts=SANS, size=7.5, color=INK, after=0.6, line=1.0)),
    ("ListBullet", "List Bullet", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListBullet2", "List Bullet 2", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListBullet3", "List Bullet 3", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListNumber", "List Number", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListNumber2", "List Number 2", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListNumber3", "List Number 3", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("ListContinue", "List Continue", "Normal", None, False, dict(after=1.5, contextual=False)),
    ("Header", "header", "Normal", None, False,
     dict(fonts=SANS, size=8, color=MUTED, after=0, line=1.0)),
    ("Footer", "footer", "Normal", None, False,
     dict(fonts=SANS, size=8, color=MUTED, after=0, line=1.0)),
    ("Edition", "Edition", "Normal", "Normal", True,
     dict(fonts=SANS, size=9, color=MUTED, caps=True, after=1)),
    ("AsOf", "As Of", "Normal", "Normal", True,
     dict(size=10, color=MUTED, before=0, border=("top", 8, ACCENT, 8))),
    ("Classification", "Classification", "Normal", "Normal", True,
     dict(fonts=SANS, size=9, bold=True, color=CLASSIFIED, after=2)),
    ("KeyFigure", "Key Figure", "Normal", "Normal", True,
     dict(fonts=SANS, size=15, bold=True, color=ACCENT, after=0, line=1.0, keep_next=True)),
    ("KeyFigureLabel", "Key Figure Label", "Normal", "Normal", True,
     dict(size=9.5, after=0, line=1.0)),
    ("TableText", "Table Text", "Normal", "Normal", True, dict(size=9.5, after=0, line=1.0)),
    ("TableHeader", "Table Header", "TableText", "Normal", True,
     dict(fonts=SANS, bold=True, keep_next=True)),
    ("TableNote", "Table Note", "Normal", "Normal", True,
     dict(size=8.5, color=MUTED, before=1.5)),
    ("Figure", "Figure", "Normal", "Caption", True,
     dict(before=4, after=1, line=1.0, keep_next=True)),
    ("FigureSource", "Figure Source", "Normal", "Normal", True, dict(size=8.5, color=MUTED)),
]  # fmt: skip

CHARACTER_STYLES = [
    ("FootnoteReference", "footnote reference", False, dict(superscript=True)),
    ("CaptionLabel", "Caption Label", True, dict(color=ACCENT)),
    ("Hyperlink", "Hyperlink", False, dict(color=ACCENT, underline=True)),
    ("Code", "Code", True, dict(fonts=MONO, size=9.5)),
]


#: Running text: the styles that follow Normal's alignment.
BODY_STYLES = {
    "Normal", "Subtitle", "ListBullet", "ListBullet2", "ListBullet3", "ListNumber", "ListNumber2",
    "ListNumber3", "ListContinue",
}  # fmt: skip


def paragraph_properties(style, props: dict) -> None:
    ppr = style.get_or_add_pPr()
    numbering = ppr.find(w("numPr"))
    if numbering is not None and style.get(w("styleId")) == "Subtitle":
        ppr.remove(numbering)  # python-docx's template numbers its Subtitle style
    if props.get("keep_next"):
        ppr.get_or_add_keepNext()
        ppr.get_or_add_keepLines()
    if "border" in props:
        side, size, color, space = props["border"]
        existing = ppr.find(w("pBdr"))
        if existing is not None:
            ppr.remove(existing)
        borders = ppr.get_or_add_pBdr()
        borders.append(ox.new(side, val="single", sz=str(size), space=str(space), color=color))
    elif style.get(w("styleId")) == "Title" and ppr.find(w("pBdr")) is not None:
        ppr.remove(ppr.find(w("pBdr")))
    spacing_values = {}
    if "before" in props:
        spacing_values["before"] = str(mm(props["before"]))
    if "after" in props:
        spacing_values["after"] = str(mm(props["after"]))
    if "line" in props:
        spacing_values.update(line=str(round(240 * props["line"])), lineRule="auto")
    if spacing_values:
        set_on(ppr, "spacing", **spacing_values)
    if "indent" in props:
        set_on(ppr, "ind", left=str(mm(props["indent"])))
    if props.get("contextual") is False and ppr.find(w("contextualSpacing")) is not None:
        ppr.remove(ppr.find(w("contextualSpacing")))
    if "outline" in props:
        set_on(ppr, "outlineLvl", val=str(props["outline"]))
    if style.get(w("styleId")) not in BODY_STYLES:
        # Set flush left, so that justifying Normal (as the Chinese edition does)
        # does not spread headings, captions, cells and notes.
        set_on(ppr, "jc", val="left")


def run_properties(style, props: dict) -> None:
    rpr = style.get_or_add_rPr()
    # Python-docx's template ships character spacing and kerning on its Title and
    # Subtitle; spacing between letters breaks Chinese text, so it goes.
    for name in ("spacing", "kern"):
        found = rpr.find(w(name))
        if found is not None:
            rpr.remove(found)
    fonts = rpr.find(w("rFonts"))
    if fonts is not None and "fonts" not in props:
        rpr.remove(fonts)  # theme fonts: inherit the explicit fonts of Normal instead
    if "fonts" in props:
        latin, east_asia = props["fonts"]
        # Only Normal names the East Asian font; the other styles inherit it, so a
        # designer changes the Chinese font of the whole document in one place.
        own = east_asia if style.get(w("styleId")) == "Normal" or east_asia != SERIF[1] else None
        ox.set_fonts(rpr, latin=latin, east_asia=own)
    if "size" in props:
        half_points = str(round(props["size"] * 2))
        set_on(rpr, "sz", val=half_points)
        set_on(rpr, "szCs", val=half_points)
    for key, names in (("bold", ("b", "bCs")), ("italic", ("i", "iCs")), ("caps", ("caps",))):
        if key in props:
            for name in names:
                found = rpr.find(w(name))
                if props[key] and found is None:
                    getattr(rpr, f"get_or_add_{name}")()
                elif not props[key] and found is not None:
                    rpr.remove(found)
    if "color" in props:
        color = rpr.get_or_add_color()
        color.attrib.clear()
        ox.set_attrs(color, val=props["color"])
    if props.get("underline"):
        set_on(rpr, "u", val="single")
    if props.get("superscript"):
        set_on(rpr, "vertAlign", val="superscript")


def define_styles(styles) -> None:
    # Document defaults: every run's fonts and languages unless a style says otherwise.
    defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    ox.set_fonts(defaults, latin=SERIF[0], east_asia=SERIF[1])
    set_on(defaults, "sz", val="21")
    set_on(defaults, "szCs", val="21")
    defaults.get_or_add_lang().attrib.clear()
    set_on(defaults, "lang", val="en-GB", eastAsia="zh-HK", bidi="ar-SA")
    spacing = styles.find(f"{w('docDefaults')}/{w('pPrDefault')}/{w('pPr')}/{w('spacing')}")
    ox.set_attrs(spacing, after=str(mm(3)), line="264", lineRule="auto")

    # Built-in table styles the briefs never use, and python-docx's revision marks.
    for style in list(styles.iter(w("style"))):
        style_id = style.get(w("styleId"))
        if style.get(w("type")) == "table" and style_id not in ("TableNormal", "TableGrid"):
            styles.remove(style)
        for rsid in style.findall(w("rsid")):
            style.remove(rsid)
    # Theme fonts anywhere would override the explicit fonts below (Word lets a
    # theme reference win), so every style names its fonts or inherits them.
    for fonts in styles.iter(w("rFonts")):
        for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
            fonts.attrib.pop(w(attr), None)
    # Letter spacing, condensing and kerning (python-docx's Title and Subtitle and
    # their linked character styles have them) break up Chinese text.
    for rpr in styles.iter(w("rPr")):
        for name in ("spacing", "w", "kern"):
            for found in rpr.findall(w(name)):
                rpr.remove(found)
    for color in styles.iter(w("color")):
        for attr in ("themeColor", "themeShade", "themeTint"):
            color.attrib.pop(w(attr), None)

    for style_id, name, based_on, next_style, custom, props in PARAGRAPH_STYLES:
        style = styles.get_by_id(style_id)
        if style is None:
            style = add_style(styles, "paragraph", style_id, name, based_on, custom)
            style.next_val = next_style
        for tag in ("semiHidden",):  # visible in the style gallery
            for found in style.findall(w(tag)):
                style.remove(found)
        paragraph_properties(style, props)
        run_properties(style, props)
    for style_id, name, custom, props in CHARACTER_STYLES:
        style = styles.get_by_id(style_id)
        if style is None:
            style = add_style(styles, "character", style_id, name, None, custom)
        run_properties(style, props)
    define_table_styles(styles)


def define_table_styles(styles) -> None:
    """'Brief Table' (data tables: rules between rows, an accent rule under the header
    row), 'Key Figures Table' (the key-figure panel) and 'Parallel Table' (the
    bilingual edition's two columns: no rules)."""
    ns = nsdecls("w")
    cell_margins = (
        f'<w:tblCellMar><w:top w:w="{mm(1.2)}" w:type="dxa"/>'
        f'<w:left w:w="{mm(2)}" w:type="dxa"/><w:bottom w:w="{mm(1.2)}" w:type="dxa"/>'
        f'<w:right w:w="{mm(2)}" w:type="dxa"/></w:tblCellMar>'
    )
    brief_table = parse_xml(
        f'<w:style {ns} w:type="table" w:customStyle="1" w:styleId="BriefTable">'
        '<w:name w:val="Brief Table"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:tblPr><w:tblBorders>"
        f'<w:bottom w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
        f'<w:insideH w:val="single" w:sz="4" w:space="0" w:color="{RULE}"/>'
        f"</w:tblBorders>{cell_margins}</w:tblPr>"
        '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/></w:rPr>'
        "<w:tcPr><w:tcBorders>"
        f'<w:bottom w:val="single" w:sz="8" w:space="0" w:color="{ACCENT}"/>'
        "</w:tcBorders></w:tcPr></w:tblStylePr>"
        "</w:style>"
    )
    key_figures = parse_xml(
        f'<w:style {ns} w:type="table" w:customStyle="1" w:styleId="KeyFiguresTable">'
        '<w:name w:val="Key Figures Table"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="59"/><w:qFormat/>'
        '<w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
        "<w:tblPr><w:tblBorders>"
        f'<w:left w:val="single" w:sz="18" w:space="0" w:color="{ACCENT}"/>'
        '<w:insideH w:val="single" w:sz="24" w:space="0" w:color="FFFFFF"/>'
        f"</w:tblBorders>{cell_margins}</w:tblPr>"
        f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{PANEL}"/>'
        '<w:vAlign w:val="center"/></w:tcPr>'
        "</w:style>"
    )
    parallel = parse_xml(
        f'<w:style {ns} w:type="table" w:customStyle="1" w:styleId="ParallelTable">'
        '<w:name w:val="Parallel Table"/><w:basedOn w:val="TableNormal"/>'
        '<w:uiPriority w:val="59"/><w:qFormat/>'
        f'<w:tblPr><w:tblCellMar><w:top w:w="0" w:type="dxa"/>'
        f'<w:left w:w="{mm(2)}" w:type="dxa"/><w:bottom w:w="0" w:type="dxa"/>'
        f'<w:right w:w="{mm(2)}" w:type="dxa"/></w:tblCellMar></w:tblPr>'
        "</w:style>"
    )
    for style in (brief_table, key_figures, parallel):
        existing = styles.get_by_id(style.get(w("styleId")))
        if existing is not None:
            styles.remove(existing)
        styles.append(style)


def simplify_bullets(numbering) -> None:
    """Bullets as the character • in the paragraph's own font, rather than a glyph of
    the Symbol font (which LibreOffice and fonts without Symbol draw differently)."""
    for level in numbering.iter(w("lvl")):
        fmt = level.find(w("numFmt"))
        if fmt is not None and fmt.get(w("val")) == "bullet":
            level.find(w("lvlText")).set(w("val"), "•")
            rpr = level.find(w("rPr"))
            if rpr is not None:
                level.remove(rpr)


def fonts(table) -> None:
    """The fonts the styles use, each with the substitute stock Office has (styles.py
    ALTERNATES), its character set and family (charset 88: Traditional Chinese)."""
    declare_fonts(table, [*ALTERNATES, MONO[0]])
    for font in table.font_lst:
        if font.name == MONO[0]:
            set_on(font, "family", val="modern")
            set_on(font, "pitch", val="fixed")


def add_style(styles, kind: str, style_id: str, name: str, based_on: str | None, custom: bool):
    """A new style of `kind` (python-docx's CT_Styles does the XML)."""
    style = styles.add_style_of_type(name, {"paragraph": 1, "character": 2}[kind], not custom)
    style.styleId = style_id
    if based_on:
        style.basedOn_val = based_on
    if custom:
        style.set(w("customStyle"), "1")
    return style


def _style_id(styles, name: str) -> str:
    wanted = name.lower()
    for style in styles.iter(w("style")):
        if (style.name_val or "").lower() == wanted:
            return style.get(w("styleId"))
    raise KeyError(name)


def settings(document) -> None:
    element = document.settings.element
    for name in ("rsids", "attachedTemplate"):
        for found in element.findall(w(name)):
            element.remove(found)
    set_on(element, "themeFontLang", val="en-GB", eastAsia="zh-HK")
    for setting in element.iter(w("compatSetting")):
        if setting.get(w("name")) == "compatibilityMode":
            setting.set(w("val"), "15")  # Word 2013 and later: no "Compatibility Mode"


def drop_stale_parts(document) -> None:
    """Parts of python-docx's template that would mislead: Word 2010's copy of the
    styles, a bibliography store and a thumbnail of a blank page."""
    part = document.part
    for rel_id, rel in list(part.rels.items()):
        if rel.reltype in (STYLES_WITH_EFFECTS, RT.CUSTOM_XML):
            del part.rels[rel_id]
    package_rels = part.package.rels
    for rel_id, rel in list(package_rels.items()):
        if rel.reltype == RT.THUMBNAIL:
            del package_rels[rel_id]


def page_setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.right_margin = Mm(24), Mm(20)
    section.bottom_margin, section.left_margin = Mm(22), Mm(20)
    section.header_distance, section.footer_distance = Mm(12), Mm(10)
    section.gutter = 0


def samples(document) -> None:
    """One paragraph in each style, for the designer (the writer clears the body)."""
    text = {
        "Classification": "Classification (only some editions)",
        "Edition": "Edition",
        "Title": "Title of the brief",
        "Subtitle": "Subtitle: what the brief covers",
        "As Of": "As Of: the date the facts are current to",
        "TOC Heading": "TOC Heading",
        "Heading 1": "Heading 1",
        "Normal": "Normal body text. 正文：香港金融管理局於2025年公布「金融科技2030」策略。",
        "Heading 2": "Heading 2",
        "Heading 3": "Heading 3",
        "List Bullet": "List Bullet",
        "List Number": "List Number",
        "Caption": "Caption: Table 1 or Figure 1 and its title",
        "Table Text": "Table Text (cells; the table itself: Brief Table)",
        "Table Header": "Table Header (header cells)",
        "Table Note": "Table Note",
        "Key Figure": "Key Figure",
        "Key Figure Label": "Key Figure Label (key figures sit in a Key Figures Table)",
        "Figure": "Figure (the paragraph holding a chart)",
        "Figure Source": "Figure Source",
        "Footnote Text": "Footnote Text (and Footnote Reference for the numbers)",
    }
    styles = document.styles.element
    for style_name, sample in text.items():
        paragraph = document.add_paragraph(sample)
        paragraph._p.style = _style_id(styles, style_name)


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    document = Document()
    drop_stale_parts(document)
    define_styles(document.styles.element)
    simplify_bullets(document.part.numbering_part.element)
    font_table(document, fonts)
    settings(document)
    page_setup(document)
    properties = document.core_properties
    properties.author = properties.comments = properties.last_modified_by = ""
    properties.title = "Reference document for briefgen DOCX output"
    samples(document)
    output.parent.mkdir(parents=True, exist_ok=True)
    save_reproducibly(document, output)
    print(f"wrote {output.relative_to(ROOT) if output.is_relative_to(ROOT) else output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
