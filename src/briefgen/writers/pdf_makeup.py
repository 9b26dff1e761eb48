"""Page make-up after layout: a figure that just misses a page leaves no hole.

A chart is kept whole with its caption, so when it is a little taller than what
is left of a page it moves to the next page and leaves a hole of a quarter or a
third of a page behind it, the mark of a machine-made document. A typesetter
sets such a figure a little smaller. After the first layout, each page whose
text ends in a hole before a figure at the top of the next page gets that
figure scaled to fit, but never below MIN_SCALE (chart text is drawn at 8.5 pt
and must print at 7 pt or more); the document is laid out again and kept only
if it has no more pages than before.

WeasyPrint lays out from its own element tree (`HTML.etree_element`), so the
scale is written on the figure's image element there, and a second `render()`
of the same source sees it.
"""

from __future__ import annotations

import itertools

from briefgen.writers.weasyprint_fixes import _content

#: Chart text is drawn at 8.5 pt; 7 pt is the least any chart text may print at.
MIN_SCALE = 7 / 8.5
#: A page whose text ends this much (of its text area) above its foot is a hole.
HOLE = 0.12
#: Room kept free for rounding (CSS px).
SLACK = 2.0


def _floor(page) -> float:
    """Where the page's text area ends: at its footnotes, else at its bottom."""
    for child in page.children:
        if type(child).__name__ == "FootnoteAreaBox" and child.children:
            return child.position_y
    return page.content_box_y() + page.height


def _blocks(page) -> list:
    found: list = []
    for child in page.children:
        if type(child).__name__ == "BlockBox" or getattr(child, "element_tag", None) == "html":
            _content(child, found)
    return found


def _image(box):
    """The figure's image box (the chart), if it has one."""
    if getattr(box, "element_tag", None) == "img":
        return box
    for child in getattr(box, "children", ()):
        found = _image(child)
        if found is not None:
            return found
    return None


def _margin_top(box) -> float:
    """The figure's own top margin (WeasyPrint sets it to 0 at the top of a page)."""
    margin = box.style["margin_top"]
    return float(margin.value) if getattr(margin, "unit", "px") == "px" else 0.0


def _hole(page, here: list) -> tuple[object, float]:
    """The page's last block and the room below it, down to the notes or the foot."""
    last = max(here, key=lambda box: box.position_y + box.margin_height())
    return last, _floor(page) - (last.position_y + last.margin_height())


def _notes_height(page) -> dict:
    """The height of each footnote set at the foot of `page`, by its element."""
    heights: dict = {}
    for child in page.children:
        if type(child).__name__ == "FootnoteAreaBox":
            for note in child.children:
                if note.element is not None:
                    heights[note.element] = heights.get(note.element, 0.0) + note.margin_height()
    return heights


def _paragraphs_after(figure, there: list, later: set, notes: dict, room: float) -> list:
    """The paragraphs that follow `figure` on its page and fit in `room` before it,
    with their footnotes: whole paragraphs only, and none past a heading, table or
    figure (text moves ahead of a figure, never across a section)."""
    chosen, used = [], 0.0
    for box in there[there.index(figure) + 1 :]:
        if box.element_tag != "p" or box.element is None or box.element in later:
            break
        calls = [e for e in box.element.iter() if "footnote" in (e.get("class") or "").split()]
        height = box.margin_height() + sum(notes.get(call, 24.0) for call in calls)
        if used + height > room:
            break
        chosen.append(box.element)
        used += height
    return chosen


def make_up(document, widths: dict) -> tuple[list, list]:
    """What would close each hole a figure left on the page before it: (image
    element, width in percent) where the figure fits at MIN_SCALE of its full width
    or more (`widths`: the widths already set, by image element), else (figure
    element, paragraphs) that follow it and fit in the hole instead."""
    scales, moves = [], []
    pages = [page._page_box for page in document.pages]
    for number, (page, following) in enumerate(itertools.pairwise(pages)):
        here, there = _blocks(page), _blocks(following)
        if not here or not there or there[0].element_tag != "figure":
            continue
        figure, image = there[0], _image(there[0])
        last, room = _hole(page, here)
        if room < HOLE * page.height or image is None or image.element is None:
            continue
        # What the figure needs besides its image: its caption and source line, and
        # the part of its top margin that the last block's bottom margin does not
        # already give (margins collapse); its own bottom margin may end the page.
        needed = figure.margin_height() - image.margin_height() - figure.margin_bottom
        needed += max(0.0, _margin_top(figure) - last.margin_bottom) + SLACK
        full = widths.get(image.element, 100.0)
        width = full * (room - needed) / image.margin_height()
        if 100 * MIN_SCALE <= width < full:
            scales.append((image.element, width))
            continue
        later = {box.element for rest in pages[number + 2 :] for box in _blocks(rest)}
        notes = _notes_height(following)
        moved = _paragraphs_after(figure, there, later, notes, room - SLACK)
        if moved:
            moves.append((figure.element, moved))
    return scales, moves


def _parents(root) -> dict:
    return {child: parent for parent in root.iter() for child in parent}


def fit_figures(source, document, passes: int = 3, **options):
    """The document laid out again with each hole a figure left closed: the figure
    set smaller, or the paragraphs after it set before it. Pass after pass (a
    figure moved up can leave the next one a hole); a pass is kept only if it adds
    no page, and the first layout is kept when nothing needs it."""
    widths: dict = {}  # image element -> its width in percent, as set here
    for _ in range(passes):
        scales, moves = make_up(document, widths)
        if not scales and not moves:
            break
        undo = []
        for element, width in scales:
            undo.append((element, element.get("style"), widths.get(element)))
            widths[element] = width
            style = f"width: {width:.2f}%; margin-left: auto; margin-right: auto"
            element.set("style", style)
        parents = _parents(source.etree_element) if moves else {}
        placed = []
        for figure, paragraphs in moves:
            parent = parents[figure]
            for paragraph in paragraphs:
                parent.remove(paragraph)
                parent.insert(list(parent).index(figure), paragraph)
                placed.append((parent, figure, paragraph))
        fitted = source.render(**options)
        if len(fitted.pages) > len(document.pages):
            _undo(undo, placed, widths)
            break
        document = fitted
    return document


def _undo(styles: list, placed: list, widths: dict) -> None:
    """Put the tree back as the kept layout was made from it."""
    for element, style, width in styles:
        if style is None:
            element.attrib.pop("style", None)
        else:
            element.set("style", style)
        if width is None:
            widths.pop(element, None)
        else:
            widths[element] = width
    for parent, figure, paragraph in reversed(placed):
        parent.remove(paragraph)
        parent.insert(list(parent).index(figure) + 1, paragraph)
