"""Page make-up after layout: a figure that just misses a page leaves no hole.

A chart is kept whole with its caption, so when it is a little taller than what
is left of a page it moves to the next page and leaves a hole of a quarter or a
third of a page behind it, the mark of a machine-made document. A typesetter
closes it: the figure is set a little smaller, never below MIN_SCALE (chart text
is drawn at 8.5 pt and must print at 7 pt or more), or, when that is not
enough, the whole paragraphs that follow the figure in its section are set
before it, as a float would be. In the bilingual edition the unit is the table
row: the row holding both charts is scaled as one (both charts the same size),
and the rows after it move ahead of it.

WeasyPrint lays out from its own element tree (`HTML.etree_element`); the
scale is written on the image elements and the moves are made there, and the
same source is laid out again. A pass that would add a page is undone.
"""

from __future__ import annotations

import itertools

#: Chart text is drawn at 8.5 pt; 7 pt is the least any chart text may print at.
MIN_SCALE = 7 / 8.5
#: A page whose text ends this much (of its text area) above its foot is a hole.
HOLE = 0.12
#: Room kept free for rounding (CSS px).
SLACK = 2.0
#: Blocks the page is made of, whole; a bilingual table is made of its rows.
UNITS = {"p", "h1", "h2", "h3", "li", "dl", "figure", "table", "tr"}
#: What may move ahead of a figure: text, and bilingual rows of text.
MOVABLE = {"p", "tr"}


def _classes(box) -> set[str]:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _units(box, found: list) -> None:
    """The page's blocks in reading order (not their lines, not footnotes)."""
    tag = getattr(box, "element_tag", None)
    if box.style["float"] == "footnote" or type(box).__name__ in ("LineBox", "TextBox"):
        return
    parallel = tag == "table" and "parallel" in _classes(box)
    if tag in UNITS and not parallel and (tag != "tr" or box.element is not None):
        found.append(box)
        return
    for child in getattr(box, "children", ()):
        _units(child, found)


def units(page) -> list:
    """The blocks of a page's text area (a table other than the bilingual one is one)."""
    found: list = []
    for child in page.children:
        if type(child).__name__ != "FootnoteAreaBox" and getattr(child, "children", None):
            _units(child, found)
    return found


def text_blocks(page) -> list:
    """The page's blocks with each bilingual row opened into its cells' blocks."""
    return [
        b for unit in units(page) for b in (_rows(unit) if unit.element_tag == "tr" else [unit])
    ]


def lone_last_page(document) -> bool:
    """Whether the last page holds only the end of the section before it (a figure, a
    table, a paragraph or bilingual row; no heading), filling less than 40% of it: a
    setting a little tighter may take it back a page."""
    if len(document.pages) < 2:
        return False
    page = document.pages[-1]._page_box
    found = units(page)
    if not found or any(box.element_tag in ("h1", "h2", "h3") for box in found):
        return False
    return max(_bottom(box) for box in found) - page.content_box_y() < 0.4 * page.height


def _floor(page) -> float:
    """Where the page's text area ends: at its footnotes, else at its bottom."""
    for child in page.children:
        if type(child).__name__ == "FootnoteAreaBox" and child.children:
            return child.position_y
    return page.content_box_y() + page.height


def _images(box) -> list:
    """The image boxes (charts) inside `box`."""
    if getattr(box, "element_tag", None) == "img":
        return [box]
    return [image for child in getattr(box, "children", ()) for image in _images(child)]


def _bottom(box) -> float:
    """Where the box's content ends: a bilingual row split over a page break is drawn
    down to the page's foot, but its content may end well above it."""
    if box.element_tag == "tr":
        inside = _rows(box)
        if inside:
            return max(_bottom(child) for child in inside)
    return box.position_y + box.margin_height()


def _margin_top(box) -> float:
    """A figure's own top margin (WeasyPrint drops it at the top of a page)."""
    margin = box.style["margin_top"]
    return float(margin.value) if getattr(margin, "unit", "px") == "px" else 0.0


def _is_figure(box) -> bool:
    return box.element_tag == "figure" or (box.element_tag == "tr" and bool(_images(box)))


def _notes(page) -> dict:
    """The height of each footnote set at the foot of `page`, by its element."""
    heights: dict = {}
    for child in page.children:
        if type(child).__name__ == "FootnoteAreaBox":
            for note in child.children:
                if note.element is not None:
                    heights[note.element] = heights.get(note.element, 0.0) + note.margin_height()
    return heights


def _scaled(unit, here: list, room: float, last) -> list[tuple[object, float]]:
    """(image element, width in percent) that fit the figure `unit` (at the top of the
    next page) into `room` below `last`, or [] if it would need less than MIN_SCALE.
    A bilingual figure row may have begun on this page: its charts there shrink too;
    or, when the whole row cannot fit, its first chart may, the row then breaking
    between its two charts. The charts of a row are always set at one size."""
    before = [box for box in here if box.element is unit.element]
    shown = [image for box in before for image in _images(box)]
    waiting = _images(unit)
    if not waiting or any(image.element is None for image in waiting + shown):
        return []
    # What the figure needs besides its charts: captions and source lines, the part
    # of its top margin the last block's bottom margin does not give (margins
    # collapse); a figure's own bottom margin may end the page.
    needed = unit.margin_height() - sum(image.margin_height() for image in waiting) + SLACK
    if unit.element_tag == "figure":
        needed += max(0.0, _margin_top(unit) - last.margin_bottom) - unit.margin_bottom
    heights = sum(image.margin_height() for image in waiting + shown)
    scale = (room - needed + sum(image.margin_height() for image in shown)) / heights
    if scale < MIN_SCALE and unit.element_tag == "tr" and not shown and len(waiting) > 1:
        first = next(box for box in _rows(unit) if box.element_tag == "figure")
        image = _images(first)[0]
        needed = _bottom(first) - unit.position_y - image.margin_height() - first.margin_bottom
        scale = (room - needed - SLACK) / image.margin_height()
    found = []
    for image in waiting + shown:
        # its width now, in percent of the figure's (a tighter setting may have set it)
        width = 100 * image.width / unit.width * scale
        if scale >= 1 or width < 100 * MIN_SCALE:
            return []
        found.append((image.element, width))
    return found


def _moved(unit, there: list, later: set, notes: dict, room: float) -> list:
    """The blocks that follow the figure `unit` and fit in `room` before it, with
    their footnotes: whole paragraphs (or bilingual rows of text) only, none past a
    heading, a table or another figure."""
    chosen, used = [], 0.0
    for box in there[there.index(unit) + 1 :]:
        if box.element_tag not in MOVABLE or box.element in later or _is_figure(box):
            break
        if box.element_tag == "tr" and any(b.element_tag not in ("p", "li") for b in _rows(box)):
            break
        calls = [e for e in box.element.iter() if "footnote" in (e.get("class") or "").split()]
        height = box.margin_height() + sum(notes.get(call, 24.0) for call in calls)
        if used + height > room:
            break
        chosen.append(box.element)
        used += height
    return chosen


def _rows(row) -> list:
    found: list = []
    for cell in getattr(row, "children", ()):
        for child in getattr(cell, "children", ()):
            _units(child, found)
    return found


def make_up(document) -> tuple[list, list]:
    """What would close each hole a figure left on the page before it: image widths
    (percent) where the figure fits at MIN_SCALE or
    more, else (figure element, blocks after it) that fit in the hole instead."""
    scales, moves = [], []
    pages = [page._page_box for page in document.pages]
    blocks = [units(page) for page in pages]  # each page walked once
    # An element whose boxes reach a page: a block still going on there cannot move.
    reaches = [{box.element for box in found} for found in blocks]
    for number, (page, following) in enumerate(itertools.pairwise(pages)):
        here, there = blocks[number], blocks[number + 1]
        if not here or not there or not _is_figure(there[0]):
            continue
        last = max(here, key=_bottom)
        room = _floor(page) - _bottom(last)
        if room < HOLE * page.height:
            continue
        fitted = _scaled(there[0], here, room, last)
        if fitted:
            scales.extend(fitted)
            continue
        later = set().union(*reaches[number + 2 :])
        moved = _moved(there[0], there, later, _notes(following), room - SLACK)
        if moved and there[0].element not in reaches[number]:
            moves.append((there[0].element, moved))
    return scales, moves


def fit_figures(source, document, passes: int = 3, **options):
    """The document laid out again with each hole a figure left closed, pass after
    pass (a figure moved up can leave the next one a hole); a pass is kept only if
    it adds no page, and the first layout is kept when nothing needs it."""
    for _ in range(passes):
        scales, moves = make_up(document)
        if not scales and not moves:
            break
        styles = [(element, element.get("style")) for element, _ in scales]
        for element, width in scales:
            # !important: a tighter setting's own width is, and must not win over this
            style = f"width: {width:.2f}% !important; margin-left: auto; margin-right: auto"
            element.set("style", style)
        parents = {child: parent for parent in source.etree_element.iter() for child in parent}
        placed = []
        for figure, blocks in moves:
            parent = parents[figure]
            # only what sits beside the figure (an audience template may wrap the rest)
            for block in blocks:
                if parents.get(block) is not parent:
                    break
                parent.remove(block)
                parent.insert(list(parent).index(figure), block)
                placed.append((parent, figure, block))
        fitted = source.render(**options)
        if len(fitted.pages) > len(document.pages):
            _undo(styles, placed)
            break
        document = fitted
    return document


def _undo(styles: list, placed: list) -> None:
    """Put the tree back as the kept layout was made from it."""
    for element, style in styles:
        if style is None:
            element.attrib.pop("style", None)
        else:
            element.set("style", style)
    for parent, figure, block in reversed(placed):
        parent.remove(block)
        parent.insert(list(parent).index(figure) + 1, block)
