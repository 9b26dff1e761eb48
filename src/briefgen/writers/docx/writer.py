"""HTML to DOCX: walk the semantic HTML the templates produce and write a Word document.

The PDF and the DOCX of an edition come from the same HTML, so they say the
same thing with the same footnotes. The writer reads nothing but that HTML
(and the reference document for styles): the language is `<html lang>`, the
properties and the page footer's words are in `<head>`, pictures are `data:`
URLs. It understands a small, fixed vocabulary (`vocabulary.py`, which `briefgen check`
reads too; dispatched by `BLOCKS` here and `HANDLERS` in `inline.py`) and
refuses anything else with an error naming the template and
the element: content is never silently dropped.

Vocabulary
----------
head          <title> -> title; <meta name=…>: description -> subject, keywords,
              author, organisation (-> app.xml Company), dcterms.created -> the
              dates, theme-accent -> heading colour, classification -> footer,
              page-footer -> footer text ({page} and {pages} become fields)
section.cover the cover; a page break after it, no header or footer on its page
nav.toc       h2/h3 -> TOC Heading; its ol -> a TOC field, ol.figures -> a table
              of figures field, each already filled with the list's entries
              (linked to their headings and figures, without page numbers: only
              a layout knows them); a page break after it. A list of figures
              whose entries carry two languages is built from TC fields the
              figures carry (`TOC \\f F`), as the captions are one language each
section, main containers; an `id` becomes a bookmark on the next paragraph
h1–h4         Title, Heading 1–3;  p (by class: `PARAGRAPH_STYLES`)
ul/ol > li    List Bullet / List Number (2 and 3 nested; each ol counts from 1)
dl            key figures: a two-column table (tables.py)
table.data    caption (a SEQ field) + a table with a repeating header row
table.parallel  the bilingual columns; a first row of two headings becomes one;
              its colgroup (the PDF's column widths) is skipped: Word's are even
figure.chart  img (src: SVG data: URL; data-png: PNG data: URL; alt; data-width-mm)
              + figcaption (Caption, SEQ field) + p.figure-source
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html
from docx.document import Document as DocumentObject
from docx.shared import Mm
from lxml import etree

from briefgen.edition.i18n import LANGUAGES
from briefgen.errors import BriefgenError
from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx import package as pkg
from briefgen.writers.docx.inline import (
    Chars,
    Fmt,
    InlineContext,
    InlineReader,
    RunWriter,
    Token,
    classes,
    collapse_whitespace,
)
from briefgen.writers.docx.page import FIGURE_ENTRIES, PageMixin
from briefgen.writers.docx.styles import StyleSheet, declare_fonts, language_of
from briefgen.writers.docx.tables import Story, TablesMixin
from briefgen.writers.docx.vocabulary import PARAGRAPH_STYLES, refusal

__all__ = ["collapse_whitespace", "write_docx"]

HEADINGS = {"h1": "Title", "h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3"}
#: Running text after a table keeps 3 mm away from it (in twips).
SPACE_AFTER_TABLE = round(3 * 1440 / 25.4)
BODY_AFTER_TABLE = {"Normal", "List Bullet", "List Number"}
#: The cover starts a third of the way down the page, as the PDF's does.
COVER_TOP = round(Mm(55) / 635)
META = {"description": "subject", "keywords": "keywords", "author": "author",
        "organisation": "organisation", "dcterms.created": "created"}  # fmt: skip


def write_docx(html: str, target: Path, reference: Path, template: str) -> list[str]:
    """Write `html` as the Word document `target`; return warnings worth showing.

    `reference` gives the styles; `template` names the template the HTML came
    from (for errors).
    """
    if not html.strip():
        raise BriefgenError(f"{template}: the template rendered an empty document")
    parser = lxml.html.HTMLParser(remove_comments=True, remove_pis=True)
    root = lxml.html.document_fromstring(html, parser=parser)
    lang = language_of(root.get("lang"))
    if lang not in LANGUAGES:
        raise BriefgenError(
            f"{template}: <html lang={root.get('lang')!r}> names no language the DOCX "
            f"writer knows ({', '.join(value.html for value in LANGUAGES.values())})"
        )
    document = pkg.open_reference(reference)
    writer = DocxWriter(document, lang, template, str(reference))
    writer.write(root)
    pkg.save_reproducibly(document, target)
    return writer.warnings


@dataclass
class Head:
    """What the HTML's head says beyond the core properties."""

    accent: str | None = None
    classification: str = ""
    footer: str = ""
    edition: str = ""


@dataclass
class _Pending:
    page_break: bool = False
    bookmarks: list[str] = field(default_factory=list)
    after_table: bool = False


class DocxWriter(TablesMixin, PageMixin):
    HEADINGS = HEADINGS

    def __init__(self, document: DocumentObject, lang: str, template: str, reference: str):
        self.document = document
        self.lang = lang
        self.langs = [lang]  #: the language of the text being written (an element's `lang`)
        self.template = template
        self.warnings: list[str] = []
        self.styles = StyleSheet(document.styles.element, lang, reference, self.warnings)
        self.body = Story(
            document.part, document.element.body, document.element.body.find(ox.w("sectPr")), True
        )
        self.pending = _Pending()
        self.main_paragraphs: list[etree._Element] = []
        self.properties = pkg.Properties(language=LANGUAGES[lang].word_lang)
        self.head_info = Head()
        self.bookmarks: dict[str, str] = {}  #: HTML id -> bookmark name
        self.placed: set[str] = set()  #: HTML ids whose bookmark is in the document
        self._ids = iter(range(1, 1_000_000))
        self.figure_lists: list[etree._Element] = []  #: instrText of each list of figures
        #: figure id -> its entry in a list of figures that says more than the caption
        self.figure_entries: dict[str, str] = {}
        self.reader = InlineReader(template, self.refuse, self.warnings)
        footnotes = ox.footnotes_part(document.part)
        self.runs = RunWriter(
            self.styles, self.reader, footnotes.element, footnotes,
            self.bookmark_name, lambda: next(self._ids),
        )  # fmt: skip

    # -- errors and walking --

    def refuse(self, element: etree._Element, why: str = "") -> BriefgenError:
        names = element.get("class")
        attr = f' class="{names}"' if names else ""
        line = f" (HTML line {element.sourceline})" if element.sourceline else ""
        parent = element.getparent()
        where = f" inside <{parent.tag}>" if parent is not None else ""
        reason = why or "is not in the DOCX writer's vocabulary"
        return BriefgenError(
            f"{self.template}: <{element.tag}{attr}>{line}{where} {reason}; "
            "use the elements listed in docs or extend src/briefgen/writers/docx/"
        )

    def children(self, parent: etree._Element) -> Iterator[etree._Element]:
        """The element children of a block container, refusing loose text."""
        self.no_loose_text(parent.text, parent)
        for child in parent:
            if isinstance(child.tag, str):
                yield child
            self.no_loose_text(child.tail, parent)

    def no_loose_text(self, text: str | None, parent: etree._Element) -> None:
        if text and text.strip():
            raise BriefgenError(
                f"{self.template}: text {text.strip()[:40]!r} directly inside <{parent.tag}> "
                f"(HTML line {parent.sourceline}) is outside any paragraph; wrap it in <p>"
            )

    def in_language(self, lang: str | None, write: Callable, *args) -> None:
        self.langs.append(lang or self.langs[-1])
        try:
            write(*args)
        finally:
            self.langs.pop()

    # -- the document --

    def write(self, root: etree._Element) -> None:
        for child in self.children(root):
            if child.tag == "head":
                self.head(child)
            elif child.tag == "body":
                self.styles.prepare(self.head_info.accent)
                self.blocks(child, self.body)
            else:
                raise self.refuse(child)
        last = self.body.before.getprevious() if self.body.before is not None else None
        if last is not None and last.tag == ox.w("tbl"):
            self.body.append(ox.new_paragraph())  # Word wants a paragraph after a table
        for target in self.reader.links:
            if target not in self.placed:
                self.warnings.append(f"{self.template}: link to #{target}, which no element has")
        for instruction in self.figure_lists:
            sequence = self.reader.sequences.get("Figure", "Figure")
            instruction.text = f' TOC \\h \\z \\c "{sequence}" '
        self.page_setup()
        settings = self.document.settings.element
        ox.set_footnote_properties(settings)
        east_asian = "zh-Hans" if self.lang == "zh-Hans" else "zh-Hant"
        ox.settle_settings(settings, LANGUAGES["en"].word_lang, LANGUAGES[east_asian].word_lang)
        pkg.font_table(self.document, lambda table: declare_fonts(table, self.styles.fonts_named()))
        pkg.set_properties(self.document, self.properties, self.warnings, self.template)

    def head(self, head: etree._Element) -> None:
        for child in self.children(head):
            if child.tag == "title":
                self.properties.title = " ".join((child.text_content() or "").split())
            elif child.tag == "meta":
                name, content = (child.get("name") or "").lower(), child.get("content") or ""
                if name in META:
                    setattr(self.properties, META[name], content)
                elif name == "theme-accent" and len(content) == 7 and content.startswith("#"):
                    self.head_info.accent = content[1:].upper()
                elif name in ("classification", "page-footer"):
                    setattr(self.head_info, name.split("-")[-1], content)
            elif child.tag != "style":  # <style> is the PDF's look; the DOCX's is the reference
                raise self.refuse(child)

    def blocks(self, parent: etree._Element, story: Story) -> None:
        for child in self.children(parent):
            self.in_language(language_of(child.get("lang")), self.block, child, story)

    def block(self, element: etree._Element, story: Story) -> None:
        if element.get("id"):
            self.pending.bookmarks.append(element.get("id"))
        names = classes(element)
        why = refusal(element.tag, names)  # the table `check` reads too
        if why:
            raise self.refuse(element, why)
        by_class = BLOCKS.get(element.tag, {})
        handler = next((by_class[name] for name in names if name in by_class), None)
        handler = handler or by_class.get(None if not names else "*") or by_class.get("any")
        if handler is None:
            raise self.refuse(element, "cannot stand here: it is not a block")
        handler(self, element, story)

    # -- paragraphs --

    def new_paragraph(self, story: Story, style_name: str) -> etree._Element:
        paragraph = ox.new_paragraph(self.styles.style_id(style_name))
        if story.main or story.container.tag == ox.w("tc"):
            if self.pending.page_break:  # in a table's first cell, the table moves
                ox.page_breaks_before(paragraph)
                self.pending.page_break = False
            if self.pending.after_table and story.main:
                # A table cannot say how far the text after it keeps away (the PDF's
                # margin below tables), so running text after one says it.
                if style_name in BODY_AFTER_TABLE:
                    ox.space_before(paragraph, SPACE_AFTER_TABLE)
                self.pending.after_table = False
            for html_id in self.pending.bookmarks:
                if html_id in self.placed:
                    continue  # the bilingual columns repeat a figure's id: one bookmark
                ox.add_bookmark(next(self._ids), self.bookmark_name(html_id), paragraph)
                self.placed.add(html_id)
            self.pending.bookmarks.clear()
        story.append(paragraph)
        if story.main:
            self.main_paragraphs.append(paragraph)
        return paragraph

    def bookmark_name(self, html_id: str) -> str:
        """Word's bookmark names: letters, digits and _, at most 40 characters; a leading
        _ hides them from the reader's bookmark list, like Word's own _Toc marks."""
        if html_id not in self.bookmarks:
            base = "_" + "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_"
                                 for c in html_id)  # fmt: skip
            name, number = base[:40], 1
            while name in self.bookmarks.values():
                number += 1
                name = f"{base[: 40 - len(str(number)) - 1]}_{number}"
            self.bookmarks[html_id] = name
        return self.bookmarks[html_id]

    def paragraph(
        self, element: etree._Element, story: Story, style_name: str, context=None
    ) -> etree._Element:
        paragraph = self.new_paragraph(story, style_name)
        fmt = Fmt(lang=self.langs[-1] if self.langs[-1] != self.lang else None)
        tokens = self.reader.inline(element, fmt, context or InlineContext())
        self.runs.emit(paragraph, tokens, story.part)
        return paragraph

    def styled_paragraph(self, element: etree._Element, story: Story) -> None:
        names = classes(element)
        known = [name for name in names if name in PARAGRAPH_STYLES]
        if len(names) > len(known) or len(known) > 1:
            raise self.refuse(element, "has a class the DOCX writer does not know")
        self.paragraph(element, story, PARAGRAPH_STYLES[known[0] if known else None])

    def heading(self, element: etree._Element, story: Story) -> None:
        self.paragraph(element, story, HEADINGS[element.tag])

    def joined_heading(self, headings: list[tuple[etree._Element, str | None]], story) -> None:
        """One heading from the same heading in several languages: "Summary · 摘要"."""
        paragraph = self.new_paragraph(story, HEADINGS[headings[0][0].tag])
        tokens: list[Token] = []
        for index, (element, lang) in enumerate(headings):
            if index:
                tokens.append(Chars(" · ", Fmt()))
            own = lang if lang != self.lang else None
            tokens.extend(self.reader.inline(element, Fmt(lang=own), InlineContext()))
        self.runs.emit(paragraph, tokens, story.part)

    # -- cover and contents --

    def cover(self, section: etree._Element, story: Story) -> None:
        start = len(self.main_paragraphs)
        self.blocks(section, story)
        created = self.main_paragraphs[start:]
        if created:
            ox.set_on(ox.ppr(created[0]), "spacing", before=str(COVER_TOP))
        self.pending.page_break = True

    def toc(self, nav: etree._Element, story: Story) -> None:
        """The contents and the list of figures: Word fields (so Word can update them)
        whose results are the HTML's own lists, linked to their targets."""
        for child in self.children(nav):
            if child.tag in ("h2", "h3"):
                self.paragraph(child, story, "TOC Heading")
            elif child.tag in ("ol", "ul") and classes(child) in ([], ["figures"]):
                figures = classes(child) == ["figures"]
                instruction = "TOC \\h \\z \\c Figure" if figures else 'TOC \\o "1-3" \\h \\z \\u'
                items = list(self.children(child))
                if any(item.tag != "li" for item in items):
                    raise self.refuse(next(item for item in items if item.tag != "li"))
                entries = self.bilingual_entries(items) if figures else {}
                if entries:  # Word lists the entries the figures carry (TC fields)
                    instruction = f"TOC \\h \\z \\f {FIGURE_ENTRIES}"
                    self.figure_entries.update(entries)
                start = ox.field_start(instruction)
                if figures and not entries:
                    self.figure_lists.append(start[1].find(ox.w("instrText")))
                paragraphs = [
                    self.paragraph(item, story, "table of figures" if figures else "toc 1")
                    for item in items
                ]
                if paragraphs:
                    first = paragraphs[0].find(ox.w("pPr"))
                    for run in reversed(start):
                        first.addnext(run)
                    paragraphs[-1].append(ox.field_end())
            else:
                raise self.refuse(child)
        self.pending.page_break = True

    @staticmethod
    def bilingual_entries(items: list[etree._Element]) -> dict[str, str]:
        """A list of figures whose entries name each figure in two languages
        ("Figure 1 Title · 標題"): target id -> entry text. Word's own list of figures
        repeats the captions, one language each, so these entries travel with the
        figures as TC fields. Empty for a list in one language."""
        if not any(item.xpath(".//*[@lang]") for item in items):
            return {}
        entries = {}
        for item in items:
            link = item.find(".//a")
            if link is not None and (link.get("href") or "").startswith("#"):
                entries[link.get("href")[1:]] = " ".join(item.text_content().split())
        return entries

    # -- lists --

    def bullet_list(self, element: etree._Element, story: Story, level: int = 0) -> None:
        kind = "List Bullet" if element.tag == "ul" else "List Number"
        style_name = kind if level == 0 else f"{kind} {min(level + 1, 3)}"
        num_id = None
        if element.tag == "ol":
            num_id = self.styles.num_id(style_name)
            if num_id is not None:
                num_id = ox.restart_numbering(self.document.part.numbering_part.element, num_id)
        for item in self.children(element):
            if item.tag != "li" or classes(item):
                raise self.refuse(item)
            self.list_item(item, story, style_name, num_id, level)

    def list_item(self, item, story: Story, style_name: str, num_id: int | None, level: int):
        """An item's text and inline elements make its first paragraph; a further <p> a
        List Continue paragraph; a nested list its items at the next level."""
        tokens: list[Token] = []
        written = 0

        def flush() -> None:
            nonlocal written, tokens
            collapsed = collapse_whitespace(tokens)
            tokens = []
            if collapsed:
                paragraph = self.new_paragraph(
                    story, style_name if not written else "List Continue"
                )
                if num_id is not None and not written:
                    ox.set_numbering(paragraph, num_id)
                self.runs.emit(paragraph, collapsed, story.part)
                written += 1

        if item.text:
            tokens.append(Chars(item.text, Fmt()))
        for child in item:
            if child.tag in ("ul", "ol"):
                flush()
                self.bullet_list(child, story, level + 1)
            elif child.tag == "p":
                flush()
                tokens = self.reader.tokens(child, Fmt(), InlineContext())
                flush()
            elif isinstance(child.tag, str):
                tokens.extend(self.reader.element(child, Fmt(), InlineContext()))
            if child.tail:
                tokens.append(Chars(child.tail, Fmt()))
        flush()

    def edition_paragraph(self, element: etree._Element, story: Story) -> None:
        self.styled_paragraph(element, story)
        if not self.head_info.edition:
            self.head_info.edition = " ".join(element.text_content().split())

    def container(self, element: etree._Element, story: Story) -> None:
        self.blocks(element, story)

    def list_block(self, element: etree._Element, story: Story) -> None:
        self.bullet_list(element, story)


#: The blocks of the vocabulary (vocabulary.py, which `check` reads too): tag ->
#: class -> handler. None: no class; "*": any classes not listed; "any": with or
#: without classes. Elements the vocabulary has and this table lacks (li, tr,
#: figcaption…) are written by their parent's handler.
BLOCKS: dict[str, dict[str | None, Callable]] = {
    "section": {"cover": DocxWriter.cover, "any": DocxWriter.container},
    "main": {"any": DocxWriter.container},
    "nav": {"toc": DocxWriter.toc},
    **{tag: {None: DocxWriter.heading, "*": DocxWriter.heading} for tag in HEADINGS},
    "p": {"edition": DocxWriter.edition_paragraph, "any": DocxWriter.styled_paragraph},
    "ul": {None: DocxWriter.list_block},
    "ol": {None: DocxWriter.list_block, "figures": DocxWriter.list_block},
    "dl": {None: DocxWriter.definitions},
    "table": {"data": DocxWriter.table, "parallel": DocxWriter.parallel},
    "figure": {"chart": DocxWriter.figure},
}
