"""The reference document's styles, set for one edition's language.

Styles carry the formatting, runs only what differs (see `inline.py`). The
reference document (templates/docx/reference.docx or an audience's own) names
the Latin and East Asian typefaces and sizes of every style; this module adapts
them to the document's language, which the HTML states (`<html lang>`):

- the document defaults get the languages (`w:lang w:val="en-GB"
  w:eastAsia="zh-HK"`, zh-CN for Simplified Chinese), so Chinese text gets
  Hong Kong forms and line breaking with no run saying so;
- a Simplified Chinese document swaps the Hong Kong CJK typefaces for their
  mainland counterparts (`SIMPLIFIED`); a Chinese one sets its Latin text in
  sans-serif, as its PDF does (`SANS_FOR_CHINESE`), and justifies Normal;
- East Asian autospacing is off (`w:autoSpaceDE`/`w:autoSpaceDN`), so Word and
  LibreOffice set `2025年11月` without the gaps the PDF does not have either;
- the font table declares for each typeface one that stock Office installs
  have (`ALTERNATES`), which Word substitutes when the Noto fonts are missing.

A typeface the reference names and this module does not know is left alone:
a designer who sets another East Asian font on Normal sees every Chinese run
follow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale, UnknownLocaleError
from lxml import etree

from briefgen.edition.i18n import LANGUAGES
from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.oxml import w

#: Hong Kong (Traditional) typefaces -> their Simplified counterparts.
SIMPLIFIED = {
    "Noto Sans CJK HK": "Noto Sans CJK SC",
    "Noto Serif CJK HK": "Noto Serif CJK SC",
    "Microsoft JhengHei": "Microsoft YaHei",
    "PMingLiU": "SimSun",
}
SANS_FOR_CHINESE = {"Noto Serif": "Noto Sans"}
#: The East Asian typeface when neither the styles nor the defaults name one.
EAST_ASIAN_FALLBACK = "Noto Sans CJK HK"


@dataclass(frozen=True)
class Alternate:
    """A font table entry: what Word uses when the typeface is missing."""

    alt_name: str
    charset: str  #: hex: 00 ANSI, 88 Big5 (Traditional), 86 GB2312 (Simplified)
    family: str  #: roman (serif) or swiss (sans)


#: Fonts shipped with Office for Windows and for Mac (Microsoft JhengHei, YaHei,
#: PMingLiU, SimSun, Cambria and Calibri all are).
ALTERNATES = {
    "Noto Sans CJK HK": Alternate("Microsoft JhengHei", "88", "swiss"),
    "Noto Serif CJK HK": Alternate("PMingLiU", "88", "roman"),
    "Noto Sans CJK SC": Alternate("Microsoft YaHei", "86", "swiss"),
    "Noto Serif CJK SC": Alternate("SimSun", "86", "roman"),
    "Noto Serif": Alternate("Cambria", "00", "roman"),
    "Noto Sans": Alternate("Calibri", "00", "swiss"),
}
#: Styles that take the audience's accent colour.
ACCENTED = ("Title", "Heading 1", "Heading 2", "Heading 3", "TOC Heading")


def language_of(tag: str | None) -> str | None:
    """The edition language an HTML `lang` tag names: zh-Hant-HK -> zh-Hant, en -> en.

    Babel reads the tag (BCP 47) and supplies the likely script where the tag
    gives a region only: zh-CN and zh-SG are Simplified, zh-TW and zh-HK Traditional.
    """
    try:
        locale = Locale.parse((tag or "").strip(), sep="-")
    except (ValueError, UnknownLocaleError):
        return None
    if locale.language == "zh":
        return "zh-Hans" if locale.script == "Hans" else "zh-Hant"
    return "en" if locale.language == "en" else None


def east_asian_of(lang: str | None) -> str:
    """The Chinese a text's CJK characters are in: Simplified or (by default) Hong Kong's."""
    return "zh-Hans" if lang == "zh-Hans" else "zh-Hant"


class StyleSheet:
    """Style lookups by name, and the edition's adaptation of the styles."""

    def __init__(self, styles: etree._Element, lang: str, reference: str, warnings: list[str]):
        self.styles = styles
        self.lang = lang  #: the document's language: en, zh-Hant or zh-Hans
        self.east_asian = east_asian_of(lang)
        self.reference = reference
        self.warnings = warnings
        self._ids: dict[tuple[str, str], str] = {}

    # -- lookups --

    def find(self, name: str) -> etree._Element | None:
        wanted = name.lower()
        for style in self.styles.iter(w("style")):
            element = style.find(w("name"))
            if element is not None and (element.get(w("val")) or "").lower() == wanted:
                return style
        return None

    def style_id(self, name: str, kind: str = "paragraph") -> str:
        """The id of the style called `name`; a plain one is added (with a warning) if
        the reference document lacks it."""
        key = (name, kind)
        if key not in self._ids:
            style = self.find(name)
            if style is None or style.get(w("type")) != kind:
                style_id = re.sub(r"[^A-Za-z0-9]", "", name)
                self.add(kind, style_id, name, "Normal" if kind == "paragraph" else None)
                self.warnings.append(
                    f"{self.reference}: no {kind} style '{name}'; added a plain one "
                    "(define it in the reference document)"
                )
                self._ids[key] = style_id
            else:
                self._ids[key] = style.get(w("styleId"))
        return self._ids[key]

    def note_mark(self) -> str:
        return self.style_id("footnote reference", "character")

    def add(self, kind: str, style_id: str, name: str, based_on: str | None) -> etree._Element:
        style = self.styles.add_style_of_type(name, {"paragraph": 1, "character": 2}[kind], False)
        style.styleId = style_id
        if based_on:
            style.basedOn_val = based_on
        return style

    def num_id(self, name: str) -> int | None:
        """The numbering a list paragraph style (or one it is based on) is linked to."""
        style = self.styles.get_by_id(self.style_id(name))
        while style is not None:
            num = style.find(f"{w('pPr')}/{w('numPr')}/{w('numId')}")
            if num is not None:
                return int(num.get(w("val")))
            based = style.basedOn_val
            style = self.styles.get_by_id(based) if based else None
        return None

    def tab_stops(self, name: str) -> list[str]:
        style = self.find(name)
        return [tab.get(w("pos")) for tab in style.iter(w("tab"))] if style is not None else []

    # -- the edition --

    def prepare(self, accent: str | None) -> None:
        """Footnote styles if missing; languages, fonts, spacing and colour of the edition."""
        self._footnote_styles()
        rpr_default, ppr_default = ox.doc_defaults(self.styles)
        run_defaults = ox.default_properties(rpr_default, "rPr")
        word = LANGUAGES[self.east_asian].word_lang
        ox.set_language(run_defaults, LANGUAGES["en"].word_lang, word)
        # On the defaults for Word, on the root paragraph styles for LibreOffice
        # (which reads autospacing from styles, not from the defaults).
        roots = [
            style.get_or_add_pPr()
            for style in self.styles.iter(w("style"))
            if style.get(w("type")) == "paragraph" and style.basedOn_val is None
        ]
        for properties in (ox.default_properties(ppr_default, "pPr"), *roots):
            ox.set_on(properties, "autoSpaceDE", val="0")
            ox.set_on(properties, "autoSpaceDN", val="0")
        chinese = self.lang != "en"
        for owner in (run_defaults, *self.styles.iter(w("style"))):
            fonts = owner.find(f".//{w('rFonts')}") if owner.tag == w("style") else None
            fonts = fonts if fonts is not None else owner.find(w("rFonts"))
            if fonts is None:
                continue
            east_asia = fonts.eastAsia
            if self.east_asian == "zh-Hans" and east_asia in SIMPLIFIED:
                fonts.eastAsia = SIMPLIFIED[east_asia]
            if chinese and fonts.ascii in SANS_FOR_CHINESE:
                fonts.ascii = fonts.hAnsi = fonts.cs = SANS_FOR_CHINESE[fonts.ascii]
        if not self.east_asian_font():
            ox.set_fonts(run_defaults, east_asia=self.variant(EAST_ASIAN_FALLBACK))
        if chinese:
            # Quotes and dashes, which several scripts share, in the Chinese font.
            ox.set_fonts(run_defaults, hint="eastAsia")
            normal = self.styles.get_by_id(self.style_id("Normal"))
            ox.set_on(normal.get_or_add_pPr(), "jc", val="both")  # as the PDF sets Chinese
        if accent:
            for name in ACCENTED:
                style = self.find(name)
                if style is not None:
                    ox.set_color(style.get_or_add_rPr(), accent)

    def variant(self, font: str) -> str:
        return SIMPLIFIED.get(font, font) if self.east_asian == "zh-Hans" else font

    def east_asian_font(self, lang: str | None = None) -> str | None:
        """The East Asian typeface of Normal (or the defaults), in `lang`'s variant."""
        normal = self.find("Normal")
        owners = [normal] if normal is not None else []
        defaults = self.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        owners.append(defaults)
        for owner in owners:
            fonts = owner.find(f".//{w('rFonts')}") if owner is not None else None
            if fonts is not None and fonts.eastAsia:
                font = fonts.eastAsia
                if lang is None or east_asian_of(lang) == self.east_asian:
                    return font
                table = SIMPLIFIED if lang == "zh-Hans" else {v: k for k, v in SIMPLIFIED.items()}
                return table.get(font, font)
        return None

    def mark_language(self, run: etree._Element, lang: str | None) -> None:
        """A run in another Chinese than the document's says so, with that Chinese's
        typeface; every other run takes its language and fonts from its styles."""
        if lang is None or east_asian_of(lang) == self.east_asian or lang == "en":
            return
        properties = ox.rpr(run)
        ox.set_fonts(properties, east_asia=self.east_asian_font(lang), hint="eastAsia")
        ox.set_language(properties, None, LANGUAGES[lang].word_lang)

    def _footnote_styles(self) -> None:
        """Word's own "footnote text" and "footnote reference" styles, if missing (Word
        looks them up by these names when a reader adds a note); the reference mark
        raised, as the PDF raises its note calls."""
        if self.find("footnote text") is None:
            style = self.add("paragraph", "FootnoteText", "footnote text", "Normal")
            ox.set_on(style.get_or_add_pPr(), "spacing", after="0", line="240", lineRule="auto")
            style.get_or_add_rPr().sz_val = 203200  # 8 pt in EMU
        mark = self.find("footnote reference")
        if mark is None:
            mark = self.add("character", "FootnoteReference", "footnote reference", None)
        ox.set_on(mark.get_or_add_rPr(), "vertAlign", val="superscript")

    def fonts_named(self) -> list[str]:
        """Every typeface the styles and defaults name, in order of first mention."""
        names: list[str] = []
        for fonts in self.styles.iter(w("rFonts")):
            for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
                value = fonts.get(w(attr))
                if value and value not in names:
                    names.append(value)
        return names


def declare_fonts(table: etree._Element, names: list[str]) -> None:
    """Font table entries for `names`, each with the alternate stock Office has."""
    known = {font.name: font for font in table.font_lst}
    for name in names:
        alternate = ALTERNATES.get(name)
        font = known.get(name)
        if font is None:
            font = table._add_font(name=name)
        if alternate is None:
            continue
        for child in list(font):
            font.remove(child)
        ox.set_on(font, "altName", val=alternate.alt_name)
        ox.set_on(font, "charset", val=alternate.charset)
        ox.set_on(font, "family", val=alternate.family)
        ox.set_on(font, "pitch", val="variable")
