"""HTML to DOCX: walk the semantic HTML the templates produce and write a Word document.

The PDF and the DOCX of an edition come from the same HTML, so they say the
same thing with the same footnotes. This writer understands a small, fixed
vocabulary of elements and refuses anything else with an error naming the
template and the element: content is never silently dropped.

Styles come from a reference document (`templates/docx/reference.docx`, or an
audience's own `reference.docx`), like Pandoc's: its body is cleared and its
styles, page set-up, numbering and settings are kept, so a designer changes
fonts, colours and spacing in Word or LibreOffice without Python. Raw XML that
python-docx lacks (footnotes, fields, East Asian fonts) lives in `docx_oxml`.

Vocabulary
----------
Document
  html, head                 head gives the core properties: <title> -> title,
                             <meta name="description"> -> subject, name="keywords"
                             -> keywords, name="dcterms.created" -> created and
                             modified (not the time of the build); the edition's
                             language -> language. <style> and other <meta> are
                             ignored (they are not content).
  body, main, section        containers; an `id` becomes a bookmark on the next
                             paragraph (the target of `<a href="#id">`).
  section.cover              the cover; it ends with a page break. The page
                             header and footer are left off the first page.
  nav.toc                    its h2/h3 -> "TOC Heading" paragraphs; its list ->
                             a TOC field (\\o "1-3" \\h \\z \\u), an ol.figures ->
                             a table of figures field (\\c "Figure", or
                             the edition's word for it: 圖), each with a
                             note asking the reader to update fields (Word does
                             so when the document is opened); it ends with a
                             page break. The list items themselves are not
                             copied: the field lists the same headings.
Blocks
  h1                         Title          h2 -> Heading 1, h3 -> Heading 2,
                                            h4 -> Heading 3
  p                          Normal; p.subtitle -> Subtitle, p.title-zh ->
                             Title (the bilingual cover), p.edition ->
                             Edition, p.as-of -> As Of, p.classification ->
                             Classification, p.cover-note -> Subtitle,
                             p.table-note -> Table Note,
                             p.figure-source -> Figure Source
  ul / ol > li               List Bullet / List Number (2 and 3 when nested;
                             each ol counts from 1); a further p in an li ->
                             List Continue
  dl > (div.figure-item >)   a two-column table ("Key Figures Table"): dt ->
  dt, dd                     Key Figure, dd -> Key Figure Label
  table.parallel > tr > td   blocks side by side (the bilingual edition): a
                             table without rules ("Parallel Table") whose cells
                             hold any of these blocks, in the td's `lang`
  table.data                 caption -> a Caption paragraph "Table N …" whose
                             number is a SEQ field named by the label's word
                             (SEQ Table, SEQ 表); then a Word table ("Brief
                             Table") whose thead row repeats on every page
                             (w:tblHeader); thead th -> Table Header (bold),
                             tbody th and td -> Table Text, class "num" right-
                             aligned. Rows never split across pages, and a
                             table that fits on a page is kept on one.
  figure.chart               img (data-png: the PNG's absolute path; alt: the
                             alt text, required; data-width-mm) -> an inline
                             picture whose wp:docPr descr and title are the alt
                             text; figcaption -> Caption paragraph "Figure N …"
                             with a SEQ Figure field; p.figure-source -> Figure
                             Source.
Inline
  span.footnote              a Word footnote with the span's text, at that
                             point (numbered continuously by Word)
  span.label                 the label of a caption ("Table 1", "表1"): its
                             number becomes the SEQ field; in the Caption Label
                             character style
  span lang="…"              text in another language (its fonts and w:lang)
  sup.note-ref               a further call of a footnote already set (the
                             bilingual edition's Chinese column): a NOTEREF field
                             showing its number
  em, i / strong, b / code   italic / bold / the Code character style
  a                          a hyperlink: href="#id" to the bookmark of that id,
                             http(s): and mailto: to the address
  br                         a line break

Whitespace is collapsed as a browser does; a line break between two Chinese
characters is removed, never turned into a space.

Fonts and languages: every run states its typefaces (Latin and East Asian,
resolved from its styles) and its language (`w:lang w:val="en-GB"
w:eastAsia="zh-HK"`), so that Chinese text gets the Hong Kong CJK font and
Hong Kong forms in every client (Simplified Chinese: the SC font and zh-CN).
Chinese text is set in sans-serif, as its PDF is: the styles' serif fonts are
swapped for their sans counterparts (`CJK_FONTS`, `SANS_FOR_CHINESE`). Any
block or inline element may say its own language with `lang` (zh-Hant-HK,
zh-Hans, en), as a bilingual edition's columns do; its runs follow it.

The package is written reproducibly: entries in sorted order with fixed
timestamps, and dates from the brief, so the same HTML gives the same bytes.
"""

from __future__ import annotations

import copy
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import lxml.html
from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.shared import Mm
from lxml import etree

from briefgen.edition.i18n import LANGUAGES, Messages
from briefgen.errors import BriefgenError
from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.oxml import w
from briefgen.writers.docx.reference import sanitised_reference

#: Chinese text is set in sans-serif, as brief.css.j2 sets it: the CJK font of
#: its script (Hong Kong forms for Traditional, mainland ones for Simplified),
#: and the Latin serif of the reference document swapped for its sans.
CJK_FONTS = {"zh-Hant": "Noto Sans CJK HK", "zh-Hans": "Noto Sans CJK SC"}
SANS_FOR_CHINESE = {"Noto Serif": "Noto Sans"}
#: For English text whose styles name no East Asian font.
EAST_ASIAN_FALLBACK = "Noto Serif CJK HK"
#: Language tags: Latin text is British English; CJK text in an English edition is
#: Hong Kong Chinese (its Chinese source titles are Hong Kong's).
LATIN_LANG = LANGUAGES["en"].word_lang
EAST_ASIAN_LANG = LANGUAGES["zh-Hant"].word_lang


def seq_name(label: str) -> str:
    """The name of a caption sequence from its label's word: "Table " -> Table, 圖 -> 圖."""
    return re.sub(r"\W+", "_", label.strip()).strip("_")


def language_of(tag: str | None) -> str | None:
    """The edition language an HTML `lang` tag names: zh-Hant-HK -> zh-Hant, en -> en."""
    tag = (tag or "").strip().lower()
    if tag.startswith("zh"):
        simplified = "hans" in tag or tag in ("zh-cn", "zh-sg")
        return "zh-Hans" if simplified and "zh-Hans" in LANGUAGES else "zh-Hant"
    if tag.startswith("en"):
        return "en"
    return None


HEADINGS = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
PARAGRAPH_CLASSES = {
    None: "Normal",
    "subtitle": "Subtitle",
    "title-zh": "Title",
    "edition": "Edition",
    "as-of": "As Of",
    "cover-note": "Subtitle",
    "classification": "Classification",
    "table-note": "Table Note",
    "figure-source": "Figure Source",
}
#: Left and right cell margins of the reference's table styles (2 mm each), in twips.
CELL_MARGINS = 2 * round(2 * 1440 / 25.4)
#: Shares of the text width: the key figure, then what it counts.
KEY_FIGURE_COLUMNS = (0.3, 0.7)
#: Running text after a table keeps 3 mm away from it (in twips).
SPACE_AFTER_TABLE = round(3 * 1440 / 25.4)
BODY_AFTER_TABLE = {"Normal", "List Bullet", "List Number"}
#: Placeholders of the page footer message -> Word fields.
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}
WHITESPACE = " \t\n\r\f"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TWIPS_PER_EMU = 1 / 635
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def write_docx(
    html: str,
    target: Path,
    lang: str,
    reference: Path,
    template: str,
    *,
    messages: Messages,
    assets: Sequence[Path] | None = None,
) -> list[str]:
    """Write `html` as the Word document `target`; return warnings worth showing.

    `reference` gives the styles; `template` names the template the HTML came
    from (for errors); `messages` gives the generated words (page footer, the
    note in the TOC); pictures are read only from below `assets`, if given.
    """
    root = parse_html(html, template)
    if lang not in LANGUAGES:  # bilingual: the language the document itself states
        lang = language_of(root.get("lang")) or lang
    document = open_reference(reference)
    writer = DocxWriter(document, lang, template, messages, reference, assets)
    writer.write(root)
    save_reproducibly(document, target)
    return writer.warnings


def parse_html(html: str, template: str) -> etree._Element:
    if not html.strip():
        raise BriefgenError(f"{template}: the template rendered an empty document")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    return lxml.html.document_fromstring(html, parser=parser)


def open_reference(reference: Path) -> DocumentObject:
    """The reference document with its body cleared (its final section settings stay)."""
    if not reference.is_file():
        raise BriefgenError(
            f"{reference}: no reference document "
            "(run `.venv/bin/python scripts/make_reference_docx.py` to create it)"
        )
    package = sanitised_reference(reference)  # reference.py: parts checked, no links out
    try:
        document = Document(package)
    except Exception as error:  # python-docx raises several kinds for a bad file
        raise BriefgenError(f"{reference}: not a Word document ({error})") from None
    body = document.element.body
    for child in list(body):
        if child.tag != w("sectPr"):
            body.remove(child)
    return document


def save_reproducibly(document: DocumentObject, target: Path | io.BytesIO) -> None:
    """Save with entries in sorted order and fixed timestamps: same document, same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source:
        entries = [(name, source.read(name)) for name in sorted(source.namelist())]
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            package.writestr(info, data)


# -- inline content --------------------------------------------------------------


@dataclass(frozen=True)
class Fmt:
    """Character formatting that inline elements switch on."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    label: bool = False
    href: str | None = None
    lang: str | None = None  #: an inline element's own `lang`


@dataclass
class Chars:
    text: str
    fmt: Fmt


@dataclass
class Footnote:
    element: etree._Element
    lang: str | None = None


@dataclass
class LineBreak:
    pass


@dataclass
class NoteRef:
    """A second call of a footnote already set (the bilingual edition's Chinese column)."""

    number: int
    fmt: Fmt


@dataclass
class Field:
    instruction: str
    result: str
    fmt: Fmt


Token = Chars | Footnote | LineBreak | Field | NoteRef


def _wide(char: str) -> bool:
    """A Chinese (or Japanese) character, between which a line break vanishes (CSS Text 3)."""
    if "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f" or "\uac00" <= char <= "\ud7a3":
        return False  # Hangul keeps its spaces
    return unicodedata.east_asian_width(char) in ("W", "F")


def collapse_whitespace(tokens: Sequence[Token]) -> list[Token]:
    """Collapse whitespace as a browser does (CSS `white-space: normal`).

    Runs of spaces, tabs and line breaks become one space; a run holding a line
    break between two Chinese characters disappears; spaces at the start and end
    of the paragraph and around a <br> go. Footnote calls and fields count as
    visible content.
    """
    items: list[tuple[str, Fmt] | Token] = []
    for token in tokens:
        if isinstance(token, Chars):
            items.extend((char, token.fmt) for char in _CONTROL.sub("", token.text))
        else:
            items.append(token)

    def is_char(item) -> bool:
        return isinstance(item, tuple)

    collapsed: list[tuple[str, Fmt] | Token] = []
    index = 0
    while index < len(items):
        item = items[index]
        if is_char(item) and item[0] in WHITESPACE:
            end = index
            segment_break = False
            while end < len(items) and is_char(items[end]) and items[end][0] in WHITESPACE:
                segment_break |= items[end][0] in "\n\r"
                end += 1
            before = collapsed[-1] if collapsed else None
            after = items[end] if end < len(items) else None
            between_wide = (
                is_char(before) and is_char(after) and _wide(before[0]) and _wide(after[0])
            )
            if not (segment_break and between_wide):
                collapsed.append((" ", item[1]))
            index = end
        else:
            collapsed.append(item)
            index += 1

    # Strip spaces at the edges of the paragraph and around line breaks.
    def strip(sequence):
        result = []
        for item in sequence:
            if (
                is_char(item)
                and item[0] == " "
                and (not result or isinstance(result[-1], LineBreak))
            ):
                continue
            result.append(item)
        return result

    collapsed = strip(collapsed)
    collapsed = list(reversed(strip(reversed(collapsed))))

    tokens_out: list[Token] = []
    for item in collapsed:
        if is_char(item):
            char, fmt = item
            last = tokens_out[-1] if tokens_out else None
            if isinstance(last, Chars) and last.fmt == fmt:
                last.text += char
            else:
                tokens_out.append(Chars(char, fmt))
        else:
            tokens_out.append(item)
    return tokens_out


def visible_text(element: etree._Element) -> str:
    """The text of an element as it reads in the line: footnote texts left out."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and "footnote" not in (child.get("class") or "").split():
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def text_of(tokens: Sequence[Token]) -> str:
    return "".join(t.text if isinstance(t, Chars) else "" for t in tokens)


# -- the writer --------------------------------------------------------------------


@dataclass
class Story:
    """Where paragraphs go (the body, a table cell, a header) and which part owns
    the relationships of what they contain (hyperlinks, pictures)."""

    part: Part
    container: etree._Element
    before: etree._Element | None = None  #: insert before this child (the body's sectPr)
    main: bool = False  #: the body: pending page breaks and bookmarks apply here
    width: int | None = None  #: twips available (a table cell); None: the text width

    def append(self, element: etree._Element) -> etree._Element:
        if self.before is not None:
            self.before.addprevious(element)
        else:
            self.container.append(element)
        return element


@dataclass
class InlineContext:
    in_footnote: bool = False
    seq: str | None = None  #: inside a caption: the SEQ identifier ("Table", "Figure")


@dataclass
class Metadata:
    title: str = ""
    subject: str = ""
    keywords: str = ""
    created: str | None = None
    edition: str = ""
    #: The audience's theme colour (`<meta name="theme-accent">`), for the title and headings.
    accent: str | None = None
    #: The audience's classification or distribution line, repeated in the footer.
    classification: str = ""


@dataclass
class _Pending:
    page_break: bool = False
    bookmarks: list[str] = field(default_factory=list)
    after_table: bool = False


class DocxWriter:
    def __init__(
        self,
        document: DocumentObject,
        lang: str,
        template: str,
        messages: Messages,
        reference: Path,
        assets: Sequence[Path] | None,
    ):
        if lang not in LANGUAGES:
            raise BriefgenError(f"no language {lang!r} (known: {', '.join(LANGUAGES)})")
        self.document = document
        self.lang = lang
        #: The language of the text being written: the edition's, or an element's `lang`.
        self.langs = [lang]
        self.template = template
        self.messages = messages
        self.reference = reference
        self.assets = [Path(root).resolve() for root in assets] if assets is not None else None
        self.warnings: list[str] = []
        self.styles = document.styles.element
        self.part = document.part
        self.body = Story(
            document.part, document.element.body, document.element.body.find(w("sectPr")), True
        )
        self.pending = _Pending()
        self.main_paragraphs: list[etree._Element] = []
        self.metadata = Metadata()
        self.bookmarks: dict[str, str] = {}  # HTML id -> bookmark name
        self.placed: set[str] = set()  # HTML ids whose bookmark is in the document
        self.note_calls: list[etree._Element] = []  # the run calling each footnote, in order
        self.links: list[str] = []  # internal link targets, checked at the end
        self.bookmark_ids = iter(range(1, 1_000_000))
        self.counters: dict[str, int] = {}  # caption sequence -> captions so far
        self._style_ids: dict[tuple[str, str], str] = {}
        self._prepare_styles()
        self.footnotes = ox.footnotes_part(document.part)
        settings = document.settings.element
        ox.set_footnote_properties(settings)
        ox.set_theme_font_language(settings, LATIN_LANG, self.east_asian_lang(lang))

    # -- styles and runs --

    def _prepare_styles(self) -> None:
        """Footnote styles if missing; the edition's fonts and languages on the styles."""
        ox.ensure_footnote_styles(self.styles)
        defaults = self.styles.find(f"{w('docDefaults')}/{w('rPrDefault')}")
        if defaults is None:
            doc_defaults = self.styles.find(w("docDefaults"))
            if doc_defaults is None:
                doc_defaults = OxmlElement("w:docDefaults")
                self.styles.insert(0, doc_defaults)
            defaults = OxmlElement("w:rPrDefault")
            doc_defaults.insert(0, defaults)
        owners = [defaults, *self.styles.iter(w("style"))]
        normal = self.style_id("Normal")
        chinese = self.lang in CJK_FONTS
        for owner in owners:
            is_normal = owner.get(w("styleId")) == normal
            rpr = owner.find(w("rPr"))
            if chinese and ((rpr is not None and rpr.find(w("rFonts")) is not None) or is_normal):
                rpr = ox.get_or_add_rpr(owner)
                latin = ox.fonts_of(rpr).get("ascii") or None
                ox.set_fonts(
                    rpr,
                    latin=SANS_FOR_CHINESE.get(latin, latin) if latin else None,
                    east_asia=CJK_FONTS[self.lang],
                )
            if owner is defaults or is_normal:
                rpr = ox.get_or_add_rpr(owner)
                ox.set_language(rpr, LATIN_LANG, self.east_asian_lang(self.lang))
        if chinese:  # justified, as the PDF sets Chinese text
            normal_style = ox.find_style(self.styles, normal)
            ox.set_attrs(
                ox.get_or_add(ox.get_or_add_ppr(normal_style), "jc", ox.PPR_ORDER), val="both"
            )
        self.fonts = ox.StyleFonts(self.styles)
        if "eastAsia" not in self.fonts.resolve(normal, None):
            normal_style = ox.find_style(self.styles, normal)
            ox.set_fonts(ox.get_or_add_rpr(normal_style), east_asia=EAST_ASIAN_FALLBACK)
            self.fonts = ox.StyleFonts(self.styles)

    def style_id(self, name: str, kind: str = "paragraph") -> str:
        """The id of the style called `name`; a plain one is added (with a warning) if
        the reference document lacks it."""
        key = (name, kind)
        if key not in self._style_ids:
            style = ox.find_style_by_name(self.styles, name)
            if style is None or style.get(w("type")) != kind:
                style_id = re.sub(r"[^A-Za-z0-9]", "", name)
                based_on = "Normal" if kind == "paragraph" else None
                ox.add_style(self.styles, kind, style_id, name, based_on, custom=True)
                self.warnings.append(
                    f"{self.reference}: no {kind} style '{name}'; added a plain one "
                    "(define it in the reference document)"
                )
                self.fonts = ox.StyleFonts(self.styles)
                self._style_ids[key] = style_id
            else:
                self._style_ids[key] = style.get(w("styleId"))
        return self._style_ids[key]

    @staticmethod
    def east_asian_lang(lang: str) -> str:
        """CJK text is in the text's own Chinese; in English text, Hong Kong's."""
        return LANGUAGES[lang].word_lang if lang in CJK_FONTS else EAST_ASIAN_LANG

    def dress(
        self,
        run: etree._Element,
        paragraph_style: str,
        char_style: str | None = None,
        lang: str | None = None,
    ):
        """State the run's fonts and language (see the module docstring)."""
        lang = lang or self.langs[-1]
        rpr = ox.get_or_add_rpr(run)
        fonts = self.fonts.resolve(paragraph_style, char_style)
        latin = fonts.get("ascii")
        if lang in CJK_FONTS:
            latin = SANS_FOR_CHINESE.get(latin, latin) if latin else None
            east_asia = CJK_FONTS[lang]
        else:
            east_asia = fonts.get("eastAsia") or EAST_ASIAN_FALLBACK
        ox.set_fonts(
            rpr,
            latin=latin,
            east_asia=east_asia,
            complex_script=SANS_FOR_CHINESE.get(fonts.get("cs"), fonts.get("cs"))
            if lang in CJK_FONTS and fonts.get("cs")
            else fonts.get("cs"),
            hint="eastAsia" if lang in CJK_FONTS else None,
        )
        ox.set_language(rpr, LATIN_LANG, self.east_asian_lang(lang))
        return run

    def run(
        self,
        paragraph_style: str,
        text: str | None,
        fmt: Fmt | None = None,
        char_style: str | None = None,
    ) -> etree._Element:
        fmt = fmt or Fmt()
        run = ox.text_run(text) if text is not None else OxmlElement("w:r")
        if char_style is None:
            if fmt.code:
                char_style = self.style_id("Code", "character")
            elif fmt.href:
                char_style = self.style_id("Hyperlink", "character")
            elif fmt.label:
                char_style = self.style_id("Caption Label", "character")
        rpr = ox.get_or_add_rpr(run)
        if char_style:
            ox.set_attrs(ox.get_or_add(rpr, "rStyle", ox.RPR_ORDER), val=char_style)
        if fmt.bold:
            ox.get_or_add(rpr, "b", ox.RPR_ORDER)
        if fmt.italic:
            ox.get_or_add(rpr, "i", ox.RPR_ORDER)
        return self.dress(run, paragraph_style, char_style, fmt.lang)

    # -- errors --

    def describe(self, element: etree._Element) -> str:
        classes = element.get("class")
        attr = f' class="{classes}"' if classes else ""
        line = f" (HTML line {element.sourceline})" if element.sourceline else ""
        return f"<{element.tag}{attr}>{line}"

    def refuse(self, element: etree._Element, why: str = "") -> BriefgenError:
        parent = element.getparent()
        where = f" inside <{parent.tag}>" if parent is not None else ""
        reason = why or "is not in the DOCX writer's vocabulary"
        return BriefgenError(
            f"{self.template}: {self.describe(element)}{where} {reason}; "
            "use the elements listed in src/briefgen/write_docx.py or extend the writer"
        )

    def classes(self, element: etree._Element) -> list[str]:
        return (element.get("class") or "").split()

    def no_loose_text(self, text: str | None, parent: etree._Element) -> None:
        if text and text.strip():
            raise BriefgenError(
                f"{self.template}: text {text.strip()[:40]!r} directly inside "
                f"{self.describe(parent)} is outside any paragraph; wrap it in <p>"
            )

    def children(self, parent: etree._Element) -> Iterator[etree._Element]:
        """The element children of a block container, refusing loose text."""
        self.no_loose_text(parent.text, parent)
        for child in parent:
            if isinstance(child.tag, str):
                yield child
            self.no_loose_text(child.tail, parent)

    # -- the document --

    def write(self, root: etree._Element) -> None:
        for child in self.children(root):
            if child.tag == "head":
                self.head(child)
            elif child.tag == "body":
                self.blocks(child)
            else:
                raise self.refuse(child)
        last = self.body.before.getprevious() if self.body.before is not None else None
        if last is not None and last.tag == w("tbl"):
            self.body.append(ox.new_paragraph())  # Word wants a paragraph after a table
        for target in self.links:
            if target not in self.placed:
                self.warnings.append(f"{self.template}: link to #{target}, which no element has")
        self.apply_theme()
        self.page_setup()
        self.core_properties()

    def head(self, head: etree._Element) -> None:
        for child in self.children(head):
            if child.tag == "title":
                self.metadata.title = " ".join((child.text_content() or "").split())
            elif child.tag == "meta":
                name, content = (child.get("name") or "").lower(), child.get("content") or ""
                if name == "description":
                    self.metadata.subject = content
                elif name == "keywords":
                    self.metadata.keywords = content
                elif name == "dcterms.created":
                    self.metadata.created = content
                elif name == "theme-accent" and re.fullmatch(r"#[0-9a-fA-F]{6}", content):
                    self.metadata.accent = content[1:].upper()
                elif name == "classification":
                    self.metadata.classification = content
            elif child.tag == "style":
                continue  # the PDF's look; the DOCX's comes from the reference document
            else:
                raise self.refuse(child)

    def blocks(self, parent: etree._Element, story: Story | None = None) -> None:
        for child in self.children(parent):
            self.block(child, story or self.body)

    def block(self, element: etree._Element, story: Story) -> None:
        """One block element, in its own language if it says so (`lang`)."""
        own = language_of(element.get("lang"))
        self.langs.append(own or self.langs[-1])
        try:
            self.block_content(element, story)
        finally:
            self.langs.pop()

    def block_content(self, element: etree._Element, story: Story) -> None:
        tag, classes = element.tag, self.classes(element)
        if element.get("id"):
            self.pending.bookmarks.append(element.get("id"))
        if tag == "section" and "cover" in classes:
            self.cover(element, story)
        elif tag in ("section", "main"):
            self.blocks(element, story)
        elif tag == "nav" and "toc" in classes:
            self.toc(element, story)
        elif tag in HEADINGS:
            self.paragraph(element, story, HEADINGS[tag])
        elif tag == "p":
            known = [c for c in classes if c in PARAGRAPH_CLASSES]
            if len(classes) > len(known) or len(known) > 1:
                raise self.refuse(element, "has a class the DOCX writer does not know")
            self.paragraph(element, story, PARAGRAPH_CLASSES[known[0] if known else None])
            if known == ["edition"] and not self.metadata.edition:
                self.metadata.edition = " ".join(element.text_content().split())
        elif tag in ("ul", "ol") and not classes:
            self.bullet_list(element, story, 0)
        elif tag == "dl":
            self.definitions(element, story)
        elif tag == "table" and "data" in classes:
            self.table(element, story)
        elif tag == "table" and "parallel" in classes:
            self.parallel(element, story)
        elif tag == "figure" and "chart" in classes:
            self.figure(element, story)
        else:
            raise self.refuse(element)

    # -- paragraphs --

    def new_paragraph(self, story: Story, style_name: str) -> tuple[etree._Element, str]:
        style = self.style_id(style_name)
        paragraph = ox.new_paragraph(style)
        if story.main or story.container.tag == w("tc"):
            if self.pending.page_break:  # in a table's first cell, the table moves
                ox.set_paragraph_property(paragraph, "pageBreakBefore")
                self.pending.page_break = False
            if self.pending.after_table and story.main:
                # A table cannot say how far the text after it keeps away (the PDF's
                # margin below tables), so running text after one says it.
                if style_name in BODY_AFTER_TABLE:
                    ox.set_paragraph_property(paragraph, "spacing", before=str(SPACE_AFTER_TABLE))
                self.pending.after_table = False
            for html_id in self.pending.bookmarks:
                name = self.bookmark_name(html_id)
                ox.add_bookmark(paragraph, name, next(self.bookmark_ids))
                self.placed.add(html_id)
            self.pending.bookmarks.clear()
        story.append(paragraph)
        if story.main:
            self.main_paragraphs.append(paragraph)
        return paragraph, style

    def bookmark_name(self, html_id: str) -> str:
        """Word's bookmark names: letters, digits and _, at most 40 characters; a leading
        _ hides them from the reader's bookmark list, like Word's own _Toc marks."""
        if html_id not in self.bookmarks:
            base = "_" + re.sub(r"[^A-Za-z0-9_]", "_", html_id)
            name, number = base[:40], 1
            while name in self.bookmarks.values():
                number += 1
                name = f"{base[: 40 - len(str(number)) - 1]}_{number}"
            self.bookmarks[html_id] = name
        return self.bookmarks[html_id]

    def paragraph(
        self,
        element: etree._Element,
        story: Story,
        style_name: str,
        context: InlineContext | None = None,
    ) -> etree._Element:
        paragraph, style = self.new_paragraph(story, style_name)
        tokens = self.inline(element, Fmt(), context or InlineContext())
        self.emit(paragraph, style, tokens, story)
        return paragraph

    def inline(self, element: etree._Element, fmt: Fmt, context: InlineContext) -> list[Token]:
        """The inline content of `element`, whitespace collapsed."""
        return collapse_whitespace(self.inline_tokens(element, fmt, context))

    def inline_tokens(self, element: etree._Element, fmt: Fmt, context: InlineContext):
        tokens: list[Token] = []
        if element.text:
            tokens.append(Chars(element.text, fmt))
        for child in element:
            if isinstance(child.tag, str):
                tokens.extend(self.inline_element(child, fmt, context))
            if child.tail:
                tokens.append(Chars(child.tail, fmt))
        return tokens

    def inline_element(self, element: etree._Element, fmt: Fmt, context: InlineContext):
        tag, classes = element.tag, self.classes(element)
        if language_of(element.get("lang")):
            fmt = replace(fmt, lang=language_of(element.get("lang")))
        if tag in ("strong", "b") and not classes:
            return self.inline_tokens(element, replace(fmt, bold=True), context)
        if tag in ("em", "i") and not classes:
            return self.inline_tokens(element, replace(fmt, italic=True), context)
        if tag == "code" and not classes:
            return self.inline_tokens(element, replace(fmt, code=True), context)
        if tag == "br":
            return [LineBreak()]
        if tag == "a":
            href = (element.get("href") or "").strip()
            if href.startswith("#") and len(href) > 1:
                self.links.append(href[1:])
            elif not re.match(r"(https?:|mailto:)", href):
                raise self.refuse(element, f"links to {href!r}; only #id, http(s): and mailto:")
            return self.inline_tokens(element, replace(fmt, href=href), context)
        if tag == "span" and classes == ["footnote"]:
            if context.in_footnote:
                raise self.refuse(element, "is a footnote inside a footnote")
            return [Footnote(element, fmt.lang)]
        if tag == "sup" and classes == ["note-ref"]:
            number = (element.text or "").strip()
            if len(element) or not number.isdigit():
                raise self.refuse(element, "should hold only the number of a footnote")
            return [NoteRef(int(number), fmt)]
        if tag == "span" and not classes and element.get("lang"):
            return self.inline_tokens(element, fmt, context)  # text in another language
        if tag == "span" and classes == ["label"]:
            label_fmt = replace(fmt, label=True)
            if context.seq and len(element) == 0:
                return self.caption_label(element.text or "", label_fmt, context.seq)
            return self.inline_tokens(element, label_fmt, context)
        raise self.refuse(element)

    def caption_label(self, text: str, fmt: Fmt, kind: str) -> list[Token]:
        """ "Table 1" -> "Table " + a SEQ Table field showing 1, "表1" -> "表" + SEQ 表:
        Word renumbers captions when tables move and lists them in a table of
        figures. The label's word is the sequence's name, as Word's own captions
        do, so each language counts its own tables (the bilingual edition)."""
        match = re.fullmatch(r"(.*?)(\d+)(\D*)", text, re.S)
        if not match:
            self.warnings.append(f"{self.template}: caption label {text!r} has no number")
            return [Chars(text, fmt)]
        prefix, number, suffix = match.groups()
        sequence = seq_name(prefix) or kind
        self.counters[sequence] = self.counters.get(sequence, 0) + 1
        if int(number) != self.counters[sequence]:
            self.warnings.append(
                f"{self.template}: caption {text.strip()!r} is {sequence} "
                f"{self.counters[sequence]} in document order; Word will renumber it"
            )
        return [
            Chars(prefix, fmt),
            Field(f"SEQ {sequence} \\* ARABIC", number, fmt),
            Chars(suffix, fmt),
        ]

    def emit(
        self, paragraph: etree._Element, style: str, tokens: Sequence[Token], story: Story
    ) -> None:
        """Append the runs of `tokens` to `paragraph` (hyperlinks wrap their runs)."""
        link: etree._Element | None = None
        link_href: str | None = None
        for token in tokens:
            href = token.fmt.href if isinstance(token, Chars | Field) else None
            if href != link_href:
                link, link_href = None, href
                if href:
                    if href.startswith("#"):
                        link = ox.hyperlink(anchor=self.bookmark_name(href[1:]))
                    else:
                        rel = story.part.relate_to(href, RT.HYPERLINK, is_external=True)
                        link = ox.hyperlink(relationship_id=rel)
                    paragraph.append(link)
            target = link if link is not None else paragraph
            for run in self.token_runs(token, style):
                target.append(run)

    def token_runs(self, token: Token, style: str) -> list[etree._Element]:
        if isinstance(token, Chars):
            return [self.run(style, token.text, token.fmt)]
        if isinstance(token, LineBreak):
            return [self.dress(ox.break_run(), style)]
        if isinstance(token, Field):
            return self.field(token.instruction, self.run(style, token.result, token.fmt))
        if isinstance(token, NoteRef):
            return self.note_reference(token, style)
        return [self.footnote(token, style)]

    def note_reference(self, token: NoteRef, style: str) -> list[etree._Element]:
        """Footnote `number` called again: a NOTEREF field to a bookmark on its first
        call, showing the number as a footnote number (Word's cross-reference)."""
        reference_style = self.style_id("footnote reference", "character")
        result = self.run(style, str(token.number), token.fmt, reference_style)
        if not 0 < token.number <= len(self.note_calls):
            self.warnings.append(
                f"{self.template}: a call of footnote {token.number} before the note is set"
            )
            return [result]
        call = self.note_calls[token.number - 1]
        name = f"_RefNote{token.number}"
        if call.getprevious() is None or call.getprevious().get(w("name")) != name:
            bookmark_id = str(next(self.bookmark_ids))
            call.addprevious(
                ox.set_attrs(OxmlElement("w:bookmarkStart"), id=bookmark_id, name=name)
            )
            call.addnext(ox.set_attrs(OxmlElement("w:bookmarkEnd"), id=bookmark_id))
        return self.field(f"NOTEREF {name} \\f \\h", result)

    def field(self, instruction: str, result: etree._Element, dirty: bool = False):
        """The runs of a field showing `result`; its other runs are formatted like it."""
        runs = ox.field_runs(instruction, [result], dirty)
        for run in runs:
            if run is not result:
                run.insert(0, copy.deepcopy(ox.get_or_add_rpr(result)))
        return runs

    def footnote(self, note: Footnote, style: str) -> etree._Element:
        """Write the note into footnotes.xml; return the run that calls it."""
        span, lang = note.element, note.lang
        note_style = self.style_id("footnote text")
        reference_style = self.style_id("footnote reference", "character")
        note_id, paragraph = ox.add_footnote(self.footnotes.element, note_style)
        for run in paragraph.iter(w("r")):
            rstyle = run.find(f"{w('rPr')}/{w('rStyle')}")
            if rstyle is not None:
                rstyle.set(w("val"), reference_style)
            self.dress(run, note_style, reference_style if rstyle is not None else None, lang)
        tokens = self.inline(span, Fmt(lang=lang), InlineContext(in_footnote=True))
        if not text_of(tokens).strip():
            raise self.refuse(span, "is an empty footnote")
        self.emit(paragraph, note_style, tokens, Story(self.footnotes, paragraph))
        call = self.dress(
            ox.footnote_reference_run(note_id, reference_style), style, reference_style, lang
        )
        self.note_calls.append(call)
        return call

    # -- cover and contents --

    def cover(self, section: etree._Element, story: Story) -> None:
        start = len(self.main_paragraphs)
        self.blocks(section, story)
        created = self.main_paragraphs[start:]
        if created:  # the PDF's cover starts a third of the way down the page
            spacing = ox.get_or_add(ox.get_or_add_ppr(created[0]), "spacing", ox.PPR_ORDER)
            ox.set_attrs(spacing, before=str(round(Mm(55) * _TWIPS_PER_EMU)))
        self.pending.page_break = True

    def toc(self, nav: etree._Element, story: Story) -> None:
        for child in self.children(nav):
            if child.tag in ("h2", "h3"):
                self.paragraph(child, story, "TOC Heading")
            elif child.tag in ("ol", "ul"):
                for item in self.children(child):
                    if item.tag != "li":
                        raise self.refuse(item)
                if "figures" in self.classes(child):
                    # the captions' sequence: the word of this edition's figure label
                    label = self.messages.t("figure", self.lang, number=1)
                    sequence = seq_name(re.sub(r"\d+", "", label)) or "Figure"
                    instruction = f'TOC \\h \\z \\c "{sequence}"'
                elif not self.classes(child):
                    instruction = 'TOC \\o "1-3" \\h \\z \\u'
                else:
                    raise self.refuse(child)
                paragraph, style = self.new_paragraph(story, "Normal")
                note = self.run(style, self.messages.t("docx_update_field", self.lang))
                for run in self.field(instruction, note, dirty=True):
                    paragraph.append(run)
            else:
                raise self.refuse(child)
        self.pending.page_break = True

    # -- lists --

    def bullet_list(self, element: etree._Element, story: Story, level: int) -> None:
        kind = "List Bullet" if element.tag == "ul" else "List Number"
        style_name = kind if level == 0 else f"{kind} {min(level + 1, 3)}"
        num_id = None
        if element.tag == "ol":
            numbering = self.document.part.numbering_part.element
            linked = ox.style_num_id(self.styles, self.style_id(style_name))
            if linked is not None:
                num_id = ox.restart_numbering(numbering, linked)
        for item in self.children(element):
            if item.tag != "li" or self.classes(item):
                raise self.refuse(item)
            self.list_item(item, story, style_name, num_id, level)

    def list_item(
        self, item: etree._Element, story: Story, style_name: str, num_id: int | None, level: int
    ) -> None:
        tokens: list[Token] = []
        paragraphs = 0

        def flush(tokens: list[Token], style_name: str) -> None:
            nonlocal paragraphs
            collapsed = collapse_whitespace(tokens)
            if not collapsed:
                return
            name = style_name if paragraphs == 0 else "List Continue"
            paragraph, style = self.new_paragraph(story, name)
            if num_id is not None and paragraphs == 0:
                ox.set_numbering(paragraph, num_id)
            self.emit(paragraph, style, collapsed, story)
            paragraphs += 1

        if item.text:
            tokens.append(Chars(item.text, Fmt()))
        for child in item:
            if child.tag in ("ul", "ol"):
                flush(tokens, style_name)
                tokens = []
                self.bullet_list(child, story, level + 1)
            elif child.tag == "p":
                flush(tokens, style_name)
                tokens = []
                flush(self.inline_tokens(child, Fmt(), InlineContext()), style_name)
            elif isinstance(child.tag, str):
                tokens.extend(self.inline_element(child, Fmt(), InlineContext()))
            if child.tail:
                tokens.append(Chars(child.tail, Fmt()))
        flush(tokens, style_name)

    # -- tables --

    def story_width(self, story: Story) -> int:
        return story.width if story.width is not None else self.text_width()

    def text_width(self) -> int:
        """The width of the text column, in twips."""
        section = self.document.sections[-1]
        emu = section.page_width - section.left_margin - section.right_margin
        return round(emu * _TWIPS_PER_EMU)

    def column_widths(self, rows: list[list[etree._Element]], total: int) -> list[int]:
        """Column widths from the longest text in each column (CJK counts double),
        within limits, so that a label column is wide and a number column narrow."""
        columns = max(len(row) for row in rows)
        lengths = [6] * columns
        for row in rows:
            for index, cell in enumerate(row):
                text = " ".join(visible_text(cell).split())
                size = sum(2 if _wide(char) else 1 for char in text)
                lengths[index] = max(lengths[index], min(size, 40))
        widths = [total * length // sum(lengths) for length in lengths]
        widths[-1] += total - sum(widths)
        return widths

    def add_table(
        self,
        story: Story,
        style_name: str,
        rows: list[tuple[bool, list[etree._Element]]],
        shares: Sequence[float] | None = None,
    ) -> etree._Element:
        """A table of HTML cells; each row is (is_header, cells). Column widths are
        `shares` of the text width, or follow the cells' text.

        The table is kept on one page where it fits (as the PDF's `break-inside:
        avoid`): every row's paragraphs keep with the next row.
        """
        total = self.story_width(story)
        if shares:
            widths = [round(total * share) for share in shares]
        else:
            widths = self.column_widths([cells for _, cells in rows], total)
        table = story.append(ox.new_table(self.style_id(style_name, "table"), widths))
        for number, (header, cells) in enumerate(rows, start=1):
            row = ox.add_row(table, header)
            for index in range(len(widths)):
                cell = ox.add_cell(row, widths[index])
                cell_story = Story(story.part, cell, width=widths[index] - CELL_MARGINS)
                if index < len(cells):
                    self.cell(cells[index], cell_story, header)
                else:
                    cell.append(ox.new_paragraph(self.style_id("Table Text")))
            if number < len(rows):
                for paragraph in row.iter(w("p")):
                    ox.set_paragraph_property(paragraph, "keepNext")
        return table

    def cell(self, element: etree._Element, story: Story, header: bool) -> None:
        if element.tag in ("dt", "dd"):
            style = "Key Figure" if element.tag == "dt" else "Key Figure Label"
        else:
            style = "Table Header" if header else "Table Text"
        if element.get("colspan") or element.get("rowspan"):
            raise self.refuse(element, "spans cells, which the DOCX writer does not support")
        blocks = [child for child in element if isinstance(child.tag, str) and child.tag == "p"]
        sources = blocks if blocks else [element]
        if blocks:
            for child in self.children(element):  # paragraphs only, no loose text
                if child.tag != "p":
                    raise self.refuse(child, "sits beside paragraphs in a table cell")
        for source in sources:
            paragraph = self.paragraph(source, story, style)
            if "num" in self.classes(element):
                ox.set_paragraph_property(paragraph, "jc", val="right")

    def table(self, table: etree._Element, story: Story) -> None:
        rows: list[tuple[bool, list[etree._Element]]] = []
        caption = None

        def add_rows(parent: etree._Element, header: bool) -> None:
            for row in self.children(parent):
                if row.tag != "tr":
                    raise self.refuse(row)
                cells = list(self.children(row))
                for cell in cells:
                    if cell.tag not in ("th", "td"):
                        raise self.refuse(cell)
                rows.append((header, cells))

        for child in self.children(table):
            if child.tag == "caption" and caption is None and not rows:
                caption = child
            elif child.tag == "thead":
                add_rows(child, True)
            elif child.tag == "tbody":
                add_rows(child, False)
            elif child.tag == "tr":
                rows.append((False, list(self.children(child))))
            else:
                raise self.refuse(child)
        if not rows:
            raise self.refuse(table, "has no rows")
        if caption is not None:
            self.paragraph(caption, story, "Caption", InlineContext(seq="Table"))
        self.add_table(story, "Brief Table", rows)
        self.pending.after_table = True

    def parallel(self, table: etree._Element, story: Story) -> None:
        """Blocks side by side, one row per pair (the bilingual edition): a table
        without rules whose cells hold blocks, each cell in its own `lang`."""
        rows: list[list[etree._Element]] = []
        for child in self.children(table):
            found = list(self.children(child)) if child.tag == "tbody" else [child]
            for row in found:
                if row.tag != "tr":
                    raise self.refuse(row)
                cells = list(self.children(row))
                for cell in cells:
                    if cell.tag != "td":
                        raise self.refuse(cell)
                rows.append(cells)
        if not rows:
            raise self.refuse(table, "has no rows")
        columns = max(len(cells) for cells in rows)
        total = self.story_width(story)
        widths = [total // columns] * columns
        grid = story.append(ox.new_table(self.style_id("Parallel Table", "table"), widths))
        for cells in rows:
            row = ox.add_row(grid, split=True)
            for index, width in enumerate(widths):
                cell = ox.add_cell(row, width)
                if index < len(cells):
                    self.langs.append(language_of(cells[index].get("lang")) or self.langs[-1])
                    try:
                        self.blocks(
                            cells[index], Story(story.part, cell, width=width - CELL_MARGINS)
                        )
                    finally:
                        self.langs.pop()
                last = cell[-1]
                if last.tag != w("p"):  # Word ends every cell with a paragraph
                    cell.append(ox.new_paragraph(self.style_id("Table Text")))
        self.pending.after_table = True

    def definitions(self, dl: etree._Element, story: Story) -> None:
        """A definition list (the key figures): one row per term, its description beside it."""
        rows: list[tuple[bool, list[etree._Element]]] = []

        def take(element: etree._Element) -> None:
            if element.tag == "dt":
                rows.append((False, [element]))
            elif element.tag == "dd" and rows:
                rows[-1][1].append(element)
            else:
                raise self.refuse(element)

        for child in self.children(dl):
            if child.tag == "div" and self.classes(child) == ["figure-item"]:
                for grandchild in self.children(child):
                    take(grandchild)
            else:
                take(child)
        if not rows:
            raise self.refuse(dl, "is empty")
        if any(len(cells) > 2 for _, cells in rows):
            raise self.refuse(dl, "has a term with several descriptions")
        self.add_table(story, "Key Figures Table", rows, KEY_FIGURE_COLUMNS)
        self.pending.after_table = True

    # -- figures --

    def figure(self, figure: etree._Element, story: Story) -> None:
        image = caption = None
        sources = []
        for child in self.children(figure):
            if child.tag == "img" and image is None:
                image = child
            elif child.tag == "figcaption" and caption is None:
                caption = child
            elif child.tag == "p" and self.classes(child) == ["figure-source"]:
                sources.append(child)
            else:
                raise self.refuse(child)
        if image is None:
            raise self.refuse(figure, "has no <img>")
        alt = " ".join((image.get("alt") or "").split())
        if not alt:
            raise self.refuse(
                image, "has no alt text; a chart needs one for readers who cannot see it"
            )
        path = Path(image.get("data-png") or "")
        if not path.is_absolute() or not path.is_file():
            raise self.refuse(image, f"names no PNG file in data-png ({str(path)!r})")
        resolved = path.resolve()
        if self.assets is not None and not any(resolved.is_relative_to(r) for r in self.assets):
            raise self.refuse(image, f"points outside the project's asset folders ({path})")
        try:
            width_mm = float(image.get("data-width-mm") or 160)
        except ValueError:
            raise self.refuse(image, "has a data-width-mm that is not a number") from None
        width = min(Mm(width_mm), self.story_width(story) * 635)
        paragraph, style = self.new_paragraph(story, "Figure")
        try:
            inline = self.part.new_pic_inline(str(resolved), width=width)
        except Exception as error:  # python-docx: unrecognised or broken image
            raise self.refuse(image, f"has an unreadable picture ({error})") from None
        ox.describe_picture(inline, alt, alt)
        run = self.dress(OxmlElement("w:r"), style)
        drawing = OxmlElement("w:drawing")
        drawing.append(inline)
        run.append(drawing)
        paragraph.append(run)
        if caption is not None:
            self.paragraph(caption, story, "Caption", InlineContext(seq="Figure"))
        for source in sources:
            self.paragraph(source, story, "Figure Source")

    # -- page, header, footer, properties --

    def page_setup(self) -> None:
        """Header (title, edition) and footer (page X of Y) on every page but the cover."""
        for section in self.document.sections:
            section.different_first_page_header_footer = True
            for part_of, style_name, fill in (
                (section.header, "Header", self.header_runs),
                (section.footer, "Footer", self.footer_runs),
                (section.first_page_header, "Header", None),
                (section.first_page_footer, "Footer", None),
            ):
                part_of.is_linked_to_previous = False
                container = part_of.part.element
                for child in list(container):
                    container.remove(child)
                style = self.style_id(style_name)
                paragraph = ox.new_paragraph(style)
                container.append(paragraph)
                if fill is not None:
                    fill(paragraph, style)

    def apply_theme(self) -> None:
        """The audience's accent colour on the title and heading styles."""
        if not self.metadata.accent:
            return
        for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "TOC Heading"):
            style = ox.find_style_by_name(self.styles, name)
            if style is not None:
                color = ox.get_or_add(ox.get_or_add_rpr(style), "color", ox.RPR_ORDER)
                for attribute in list(color.attrib):
                    del color.attrib[attribute]
                ox.set_attrs(color, val=self.metadata.accent)

    def header_runs(self, paragraph: etree._Element, style: str) -> None:
        title = self.metadata.title
        paragraph.append(self.run(style, title))
        if self.metadata.edition:
            width = self.text_width()
            ppr = ox.get_or_add_ppr(paragraph)
            tabs = ox.get_or_add(ppr, "tabs", ox.PPR_ORDER)
            style_tabs = ox.find_style(self.styles, style)
            for tab in style_tabs.iter(w("tab")) if style_tabs is not None else []:
                if tab.get(w("pos")) != str(width):
                    tabs.append(
                        ox.set_attrs(OxmlElement("w:tab"), val="clear", pos=tab.get(w("pos")))
                    )
            tabs.append(ox.set_attrs(OxmlElement("w:tab"), val="right", pos=str(width)))
            tab_run = self.dress(OxmlElement("w:r"), style)
            tab_run.append(OxmlElement("w:tab"))
            paragraph.append(tab_run)
            paragraph.append(self.run(style, self.metadata.edition))

    def footer_runs(self, paragraph: etree._Element, style: str) -> None:
        ox.set_paragraph_property(paragraph, "jc", val="right")
        if self.metadata.classification:
            paragraph.append(self.run(style, f"{self.metadata.classification}  ·  "))
        for part in self.messages.fields("page_x_of_y", self.lang):
            if isinstance(part, str):
                paragraph.append(self.run(style, part))
                continue
            name = part[0]
            if name not in PAGE_FIELDS:
                raise BriefgenError(
                    f"{self.messages.path}: page_x_of_y has a placeholder {{{name}}}; "
                    f"the DOCX footer knows only {', '.join(PAGE_FIELDS)}"
                )
            for run in self.field(PAGE_FIELDS[name], self.run(style, "1")):
                paragraph.append(run)

    def core_properties(self) -> None:
        properties = self.document.core_properties
        properties.title = self.fit("title", self.metadata.title)
        properties.subject = self.fit("subject", self.metadata.subject)
        properties.keywords = self.fit("keywords", self.metadata.keywords)
        properties.language = LANGUAGES[self.lang].word_lang
        properties.author = ""
        properties.last_modified_by = ""
        properties.comments = ""
        properties.category = ""
        properties.revision = 1
        created = self.created()
        properties.created = created
        properties.modified = created

    def fit(self, name: str, value: str, limit: int = 255) -> str:
        """A core property within the 255 characters Word's properties hold: keywords
        lose their last entries, other texts are shortened (with a warning)."""
        if len(value) <= limit:
            return value
        if name == "keywords":
            kept = value[: limit + 1].rsplit(",", 1)[0]
            return kept if len(kept) <= limit else value[:limit]
        self.warnings.append(
            f"{self.template}: the {name} is longer than Word's {limit} characters; shortened"
        )
        return value[: limit - 1] + "…"

    def created(self) -> dt.datetime:
        """The brief's date (dcterms.created), not the time of the build."""
        value = self.metadata.created
        if value:
            try:
                parsed = dt.datetime.fromisoformat(value)
            except ValueError:
                raise BriefgenError(
                    f"{self.template}: meta dcterms.created {value!r} is not an ISO date"
                ) from None
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
        epoch = os.environ.get("SOURCE_DATE_EPOCH")
        self.warnings.append(
            f'{self.template}: no <meta name="dcterms.created">; the DOCX is dated '
            + ("SOURCE_DATE_EPOCH" if epoch else "1 January 1980")
        )
        if epoch:
            return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        return dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
