"""Raw WordprocessingML that the DOCX writer needs and python-docx 1.2 does not offer.

In the spirit of python-docx's `oxml` layer: small functions that make or change
XML elements and parts, and know nothing of HTML, briefs or languages. The
writer (`write_docx`) decides *what* to say; this module knows *how Word spells
it*: the footnotes part with its separator notes, footnote references, complex
fields (TOC, PAGE, NUMPAGES, SEQ), East Asian fonts and languages on styles and
runs, picture alt text, bookmarks, hyperlinks, numbering restarts, table header
rows, and the settings that go with them.

Element order matters to Word (it follows the schema's sequences and calls a
file corrupt otherwise), so every insertion here goes through `insert_ordered`
with the schema order of the parent.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part, XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# -- schema order of the children we touch -------------------------------------

RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
    "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout",
    "specVanish", "oMath",
)  # fmt: skip

PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap",
    "jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
    "cnfStyle", "rPr", "sectPr", "pPrChange",
)  # fmt: skip

STYLE_ORDER = (
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
)  # fmt: skip

#: CT_Settings, from `updateFields` on (what we insert never goes earlier). Local
#: names, so that the Word 2010+ extension elements at the end count too.
SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr",
    "endnotePr", "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
    # Word 2010+ extensions come last
    "docId", "chartTrackingRefBased", "conflictMode", "discardImageEditingData",
    "defaultImageDpi",
)  # fmt: skip

TRPR_ORDER = (
    "cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
    "tblHeader", "tblCellSpacing", "jc", "hidden",
)  # fmt: skip


def w(name: str) -> str:
    """The Clark name of a WordprocessingML element or attribute: `w("p")`."""
    return f"{{{W_NS}}}{name}"


def _local(element: etree._Element) -> str:
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def insert_ordered(parent: etree._Element, child: etree._Element, order: Sequence[str]):
    """Insert `child` into `parent` at the place the schema sequence `order` gives it."""
    name = _local(child)
    later = set(order[order.index(name) + 1 :]) if name in order else set()
    for existing in parent:
        if _local(existing) in later:
            existing.addprevious(child)
            return child
    parent.append(child)
    return child


def get_or_add(parent: etree._Element, name: str, order: Sequence[str]) -> etree._Element:
    """The `w:<name>` child of `parent`, created in schema order if missing."""
    found = parent.find(w(name))
    if found is None:
        found = insert_ordered(parent, OxmlElement(f"w:{name}"), order)
    return found


def set_attrs(element: etree._Element, **values: str | None) -> etree._Element:
    """Set (or, for None, remove) `w:` attributes."""
    for key, value in values.items():
        if value is None:
            element.attrib.pop(w(key), None)
        else:
            element.set(w(key), value)
    return element


def get_or_add_rpr(owner: etree._Element) -> etree._Element:
    """The `w:rPr` of a run, a style or `w:rPrDefault`."""
    rpr = owner.find(w("rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        if _local(owner) == "r":
            owner.insert(0, rpr)
        elif _local(owner) == "style":
            insert_ordered(owner, rpr, STYLE_ORDER)
        else:
            owner.append(rpr)
    return rpr


def get_or_add_ppr(owner: etree._Element) -> etree._Element:
    """The `w:pPr` of a paragraph or a style."""
    ppr = owner.find(w("pPr"))
    if ppr is None:
        ppr = OxmlElement("w:pPr")
        if _local(owner) == "p":
            owner.insert(0, ppr)
        else:
            insert_ordered(owner, ppr, STYLE_ORDER)
    return ppr


# -- fonts and languages --------------------------------------------------------

_THEME_FONT_ATTRS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")


def set_fonts(
    rpr: etree._Element,
    latin: str | None = None,
    east_asia: str | None = None,
    complex_script: str | None = None,
    hint: str | None = None,
) -> etree._Element:
    """`w:rFonts`: the Latin (ascii, hAnsi), East Asian and complex-script typefaces.

    Theme font references are removed: Word lets `w:asciiTheme` win over
    `w:ascii`, so leaving one would silently undo the explicit font. `hint`
    "eastAsia" makes Word set characters that several scripts share (quotes,
    dashes) in the East Asian font, as Chinese text wants.
    """
    fonts = get_or_add(rpr, "rFonts", RPR_ORDER)
    for attr in _THEME_FONT_ATTRS:
        fonts.attrib.pop(w(attr), None)
    if latin:
        set_attrs(fonts, ascii=latin, hAnsi=latin)
    if east_asia:
        set_attrs(fonts, eastAsia=east_asia)
    if complex_script or latin:
        set_attrs(fonts, cs=complex_script or latin)
    set_attrs(fonts, hint=hint)
    return fonts


def set_language(
    rpr: etree._Element, latin: str | None, east_asia: str | None, bidi: str | None = None
) -> etree._Element:
    """`w:lang`: `w:val` for Latin text, `w:eastAsia` for CJK text (zh-HK selects Hong
    Kong forms and line breaking rules)."""
    lang = get_or_add(rpr, "lang", RPR_ORDER)
    return set_attrs(lang, val=latin, eastAsia=east_asia, bidi=bidi)


def fonts_of(rpr: etree._Element | None) -> dict[str, str]:
    """The explicit typefaces of an `w:rPr` (theme references are not resolved)."""
    fonts = rpr.find(w("rFonts")) if rpr is not None else None
    if fonts is None:
        return {}
    found = {}
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        value = fonts.get(w(attr))
        theme = fonts.get(w("cstheme" if attr == "cs" else f"{attr}Theme"))
        if value and not theme:
            found[attr] = value
        elif theme:
            found[attr] = ""  # a theme font: known to be set, but not by name
    return found


class StyleFonts:
    """Effective typefaces of runs, resolved through the style hierarchy.

    Word resolves a run's font from its character style, its paragraph style
    (each with their `basedOn` chain) and the document defaults. The writer uses
    this to state the resolved fonts on every run as well, so that a run reads
    the same in clients that resolve styles differently.
    """

    def __init__(self, styles: etree._Element):
        self._styles = {s.get(w("styleId")): s for s in styles.iter(w("style"))}
        defaults = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self._defaults = fonts_of(defaults)

    def chain(self, style_id: str | None) -> Iterable[etree._Element]:
        seen = set()
        while style_id and style_id in self._styles and style_id not in seen:
            seen.add(style_id)
            style = self._styles[style_id]
            yield style
            based = style.find(w("basedOn"))
            style_id = based.get(w("val")) if based is not None else None

    def resolve(self, paragraph_style: str | None, character_style: str | None) -> dict[str, str]:
        resolved: dict[str, str] = {}
        chains = [*self.chain(character_style), *self.chain(paragraph_style)]
        for style in chains:
            for attr, value in fonts_of(style.find(w("rPr"))).items():
                resolved.setdefault(attr, value)
        for attr, value in self._defaults.items():
            resolved.setdefault(attr, value)
        return {attr: value for attr, value in resolved.items() if value}


# -- styles ----------------------------------------------------------------------


def find_style(styles: etree._Element, style_id: str) -> etree._Element | None:
    for style in styles.iter(w("style")):
        if style.get(w("styleId")) == style_id:
            return style
    return None


def find_style_by_name(styles: etree._Element, name: str) -> etree._Element | None:
    wanted = name.lower()
    for style in styles.iter(w("style")):
        element = style.find(w("name"))
        if element is not None and (element.get(w("val")) or "").lower() == wanted:
            return style
    return None


def add_style(
    styles: etree._Element,
    style_type: str,
    style_id: str,
    name: str,
    based_on: str | None = None,
    next_style: str | None = None,
    ui_priority: int | None = None,
    quick: bool = True,
    custom: bool = False,
) -> etree._Element:
    """A new `w:style` (or the existing one with that id). `custom` marks a style
    of our own, as opposed to one of Word's built-in styles (Caption, footnote text)."""
    existing = find_style(styles, style_id)
    if existing is not None:
        return existing
    style = OxmlElement("w:style")
    set_attrs(style, type=style_type, styleId=style_id, customStyle="1" if custom else None)
    style.append(set_attrs(OxmlElement("w:name"), val=name))
    if based_on:
        style.append(set_attrs(OxmlElement("w:basedOn"), val=based_on))
    if next_style:
        style.append(set_attrs(OxmlElement("w:next"), val=next_style))
    if ui_priority is not None:
        style.append(set_attrs(OxmlElement("w:uiPriority"), val=str(ui_priority)))
    if quick:
        style.append(OxmlElement("w:qFormat"))
    styles.append(style)
    return style


def ensure_footnote_styles(styles: etree._Element) -> list[str]:
    """Add Word's built-in "footnote text" and "footnote reference" styles if missing.

    Returns the names of the styles added. Word looks them up by these names when
    a reader inserts a further footnote, so the names are Word's own.
    """
    added = []
    if find_style(styles, "FootnoteText") is None:
        style = add_style(styles, "paragraph", "FootnoteText", "footnote text", "Normal", None, 99)
        insert_ordered(style, OxmlElement("w:unhideWhenUsed"), STYLE_ORDER)
        ppr = get_or_add_ppr(style)
        set_attrs(get_or_add(ppr, "spacing", PPR_ORDER), after="0", line="240", lineRule="auto")
        rpr = get_or_add_rpr(style)
        set_attrs(get_or_add(rpr, "sz", RPR_ORDER), val="16")
        set_attrs(get_or_add(rpr, "szCs", RPR_ORDER), val="16")
        added.append("footnote text")
    if find_style(styles, "FootnoteReference") is None:
        style = add_style(
            styles, "character", "FootnoteReference", "footnote reference", None, None, 99, False
        )
        insert_ordered(style, OxmlElement("w:unhideWhenUsed"), STYLE_ORDER)
        rpr = get_or_add_rpr(style)
        set_attrs(get_or_add(rpr, "vertAlign", RPR_ORDER), val="superscript")
        added.append("footnote reference")
    return added


# -- footnotes -------------------------------------------------------------------

#: Word's two special notes. Word treats a footnotes part without them (and the
#: settings that name them) as damaged and offers to "recover" the document.
_SEPARATORS = (
    '<w:footnote {ns} w:type="separator" w:id="-1"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:separator/></w:r></w:p></w:footnote>"
    '<w:footnote {ns} w:type="continuationSeparator" w:id="0"><w:p><w:pPr>'
    '<w:spacing w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    "<w:r><w:continuationSeparator/></w:r></w:p></w:footnote>"
)

FOOTNOTES_PARTNAME = "/word/footnotes.xml"


def _new_footnotes_element() -> etree._Element:
    ns = nsdecls("w", "r")
    root = parse_xml(f"<w:footnotes {ns}></w:footnotes>")
    for note in parse_xml(f"<x {ns}>{_SEPARATORS.format(ns=ns)}</x>"):
        root.append(copy.deepcopy(note))
    return root


def footnotes_part(document_part: Part) -> XmlPart:
    """A fresh footnotes part related to the document, holding only the separators.

    A reference document may bring a footnotes part of its own (Word and
    LibreOffice write one); its notes belonged to the body that the writer
    cleared, so it is replaced rather than reused.
    """
    for rel_id, rel in list(document_part.rels.items()):
        if rel.reltype == RT.FOOTNOTES:
            del document_part.rels[rel_id]
    part = XmlPart(
        PackURI(FOOTNOTES_PARTNAME),
        CT.WML_FOOTNOTES,
        _new_footnotes_element(),
        document_part.package,
    )
    document_part.relate_to(part, RT.FOOTNOTES)
    return part


def add_footnote(
    footnotes: etree._Element, paragraph_style: str = "FootnoteText"
) -> tuple[int, etree._Element]:
    """Append a footnote; return its id and its paragraph, which already holds the
    note's own number (`w:footnoteRef`) and the space after it."""
    ids = [int(note.get(w("id"))) for note in footnotes.iter(w("footnote"))]
    note_id = max([0, *ids]) + 1
    note = OxmlElement("w:footnote")
    set_attrs(note, id=str(note_id))
    paragraph = OxmlElement("w:p")
    ppr = get_or_add_ppr(paragraph)
    set_attrs(get_or_add(ppr, "pStyle", PPR_ORDER), val=paragraph_style)
    mark = OxmlElement("w:r")
    set_attrs(get_or_add(get_or_add_rpr(mark), "rStyle", RPR_ORDER), val="FootnoteReference")
    mark.append(OxmlElement("w:footnoteRef"))
    paragraph.append(mark)
    paragraph.append(text_run(" "))
    note.append(paragraph)
    footnotes.append(note)
    return note_id, paragraph


def footnote_reference_run(note_id: int, style_id: str = "FootnoteReference") -> etree._Element:
    """The run that calls footnote `note_id` from the text: a superscript number."""
    run = OxmlElement("w:r")
    set_attrs(get_or_add(get_or_add_rpr(run), "rStyle", RPR_ORDER), val=style_id)
    run.append(set_attrs(OxmlElement("w:footnoteReference"), id=str(note_id)))
    return run


def set_footnote_properties(settings: etree._Element) -> etree._Element:
    """`w:footnotePr` in the settings: numbered 1, 2, 3 … continuously through the
    document, at the foot of the page, with the two separator notes named."""
    existing = settings.find(w("footnotePr"))
    if existing is not None:
        settings.remove(existing)
    properties = parse_xml(
        f"<w:footnotePr {nsdecls('w')}>"
        '<w:pos w:val="pageBottom"/><w:numFmt w:val="decimal"/>'
        '<w:numStart w:val="1"/><w:numRestart w:val="continuous"/>'
        '<w:footnote w:id="-1"/><w:footnote w:id="0"/>'
        "</w:footnotePr>"
    )
    return insert_ordered(settings, properties, SETTINGS_ORDER)


def set_theme_font_language(settings: etree._Element, latin: str, east_asia: str) -> None:
    """`w:themeFontLang`: which script's theme fonts Word offers for East Asian text."""
    set_attrs(get_or_add(settings, "themeFontLang", SETTINGS_ORDER), val=latin, eastAsia=east_asia)


# -- runs and fields -------------------------------------------------------------


def text_run(text: str) -> etree._Element:
    """A run of plain text (spaces kept as they are)."""
    run = OxmlElement("w:r")
    t = OxmlElement("w:t")
    t.text = text
    if text != text.strip():
        t.set(XML_SPACE, "preserve")
    run.append(t)
    return run


def break_run(kind: str | None = None) -> etree._Element:
    """A run holding a line break (`kind` None) or a page break (`kind` "page")."""
    run = OxmlElement("w:r")
    br = OxmlElement("w:br")
    if kind:
        set_attrs(br, type=kind)
    run.append(br)
    return run


def field_runs(
    instruction: str, result: Sequence[etree._Element], dirty: bool = False
) -> list[etree._Element]:
    """A complex field: begin, the instruction, separate, the shown result, end.

    `result` are the runs shown until the field is updated (the number a SEQ
    field counts to, or a note asking the reader to update a TOC). A `dirty`
    field is updated by Word when the document is opened.
    """
    begin = OxmlElement("w:r")
    begin_char = set_attrs(OxmlElement("w:fldChar"), fldCharType="begin")
    if dirty:
        set_attrs(begin_char, dirty="true")
    begin.append(begin_char)
    code = OxmlElement("w:r")
    instr = OxmlElement("w:instrText")
    instr.set(XML_SPACE, "preserve")
    instr.text = f" {instruction.strip()} "
    code.append(instr)
    separate = OxmlElement("w:r")
    separate.append(set_attrs(OxmlElement("w:fldChar"), fldCharType="separate"))
    end = OxmlElement("w:r")
    end.append(set_attrs(OxmlElement("w:fldChar"), fldCharType="end"))
    return [begin, code, separate, *result, end]


# -- paragraphs, bookmarks, hyperlinks ---------------------------------------------


def new_paragraph(style_id: str | None = None) -> etree._Element:
    paragraph = OxmlElement("w:p")
    if style_id:
        ppr = get_or_add_ppr(paragraph)
        set_attrs(get_or_add(ppr, "pStyle", PPR_ORDER), val=style_id)
    return paragraph


def set_paragraph_property(paragraph: etree._Element, name: str, **values: str | None):
    """Set a `w:pPr` child, e.g. `keepNext`, `pageBreakBefore`, `jc val=right`."""
    element = get_or_add(get_or_add_ppr(paragraph), name, PPR_ORDER)
    return set_attrs(element, **values)


def add_bookmark(paragraph: etree._Element, name: str, bookmark_id: int) -> None:
    """A point bookmark at the start of `paragraph`, the target of internal links."""
    start = set_attrs(OxmlElement("w:bookmarkStart"), id=str(bookmark_id), name=name)
    end = set_attrs(OxmlElement("w:bookmarkEnd"), id=str(bookmark_id))
    ppr = paragraph.find(w("pPr"))
    index = 1 if ppr is not None else 0
    paragraph.insert(index, start)
    paragraph.insert(index + 1, end)


def hyperlink(relationship_id: str | None = None, anchor: str | None = None) -> etree._Element:
    """A `w:hyperlink` to an external address (by relationship) or a bookmark."""
    link = OxmlElement("w:hyperlink")
    if relationship_id:
        link.set(qn("r:id"), relationship_id)
    if anchor:
        set_attrs(link, anchor=anchor)
    set_attrs(link, history="1")
    return link


# -- numbering -------------------------------------------------------------------


def restart_numbering(numbering: etree._Element, num_id: int) -> int:
    """A new `w:num` sharing `num_id`'s list definition but counting from 1 again, so
    that each numbered list of the document starts at 1."""
    source = None
    for num in numbering.iter(w("num")):
        if num.get(w("numId")) == str(num_id):
            source = num
    if source is None:
        raise KeyError(f"no numbering definition {num_id}")
    abstract = source.find(w("abstractNumId")).get(w("val"))
    new_id = max(int(num.get(w("numId"))) for num in numbering.iter(w("num"))) + 1
    num = parse_xml(
        f'<w:num {nsdecls("w")} w:numId="{new_id}"><w:abstractNumId w:val="{abstract}"/>'
        '<w:lvlOverride w:ilvl="0"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
    )
    last = list(numbering.iter(w("num")))[-1]
    last.addnext(num)  # after every w:abstractNum, before w:numIdMacAtCleanup
    return new_id


def set_numbering(paragraph: etree._Element, num_id: int, level: int = 0) -> None:
    ppr = get_or_add_ppr(paragraph)
    numpr = get_or_add(ppr, "numPr", PPR_ORDER)
    for child in list(numpr):
        numpr.remove(child)
    numpr.append(set_attrs(OxmlElement("w:ilvl"), val=str(level)))
    numpr.append(set_attrs(OxmlElement("w:numId"), val=str(num_id)))


def style_num_id(styles: etree._Element, style_id: str) -> int | None:
    """The numbering a (list) paragraph style is linked to."""
    for style in StyleFonts(styles).chain(style_id):
        num = style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}")
        if num is not None:
            return int(num.get(w("val")))
    return None


# -- tables ------------------------------------------------------------------------


def new_table(style_id: str | None, widths_twips: Sequence[int]) -> etree._Element:
    """An empty full-width table with its grid; rows are added by the caller."""
    table = OxmlElement("w:tbl")
    properties = OxmlElement("w:tblPr")
    if style_id:
        properties.append(set_attrs(OxmlElement("w:tblStyle"), val=style_id))
    properties.append(set_attrs(OxmlElement("w:tblW"), w="5000", type="pct"))
    properties.append(set_attrs(OxmlElement("w:tblLayout"), type="autofit"))
    # Which of the table style's conditional formats apply: the header row only.
    properties.append(
        set_attrs(
            OxmlElement("w:tblLook"),
            val="0420",
            firstRow="1",
            lastRow="0",
            firstColumn="0",
            lastColumn="0",
            noHBand="1",
            noVBand="1",
        )
    )
    table.append(properties)
    grid = OxmlElement("w:tblGrid")
    for width in widths_twips:
        grid.append(set_attrs(OxmlElement("w:gridCol"), w=str(width)))
    table.append(grid)
    return table


def add_row(table: etree._Element, header: bool = False, split: bool = False) -> etree._Element:
    """A row, never split across pages unless `split`; a `header` row repeats on each page."""
    row = OxmlElement("w:tr")
    properties = OxmlElement("w:trPr")
    if not split:
        insert_ordered(properties, OxmlElement("w:cantSplit"), TRPR_ORDER)
    if header:
        insert_ordered(properties, OxmlElement("w:tblHeader"), TRPR_ORDER)
    row.append(properties)
    table.append(row)
    return row


def add_cell(row: etree._Element, width_twips: int) -> etree._Element:
    """A cell (which Word requires to hold at least one paragraph: the caller adds it)."""
    cell = OxmlElement("w:tc")
    properties = OxmlElement("w:tcPr")
    properties.append(set_attrs(OxmlElement("w:tcW"), w=str(width_twips), type="dxa"))
    cell.append(properties)
    row.append(cell)
    return cell


# -- pictures ------------------------------------------------------------------------


def describe_picture(inline: etree._Element, description: str, title: str | None = None):
    """Alt text of an inline picture: `wp:docPr/@descr` (what Word's Alt Text pane and
    screen readers use), also on the picture's own `pic:cNvPr`."""
    for element in inline.iter(qn("wp:docPr"), qn("pic:cNvPr")):
        element.set("descr", description)
        if title:
            element.set("title", title)
