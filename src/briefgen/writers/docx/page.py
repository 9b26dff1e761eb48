"""Figures and the page: charts as pictures, the header and footer, the text width.

A mixin of `DocxWriter`, like `tables.py`.
"""

from __future__ import annotations

import io
import string

from docx.shared import Mm
from lxml import etree

from briefgen.errors import BriefgenError
from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx import package as pkg
from briefgen.writers.docx.inline import InlineContext, classes
from briefgen.writers.docx.tables import Story

#: The TC entry kind of the figures' entries in a bilingual list of figures.
FIGURE_ENTRIES = "F"
#: Placeholders of the page footer -> Word fields.
PAGE_FIELDS = {"page": "PAGE", "pages": "NUMPAGES"}


class PageMixin:
    """Figures, header, footer and widths for `DocxWriter`."""

    # -- figures --

    def figure(self, figure: etree._Element, story: Story) -> None:
        image = caption = None
        sources = []
        for child in self.children(figure):
            if child.tag == "img" and image is None:
                image = child
            elif child.tag == "figcaption" and caption is None:
                caption = child
            elif child.tag == "p" and classes(child) == ["figure-source"]:
                sources.append(child)
            else:
                raise self.refuse(child)
        if image is None:
            raise self.refuse(figure, "has no <img>")
        paragraph = self.new_paragraph(story, "Figure")
        paragraph.append(self.picture(image, story))
        if caption is not None:
            paragraph = self.paragraph(caption, story, "Caption", InlineContext(seq="Figure"))
        entry = self.figure_entries.get(figure.get("id") or "")
        if entry:  # its line in the bilingual list of figures, as Word will rebuild it
            paragraph.extend(ox.entry_field(entry, FIGURE_ENTRIES))
        for source in sources:
            self.paragraph(source, story, "Figure Source")

    def picture(self, image: etree._Element, story: Story) -> etree._Element:
        """The run of an inline picture: the PNG of data-png, with the SVG of `src`
        beside it for clients that draw SVG; alt text on both."""
        alt = " ".join((image.get("alt") or "").split())
        if not alt:
            raise self.refuse(
                image, "has no alt text; a chart needs one for readers who cannot see it"
            )
        try:
            kind, png = pkg.data_url(image.get("data-png") or "")
            svg_kind, svg = pkg.data_url(image.get("src") or "") if image.get("src") else ("", b"")
            width_mm = float(image.get("data-width-mm") or 160)
        except ValueError as error:
            raise self.refuse(image, f"needs data-png as a PNG data: URL ({error})") from None
        if kind != "image/png":
            raise self.refuse(image, f"has data-png of type {kind}, not image/png")
        width = min(Mm(width_mm), self.story_width(story) * 635)
        try:
            inline = self.document.part.new_pic_inline(io.BytesIO(png), width=width)
        except Exception as error:  # python-docx: unrecognised or broken image
            raise self.refuse(image, f"has an unreadable picture ({error})") from None
        ox.describe_picture(inline, alt)
        if svg_kind == "image/svg+xml":
            ox.add_svg(inline, pkg.add_svg_part(self.document, svg))
        return ox.drawing_run(inline)

    # -- page --

    def story_width(self, story: Story) -> int:
        return story.width if story.width is not None else self.text_width()

    def text_width(self) -> int:
        """The width of the text column, in twips."""
        section = self.document.sections[-1]
        return round((section.page_width - section.left_margin - section.right_margin) / 635)

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
                ox.clear(container)
                paragraph = ox.new_paragraph(self.styles.style_id(style_name))
                container.append(paragraph)
                if fill is not None:
                    fill(paragraph)

    def header_runs(self, paragraph: etree._Element) -> None:
        paragraph.append(self.runs.run(self.properties.title))
        if self.head_info.edition:
            width = self.text_width()
            stops = [pos for pos in self.styles.tab_stops("Header") if pos != str(width)]
            ox.right_tab(paragraph, width, stops)
            paragraph.append(ox.tab_run())
            paragraph.append(self.runs.run(self.head_info.edition))

    def footer_runs(self, paragraph: etree._Element) -> None:
        ox.align(paragraph, "right")
        if self.head_info.classification:
            paragraph.append(self.runs.run(f"{self.head_info.classification}  ·  "))
        for literal, name, _, _ in string.Formatter().parse(self.head_info.footer):
            if literal:
                paragraph.append(self.runs.run(literal))
            if name is None:
                continue
            if name not in PAGE_FIELDS:
                raise BriefgenError(
                    f"{self.template}: the page footer has a placeholder {{{name}}}; "
                    f"the DOCX footer knows only {', '.join(PAGE_FIELDS)}"
                )
            for run in self.runs.field(PAGE_FIELDS[name], self.runs.run("1")):
                paragraph.append(run)
