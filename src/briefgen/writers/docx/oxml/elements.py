"""The element classes of the DOCX writer's oxml layer (see the package docstring).

Each extends python-docx's class for the element (`CT_PPr`, `CT_RPr`, `CT_TrPr`,
`CT_Settings`) or is new; a child's place in the schema sequence is given once,
by `ZeroOrOne(successors=_tag_seq[n:])`, as python-docx declares its own.
"""

from __future__ import annotations

from typing import cast

from docx.oxml.parser import register_element_cls
from docx.oxml.settings import CT_Settings
from docx.oxml.simpletypes import ST_DecimalNumber, ST_String
from docx.oxml.table import CT_TrPr
from docx.oxml.text.font import CT_RPr
from docx.oxml.text.parfmt import CT_PPr
from docx.oxml.xmlchemy import (
    BaseOxmlElement,
    OptionalAttribute,
    RequiredAttribute,
    ZeroOrMore,
    ZeroOrOne,
)

# -- element classes ---------------------------------------------------------------


class CT_ParagraphProperties(CT_PPr):
    """`w:pPr` with the East Asian layout switches python-docx leaves out."""

    _tag_seq = (
        "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
        "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
        "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
        "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
        "w:pPrChange",
    )  # fmt: skip
    pBdr = ZeroOrOne("w:pBdr", successors=_tag_seq[1:])
    autoSpaceDE = ZeroOrOne("w:autoSpaceDE", successors=_tag_seq[9:])
    autoSpaceDN = ZeroOrOne("w:autoSpaceDN", successors=_tag_seq[10:])
    contextualSpacing = ZeroOrOne("w:contextualSpacing", successors=_tag_seq[16:])
    del _tag_seq


class CT_RunProperties(CT_RPr):
    """`w:rPr` with `w:lang` (python-docx reads no language), `w:szCs` and `w:kern`."""

    _tag_seq = (
        "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect", "w:bdr",
        "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
        "w:eastAsianLayout", "w:specVanish", "w:oMath",
    )  # fmt: skip
    kern = ZeroOrOne("w:kern", successors=_tag_seq[1:])
    szCs = ZeroOrOne("w:szCs", successors=_tag_seq[4:])
    lang = ZeroOrOne("w:lang", successors=_tag_seq[15:])
    del _tag_seq


class CT_FontsWithScripts(BaseOxmlElement):
    """`w:rFonts` with all four script slots (python-docx knows ascii and hAnsi)."""

    ascii = OptionalAttribute("w:ascii", ST_String)
    hAnsi = OptionalAttribute("w:hAnsi", ST_String)
    eastAsia = OptionalAttribute("w:eastAsia", ST_String)
    cs = OptionalAttribute("w:cs", ST_String)
    hint = OptionalAttribute("w:hint", ST_String)


class CT_RowProperties(CT_TrPr):
    """`w:trPr` with the two row switches a table of a brief needs."""

    _tag_seq = (
        "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden",
        "w:ins", "w:del", "w:trPrChange",
    )  # fmt: skip
    cantSplit = ZeroOrOne("w:cantSplit", successors=_tag_seq[1:])
    tblHeader = ZeroOrOne("w:tblHeader", successors=_tag_seq[3:])
    del _tag_seq


class CT_DocumentSettings(CT_Settings):
    """`w:settings` with footnote properties and the theme font language (from the
    schema's `w:updateFields` on: nothing we add goes earlier)."""

    _tag_seq = (
        "w:updateFields", "w:hdrShapeDefaults", "w:footnotePr", "w:endnotePr", "w:compat",
        "w:docVars", "w:rsids", "m:mathPr", "w:attachedSchema", "w:themeFontLang",
        "w:clrSchemeMapping", "w:doNotIncludeSubdocsInStats", "w:doNotAutoCompressPictures",
        "w:forceUpgrade", "w:captions", "w:readModeInkLockDown", "w:smartTagType",
        "sl:schemaLibrary", "w:shapeDefaults", "w:doNotEmbedSmartTags", "w:decimalSymbol",
        "w:listSeparator", "w14:docId",
    )  # fmt: skip
    updateFields = ZeroOrOne("w:updateFields", successors=_tag_seq[1:])
    footnotePr = ZeroOrOne("w:footnotePr", successors=_tag_seq[3:])
    themeFontLang = ZeroOrOne("w:themeFontLang", successors=_tag_seq[10:])
    del _tag_seq


class CT_Footnote(BaseOxmlElement):
    """`w:footnote`: a note (or, with a `type`, one of Word's two separators)."""

    id = RequiredAttribute("w:id", ST_DecimalNumber)
    type = OptionalAttribute("w:type", ST_String)
    p = ZeroOrMore("w:p", successors=())


class CT_Footnotes(BaseOxmlElement):
    """`w:footnotes`, the root of word/footnotes.xml."""

    footnote = ZeroOrMore("w:footnote", successors=())

    def add_note(self) -> CT_Footnote:
        """A new note numbered after the last one."""
        ids = [note.id for note in self.footnote_lst]
        return cast(CT_Footnote, self._add_footnote(id=max([0, *ids]) + 1))


class CT_Font(BaseOxmlElement):
    """`w:font` of the font table: a typeface and what Word may use in its place."""

    _tag_seq = ("w:altName", "w:panose1", "w:charset", "w:family", "w:notTrueType",
                "w:pitch", "w:sig", "w:embedRegular")  # fmt: skip
    name = RequiredAttribute("w:name", ST_String)
    altName = ZeroOrOne("w:altName", successors=_tag_seq[1:])
    charset = ZeroOrOne("w:charset", successors=_tag_seq[3:])
    family = ZeroOrOne("w:family", successors=_tag_seq[4:])
    pitch = ZeroOrOne("w:pitch", successors=_tag_seq[6:])
    del _tag_seq


class CT_FontTable(BaseOxmlElement):
    """`w:fonts`, the root of word/fontTable.xml."""

    font = ZeroOrMore("w:font", successors=())


for _tag, _cls in (
    ("w:pPr", CT_ParagraphProperties),
    ("w:rPr", CT_RunProperties),
    ("w:rFonts", CT_FontsWithScripts),
    ("w:trPr", CT_RowProperties),
    ("w:settings", CT_DocumentSettings),
    ("w:footnotes", CT_Footnotes),
    ("w:footnote", CT_Footnote),
    ("w:fonts", CT_FontTable),
    ("w:font", CT_Font),
):
    register_element_cls(_tag, _cls)
