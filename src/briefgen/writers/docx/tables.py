"""Tables: data tables, key figures (a definition list) and the bilingual columns.

A mixin of `DocxWriter` (as python-docx splits its proxies into mixins): it
uses the writer's `paragraph`, `blocks`, `children` and `refuse`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx.opc.part import Part
from lxml import etree

from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.inline import InlineContext, classes, visible_text, wide
from briefgen.writers.docx.styles import language_of

#: Left and right cell margins of the reference's table styles (2 mm each), in twips.
CELL_MARGINS = 2 * round(2 * 1440 / 25.4)
#: Shares of the text width: the key figure, then what it counts.
KEY_FIGURE_COLUMNS = (0.3, 0.7)

Rows = list[tuple[bool, list[etree._Element]]]


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

    def cell(self, cell: etree._Element, width: int) -> Story:
        return Story(self.part, cell, width=width - CELL_MARGINS)


def column_widths(rows: list[list[etree._Element]], total: int) -> list[int]:
    """Column widths from the longest text in each column (CJK counts double), within
    limits, so that a label column is wide and a number column narrow."""
    lengths = [6] * max(len(row) for row in rows)
    for row in rows:
        for index, cell in enumerate(row):
            text = " ".join(visible_text(cell).split())
            size = sum(2 if wide(char) else 1 for char in text)
            lengths[index] = max(lengths[index], min(size, 40))
    widths = [total * length // sum(lengths) for length in lengths]
    widths[-1] += total - sum(widths)
    return widths


class TablesMixin:
    """Data tables, key figures and parallel columns for `DocxWriter`."""

    def add_table(
        self, story: Story, style_name: str, rows: Rows, shares: Sequence[float] | None = None
    ) -> etree._Element:
        """A table of HTML cells; each row is (is_header, cells). Column widths are
        `shares` of the text width, or follow the cells' text. The table is kept on
        one page where it fits (as the PDF's `break-inside: avoid`)."""
        total = self.story_width(story)
        if shares:
            widths = [round(total * share) for share in shares]
        else:
            widths = column_widths([cells for _, cells in rows], total)
        table = story.append(ox.new_table(self.styles.style_id(style_name, "table"), widths))
        for number, (header, cells) in enumerate(rows, start=1):
            row = ox.add_row(table, header)
            for index, width in enumerate(widths):
                cell = ox.add_cell(row, width)
                if index < len(cells):
                    self.cell(cells[index], story.cell(cell, width), header)
                else:
                    cell.append(ox.new_paragraph(self.styles.style_id("Table Text")))
            if number < len(rows):
                for paragraph in ox.table_paragraphs(row):
                    ox.keep_with_next(paragraph)
        self.pending.after_table = True
        return table

    def cell(self, element: etree._Element, story: Story, header: bool) -> None:
        if element.tag in ("dt", "dd"):
            style = "Key Figure" if element.tag == "dt" else "Key Figure Label"
        else:
            style = "Table Header" if header else "Table Text"
        if element.get("colspan") or element.get("rowspan"):
            raise self.refuse(element, "spans cells, which the DOCX writer does not support")
        blocks = [child for child in element if isinstance(child.tag, str) and child.tag == "p"]
        if blocks:
            for child in self.children(element):  # paragraphs only, no loose text
                if child.tag != "p":
                    raise self.refuse(child, "sits beside paragraphs in a table cell")
        for source in blocks or [element]:
            paragraph = self.paragraph(source, story, style)
            if "num" in classes(element):
                ox.align(paragraph, "right")

    def table(self, table: etree._Element, story: Story) -> None:
        rows: Rows = []
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
            elif child.tag in ("thead", "tbody"):
                add_rows(child, child.tag == "thead")
            elif child.tag == "tr":
                rows.append((False, list(self.children(child))))
            else:
                raise self.refuse(child)
        if not rows:
            raise self.refuse(table, "has no rows")
        if caption is not None:
            self.paragraph(caption, story, "Caption", InlineContext(seq="Table"))
        self.add_table(story, "Brief Table", rows)

    def parallel(self, table: etree._Element, story: Story) -> None:
        """Blocks side by side, one row per pair (the bilingual edition): a table
        without rules whose cells hold blocks, each cell in its own `lang`.

        A first row holding only a heading in each column is the section's title
        in both languages: it becomes one heading above the columns ("Summary ·
        摘要"), so the navigation pane and a reader such as pandoc see one
        section, not a table whose header row is two headings."""
        rows: list[list[etree._Element]] = []
        for child in self.children(table):
            if child.tag == "colgroup":  # the PDF's column widths (CSS); Word's are even
                for col in self.children(child):
                    if col.tag != "col":
                        raise self.refuse(col)
                continue
            found = list(self.children(child)) if child.tag == "tbody" else [child]
            for row in found:
                if row.tag != "tr":
                    raise self.refuse(row)
                cells = list(self.children(row))
                if any(cell.tag != "td" for cell in cells):
                    raise self.refuse(next(cell for cell in cells if cell.tag != "td"))
                rows.append(cells)
        if rows and self.heading_row(rows[0], story):
            rows = rows[1:]
        if not rows:
            return
        columns = max(len(cells) for cells in rows)
        widths = [self.story_width(story) // columns] * columns
        grid = story.append(ox.new_table(self.styles.style_id("Parallel Table", "table"), widths))
        for cells in rows:
            row = ox.add_row(grid, split=True)
            for index, width in enumerate(widths):
                cell = ox.add_cell(row, width)
                if index < len(cells):
                    lang = language_of(cells[index].get("lang"))
                    self.in_language(lang, self.blocks, cells[index], story.cell(cell, width))
                if cell[-1].tag != ox.w("p"):  # Word ends every cell with a paragraph
                    cell.append(ox.new_paragraph(self.styles.style_id("Table Text")))
        self.pending.after_table = True

    def heading_row(self, cells: list[etree._Element], story: Story) -> bool:
        """Write a row of one same-level heading per column as one heading; False if
        the row is not that."""
        headings = []
        for cell in cells:
            children = list(self.children(cell))
            if len(children) != 1 or children[0].tag not in self.HEADINGS:
                return False
            headings.append((children[0], language_of(cell.get("lang"))))
        if len({heading.tag for heading, _ in headings}) != 1:
            return False
        self.joined_heading(headings, story)
        return True

    def definitions(self, dl: etree._Element, story: Story) -> None:
        """A definition list (the key figures): one row per term, its description beside it."""
        rows: Rows = []

        def take(element: etree._Element) -> None:
            if element.tag == "dt":
                rows.append((False, [element]))
            elif element.tag == "dd" and rows:
                rows[-1][1].append(element)
            else:
                raise self.refuse(element)

        for child in self.children(dl):
            if child.tag == "div" and classes(child) == ["figure-item"]:
                for grandchild in self.children(child):
                    take(grandchild)
            else:
                take(child)
        if not rows:
            raise self.refuse(dl, "is empty")
        if any(len(cells) > 2 for _, cells in rows):
            raise self.refuse(dl, "has a term with several descriptions")
        self.add_table(story, "Key Figures Table", rows, KEY_FIGURE_COLUMNS)
