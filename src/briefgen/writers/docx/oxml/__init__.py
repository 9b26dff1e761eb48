"""WordprocessingML that python-docx 1.2 lacks, written the way python-docx writes its own.

Like python-docx's `docx.oxml`, this layer knows how Word spells things and
nothing of HTML, briefs or languages. Its element classes extend python-docx's
(`CT_PPr`, `CT_RPr`, `CT_TrPr`, `CT_Settings`) or are new (`CT_Footnotes`,
`CT_Fonts`), declared with python-docx's `xmlchemy`: a child's place in the
schema sequence is given once, by `ZeroOrOne(successors=_tag_seq[n:])`, and
`insert_element_before` does the rest. The subclasses are registered with
`register_element_cls` when this module is imported, so every document
python-docx opens afterwards parses into them.

Every element the DOCX writer creates is made here; the writer and its helper
modules call these functions and the classes' generated `get_or_add_*`
methods, never `OxmlElement` themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml.ns import nsdecls, qn
from docx.oxml.parser import OxmlElement, parse_xml
from lxml import etree

from briefgen.writers.docx.oxml.elements import (
    CT_DocumentSettings,
    CT_FontsWithScripts,
    CT_Footnotes,
    CT_ParagraphProperties,
    CT_RowProperties,
    CT_RunProperties,
)

XML_SPACE = qn("xml:space")


def w(name: str) -> str:
    """The Clark name of a WordprocessingML element or attribute: `w("p")`."""
    return qn(f"w:{name}")


def set_attrs(element: etree._Element, **values: str | None) -> etree._Element:
    """Set (or, for None, remove) `w:` attributes."""
    for key, value in values.items():
        if value is None:
            element.attrib.pop(w(key), None)
        else:
            element.set(w(key), value)
    return element


def new(tag: str, **values: str | None) -> etree._Element:
    """A new `w:` element with `w:` attributes."""
    return set_attrs(OxmlElement(f"w:{tag}"), **values)


# -- properties of paragraphs, runs and styles ---------------------------------------


def ppr(owner: etree._Element) -> CT_ParagraphProperties:
    """The `w:pPr` of a paragraph (python-docx's) or of a style or `w:pPrDefault`."""
    return cast(CT_ParagraphProperties, owner.get_or_add_pPr())


def rpr(owner: etree._Element) -> CT_RunProperties:
    """The `w:rPr` of a run, a style or `w:rPrDefault`."""
    return cast(CT_RunProperties, owner.get_or_add_rPr())


def set_on(parent: etree._Element, name: str, **values: str | None) -> etree._Element:
    """`parent.get_or_add_<name>()` with `w:` attributes set: `set_on(ppr, "jc", val="right")`."""
    return set_attrs(getattr(parent, f"get_or_add_{name}")(), **values)


def set_fonts(
    properties: CT_RunProperties,
    latin: str | None = None,
    east_asia: str | None = None,
    hint: str | None = None,
) -> CT_FontsWithScripts:
    """`w:rFonts`: Latin (ascii, hAnsi, cs) and East Asian typefaces. Theme font
    references go: Word lets `w:asciiTheme` win over `w:ascii`."""
    fonts = cast(CT_FontsWithScripts, properties.get_or_add_rFonts())
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(w(attr), None)
    if latin:
        fonts.ascii = fonts.hAnsi = fonts.cs = latin
    if east_asia:
        fonts.eastAsia = east_asia
    if hint:
        fonts.hint = hint
    return fonts


def set_language(properties: CT_RunProperties, latin: str | None, east_asia: str | None) -> None:
    """`w:lang`: `w:val` for Latin text, `w:eastAsia` for CJK text (zh-HK selects Hong
    Kong forms and line breaking rules)."""
    set_on(properties, "lang", val=latin, eastAsia=east_asia)


def doc_defaults(styles: etree._Element) -> tuple[etree._Element, etree._Element]:
    """`w:docDefaults`' `w:rPrDefault` and `w:pPrDefault`, created if missing."""
    defaults = styles.find(w("docDefaults"))
    if defaults is None:
        defaults = styles.insert_element_before(new("docDefaults"), "w:latentStyles", "w:style")
    found = []
    for name in ("rPrDefault", "pPrDefault"):
        element = defaults.find(w(name))
        if element is None:
            element = new(name)
            if name == "rPrDefault":
                defaults.insert(0, element)
            else:
                defaults.append(element)
        found.append(element)
    return found[0], found[1]


def default_properties(default: etree._Element, kind: str) -> etree._Element:
    """The `w:rPr` of `w:rPrDefault` or the `w:pPr` of `w:pPrDefault`."""
    element = default.find(w(kind))
    if element is None:
        element = default.makeelement(w(kind), {})
        default.append(element)
    return element


# -- footnotes -----------------------------------------------------------------------

#: Word's two special notes. Word treats a footnotes part without them (and the
#: settings that name them) as damaged and offers to "recover" the document.
_SEPARATORS = (
    '<w:footnotes {ns}><w:footnote w:type="separator" w:id="-1"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>"
)


def footnotes_part(document_part: Part) -> XmlPart:
    """A fresh footnotes part related to the document, holding only the separators.

    A reference document may bring a footnotes part of its own; its notes belonged
    to the body the writer cleared, so it is replaced rather than reused.
    """
    for rel_id, rel in list(document_part.rels.items()):
        if rel.reltype == RT.FOOTNOTES:
            del document_part.rels[rel_id]
    root = parse_xml(_SEPARATORS.format(ns=nsdecls("w", "r")))
    part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, document_part.package)
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def add_footnote(footnotes: CT_Footnotes, note_style: str, mark_style: str):
    """Append a note; return its id and paragraph, which already holds the note's own
    number (`w:footnoteRef`) and the space after it."""
    note = footnotes.add_note()
    paragraph = new_paragraph(note_style)
    mark = new_run(style=mark_style)
    mark.append(new("footnoteRef"))
    paragraph.append(mark)
    paragraph.append(text_run(" "))
    note.append(paragraph)
    return note.id, paragraph


def footnote_reference_run(note_id: int, style_id: str) -> etree._Element:
    """The run that calls footnote `note_id` from the text: a raised number."""
    run = new_run(style=style_id)
    run.append(new("footnoteReference", id=str(note_id)))
    return run


def set_footnote_properties(settings: CT_DocumentSettings) -> None:
    """Notes numbered 1, 2, 3 … continuously, at the foot of the page, with the two
    separator notes named."""
    settings._remove_footnotePr()
    properties = settings.get_or_add_footnotePr()
    for tag, value in (("pos", "pageBottom"), ("numFmt", "decimal"), ("numStart", "1"),
                       ("numRestart", "continuous")):  # fmt: skip
        properties.append(new(tag, val=value))
    for note_id in ("-1", "0"):
        properties.append(new("footnote", id=note_id))


def settle_settings(settings: CT_DocumentSettings, latin: str, east_asia: str) -> None:
    """No "update fields?" prompt on opening (the fields are filled in), and the
    theme font language of the edition."""
    settings._remove_updateFields()
    set_on(settings, "themeFontLang", val=latin, eastAsia=east_asia)


# -- runs, fields, paragraphs -----------------------------------------------------------


def new_run(text: str | None = None, style: str | None = None) -> etree._Element:
    """A run, with a character style and text (spaces kept as they are) if given."""
    run = OxmlElement("w:r")
    if style:
        rpr(run).style = style
    if text is not None:
        t = OxmlElement("w:t")
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
        run.append(t)
    return run


def text_run(text: str) -> etree._Element:
    return new_run(text)


def tab_run() -> etree._Element:
    run = new_run()
    run.append(new("tab"))
    return run


def break_run(kind: str | None = None) -> etree._Element:
    """A run holding a line break (`kind` None) or a page break (`kind` "page")."""
    run = new_run()
    run.append(new("br", type=kind))
    return run


def field_runs(instruction: str, result: Sequence[etree._Element]) -> list[etree._Element]:
    """A complex field: begin, instruction, separate, the result shown, end. The
    result is what the field evaluates to now, so no client needs to update it."""
    code = new_run()
    instr = OxmlElement("w:instrText")
    instr.set(XML_SPACE, "preserve")
    instr.text = f" {instruction.strip()} "
    code.append(instr)
    chars = []
    for kind in ("begin", "separate", "end"):
        run = new_run()
        run.append(new("fldChar", fldCharType=kind))
        chars.append(run)
    return [chars[0], code, chars[1], *result, chars[2]]


def field_start(instruction: str) -> list[etree._Element]:
    """Begin, instruction and separate of a field whose result spans paragraphs (a TOC)."""
    return field_runs(instruction, [])[:-1]


def field_end() -> etree._Element:
    return field_runs("", [])[-1]


def entry_field(text: str, kind: str) -> list[etree._Element]:
    """A TC field: an entry of `text` for the list `TOC \\f kind`, where it stands
    (it shows nothing; a quote in the text is escaped as the field syntax wants)."""
    quoted = " ".join(text.split()).replace("\\", "\\\\").replace('"', '\\"')
    begin, code, _, end = field_runs(f'TC "{quoted}" \\f {kind} \\l 1', [])
    return [begin, code, end]


def new_paragraph(style_id: str | None = None) -> etree._Element:
    paragraph = OxmlElement("w:p")
    if style_id:
        paragraph.style = style_id
    return paragraph


def add_bookmark(
    bookmark_id: int, name: str, start: etree._Element, end: etree._Element | None = None
) -> None:
    """A bookmark from `start` to `end`: a paragraph (a point at its start) or a run."""
    begin = new("bookmarkStart", id=str(bookmark_id), name=name)
    finish = new("bookmarkEnd", id=str(bookmark_id))
    if start.tag == w("p"):
        index = 1 if start.find(w("pPr")) is not None else 0
        start.insert(index, begin)
        start.insert(index + 1, finish)
    else:
        start.addprevious(begin)
        (end if end is not None else start).addnext(finish)


def bookmark_before(run: etree._Element) -> str | None:
    """The name of the bookmark that starts just before `run`, if any."""
    previous = run.getprevious()
    return (
        previous.get(w("name"))
        if previous is not None and previous.tag == w("bookmarkStart")
        else None
    )


def hyperlink(relationship_id: str | None = None, anchor: str | None = None) -> etree._Element:
    """A `w:hyperlink` to an external address (by relationship) or a bookmark."""
    link = new("hyperlink", anchor=anchor, history="1")
    if relationship_id:
        link.set(qn("r:id"), relationship_id)
    return link


def clear(container: etree._Element, keep: str | None = None) -> None:
    """Remove the children of `container` (but a `keep` one, e.g. the body's sectPr)."""
    for child in list(container):
        if keep is None or child.tag != w(keep):
            container.remove(child)


# -- numbering -------------------------------------------------------------------------


def restart_numbering(numbering: etree._Element, num_id: int) -> int:
    """A new `w:num` on `num_id`'s list definition counting from 1 again."""
    nums = {num.numId: num for num in numbering.num_lst}
    if num_id not in nums:
        raise KeyError(f"no numbering definition {num_id}")
    num = numbering.add_num(nums[num_id].abstractNumId.val)
    override = num.add_lvlOverride(ilvl=0)
    override.add_startOverride(1)
    return num.numId


def set_numbering(paragraph: etree._Element, num_id: int, level: int = 0) -> None:
    numbering = ppr(paragraph).get_or_add_numPr()
    numbering.get_or_add_ilvl().val = level
    numbering.get_or_add_numId().val = num_id


# -- tables ------------------------------------------------------------------------------


def new_table(style_id: str | None, widths_twips: Sequence[int]) -> etree._Element:
    """An empty full-width table with its grid, the style's header-row format on."""
    table = OxmlElement("w:tbl")
    properties = new("tblPr")
    if style_id:
        properties.append(new("tblStyle", val=style_id))
    properties.append(new("tblW", w="5000", type="pct"))
    properties.append(new("tblLayout", type="autofit"))
    properties.append(new("tblLook", val="0420", firstRow="1", lastRow="0", firstColumn="0",
                          lastColumn="0", noHBand="1", noVBand="1"))  # fmt: skip
    table.append(properties)
    grid = new("tblGrid")
    for width in widths_twips:
        grid.append(new("gridCol", w=str(width)))
    table.append(grid)
    return table


def add_row(table: etree._Element, header: bool = False, split: bool = False) -> etree._Element:
    """A row, never split across pages unless `split`; a `header` row repeats on each page."""
    row = OxmlElement("w:tr")
    properties = cast(CT_RowProperties, row.get_or_add_trPr())
    if not split:
        properties.get_or_add_cantSplit()
    if header:
        properties.get_or_add_tblHeader()
    table.append(row)
    return row


def add_cell(row: etree._Element, width_twips: int) -> etree._Element:
    """A cell (Word requires it to hold a paragraph: the caller adds one)."""
    cell = OxmlElement("w:tc")
    cell.get_or_add_tcPr().append(new("tcW", w=str(width_twips), type="dxa"))
    row.append(cell)
    return cell


def table_paragraphs(element: etree._Element) -> list[etree._Element]:
    return list(element.iter(w("p")))


# -- pictures ----------------------------------------------------------------------------

SVG_URI = "{96DAC541-7B7A-43D3-8B79-37D633B846F1}"


def describe_picture(inline: etree._Element, description: str) -> None:
    """Alt text: `wp:docPr/@descr` (Word's Alt Text pane, screen readers), also on
    the picture's own `pic:cNvPr`."""
    for element in inline.iter(qn("wp:docPr"), qn("pic:cNvPr")):
        element.set("descr", description)
        element.set("title", description)


def add_svg(inline: etree._Element, relationship_id: str) -> None:
    """The vector original beside the PNG: Word 2016+ draws `asvg:svgBlip`, older
    clients the PNG."""
    blip = next(inline.iter(qn("a:blip")))
    ns = "http://schemas.microsoft.com/office/drawing/2016/SVG/main"
    extensions = blip.find(qn("a:extLst"))
    if extensions is None:
        extensions = etree.SubElement(blip, qn("a:extLst"))
    extension = etree.SubElement(extensions, qn("a:ext"), uri=SVG_URI)
    svg = etree.SubElement(extension, f"{{{ns}}}svgBlip", nsmap={"asvg": ns})
    svg.set(qn("r:embed"), relationship_id)


def drawing_run(inline: etree._Element) -> etree._Element:
    """The run that shows an inline picture."""
    run = new_run()
    drawing = OxmlElement("w:drawing")
    drawing.append(inline)
    run.append(drawing)
    return run


def page_breaks_before(paragraph: etree._Element) -> None:
    ppr(paragraph).get_or_add_pageBreakBefore()


def keep_with_next(paragraph: etree._Element) -> None:
    ppr(paragraph).get_or_add_keepNext()


def align(paragraph: etree._Element, value: str) -> None:
    set_on(ppr(paragraph), "jc", val=value)


def space_before(paragraph: etree._Element, twips: int) -> None:
    set_on(ppr(paragraph), "spacing", before=str(twips))


def right_tab(paragraph: etree._Element, position: int, clear: Sequence[str] = ()) -> None:
    """A right-aligned tab stop at `position`, clearing the style's stops `clear`."""
    tabs = ppr(paragraph).get_or_add_tabs()
    for old in clear:
        tabs.append(new("tab", val="clear", pos=old))
    tabs.append(new("tab", val="right", pos=str(position)))


# -- parts without python-docx classes ---------------------------------------------------

APP_NS = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"


def parse_part(blob: bytes) -> etree._Element:
    """A part's XML, parsed into this layer's element classes."""
    return parse_xml(blob)


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def app_properties(application: str, company: str | None) -> bytes:
    """docProps/app.xml: the application that wrote the file and the company; no
    page, word or line counts (only a layout knows them)."""
    app = etree.Element(f"{{{APP_NS}}}Properties", nsmap={None: APP_NS})
    etree.SubElement(app, f"{{{APP_NS}}}Application").text = application
    etree.SubElement(app, f"{{{APP_NS}}}DocSecurity").text = "0"
    if company:
        etree.SubElement(app, f"{{{APP_NS}}}Company").text = company
    return serialize(app)


def set_color(properties: CT_RunProperties, hex_rgb: str) -> None:
    """`w:color` with only `w:val` (no theme colour that would win over it)."""
    color = properties.get_or_add_color()
    color.attrib.clear()
    set_attrs(color, val=hex_rgb)
