"""Paragraph-wide line breaking for Chinese text: no justified line set in holes.

WeasyPrint breaks lines greedily: when the next unit cannot be broken (a Latin
name such as `China Development Institute`, `「Ensemble」`, a bound `（2025年），`)
and does not fit, the line is justified with its whole shortfall spread between
a few Han characters, 0.3-0.4 em apart in an 18-character bilingual column. A
paragraph-wide (Knuth-Plass) breaker would start that line earlier: the line
before gives up its last character or two, takes a little more space between
its own characters, and the loose line's shortfall shrinks by as much.

This pass does that after layout. For each paragraph with a loose line it reads
each line's shortfall from the justification patch (`briefgen_stretch`), finds
where the lines could break instead (Pango's break opportunities, no-break spans
kept), chooses by dynamic programming which tails move down a line so that the
worst line is least loose, and binds each moved tail to the next line with
U+2060 WORD JOINER at the breaks it must not take. The joiner is default-ignorable:
Pango draws nothing for it and it never reaches the PDF's text layer. The
document is laid out again; a paragraph that came out worse (or reflowed to
another number of lines) is put back, and a pass that adds a page is undone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from briefgen.writers.pdf_makeup import text_blocks
from briefgen.writers.typography import BREAK_CONTROLS, FULL_WIDTH_CHARS
from briefgen.writers.weasyprint_fixes import share

try:  # WeasyPrint's own access to Pango's break rules (not public API: guarded)
    from weasyprint.text.line_break import get_log_attrs
except ImportError:  # pragma: no cover - another WeasyPrint: the pass stands down
    get_log_attrs = None

LOGGER = logging.getLogger(__name__)
WORD_JOINER = "\u2060"
#: A paragraph is broken again when a justified line's Han gaps pass this (em): the
#: tests' bound is 0.2 em; a 37-character line 5 em short is at 0.15.
LOOSE = 0.15
#: The least gain (em, on the paragraph's worst line) worth a new layout.
GAIN = 0.03
#: The widest tail (em) one line may pass to the next (the `「Ensemble」` shortfall
#: is about 4 em; more would only move a hole).
WIDEST_TAIL = 8.0
#: Plans at most (the second takes up what the first reflow left loose).
PASSES = 2
FULL_WIDTH = re.compile(f"[{FULL_WIDTH_CHARS}]")


@dataclass
class Line:
    """One laid-out line of a paragraph, as the breaker sees it (lengths in em)."""

    start: int  # index in the paragraph's text of its first character
    end: int  # index just past its last character
    slack: float  # how much shorter than its measure its content is
    han: float  # its Han gap units (what the justification patch counted)
    spaces: float  # its word-space units
    justified: bool  # stretched by the patch (not a paragraph's last line)
    last: bool = False  # the paragraph's last line


@dataclass
class Paragraph:
    """A block's text as the element tree holds it, and its lines."""

    element: object
    lang: str | None = None
    text: str = ""
    nodes: list = field(default_factory=list)  # (element, "text"/"tail", start)
    nowrap: list = field(default_factory=list)  # (start, end) of no-break spans
    half: list = field(default_factory=list)  # (start, end) of half-width marks
    calls: list = field(default_factory=list)  # where footnote calls sit
    lines: list = field(default_factory=list)
    inserted: list = field(default_factory=list)  # (element, attribute, old text)


def _classes(element) -> list[str]:
    return (element.get("class") or "").split()


def _read(paragraph: Paragraph, element) -> None:
    """The text of `element` in reading order; a footnote's body is set elsewhere."""
    if element.text:
        paragraph.nodes.append((element, "text", len(paragraph.text)))
        paragraph.text += element.text
    for child in element:
        start = len(paragraph.text)
        if not isinstance(child.tag, str):  # a comment
            pass
        elif "footnote" in _classes(child):
            paragraph.calls.append(start)
        else:
            _read(paragraph, child)
            if "nobr" in _classes(child):
                paragraph.nowrap.append((start, len(paragraph.text)))
            if "halt" in _classes(child):
                paragraph.half.append((start, len(paragraph.text)))
        if child.tail:
            paragraph.nodes.append((child, "tail", len(paragraph.text)))
            paragraph.text += child.tail


def _line_boxes(box, found: list) -> None:
    """(block box, line box) of each line inside `box`."""
    for child in getattr(box, "children", ()):
        kind = type(child).__name__
        if kind == "LineBox":
            found.append((box, child))
        elif kind != "TextBox" and child.style["float"] != "footnote":
            _line_boxes(child, found)


def _line_text(box) -> str:
    """The line's text as laid out, generated text (calls, markers) left out."""
    if "::" in (getattr(box, "element_tag", None) or ""):
        return ""
    if type(box).__name__ == "TextBox":
        return box.text
    return "".join(_line_text(child) for child in getattr(box, "children", ()))


def _right(box) -> float:
    """Where a line's content ends."""
    children = [child for child in box.children if child.is_in_normal_flow()]
    return max((c.position_x + c.margin_width() for c in children), default=box.position_x)


def paragraphs(document) -> list[Paragraph]:
    """The document's paragraphs whose lines all map onto their element's text."""
    found: dict = {}
    for page in document.pages:
        for block in text_blocks(page._page_box):
            pairs: list = []
            _line_boxes(block, pairs)
            for parent, line in pairs:
                if parent.element is not None:
                    found.setdefault(parent.element, []).append((parent, line))
    out = []
    for element, pairs in found.items():
        paragraph = Paragraph(element, pairs[0][0].style["lang"])
        _read(paragraph, element)
        if _place(paragraph, pairs):
            out.append(paragraph)
    return out


def _place(paragraph: Paragraph, pairs: list) -> bool:
    """Set each line's place in the paragraph's text; False if they do not match it."""
    text, position = paragraph.text, 0
    for number, (parent, box) in enumerate(pairs):
        letters = [c for c in _line_text(box) if not c.isspace()]
        while position < len(text) and text[position].isspace():
            position += 1
        start = position
        for letter in letters:
            while position < len(text) and text[position].isspace():
                position += 1
            if position >= len(text) or text[position] != letter:
                return False
            position += 1
        size = box.style["font_size"]
        record = getattr(box, "briefgen_stretch", None)
        if record:
            extra, han, spaces = record
            line = Line(start, position, extra / size, han, spaces, True)
        else:  # a last line, a full one (not stretched), or a Latin one
            slack = (parent.content_box_x() + parent.width - _right(box)) / size
            words = text[start:position]
            han = sum(bool(FULL_WIDTH.match(c)) for c in words) - 1
            full = number < len(pairs) - 1 and slack < 0.1 and han > 0
            spaces = float(sum(c.isspace() for c in words))
            line = Line(start, position, max(slack, 0.0), han if full else 0.0, spaces, full)
        line.last = number == len(pairs) - 1
        paragraph.lines.append(line)
    return bool(paragraph.lines) and not text[position:].strip()


def gap(line: Line, slack: float, han: float) -> float:
    """The Han gap (em) a justified line with `slack` and `han` gap units gets."""
    if not line.justified:
        return 0.0
    if han <= 0:
        return slack / max(line.spaces, 1.0)
    return share(slack, han, line.spaces, 1.0)[0]


def worst(paragraph: Paragraph) -> float:
    return max((gap(line, line.slack, line.han) for line in paragraph.lines), default=0.0)


def _width(paragraph: Paragraph, start: int, end: int) -> float:
    """The estimated width (em) of text[start:end] set on a line."""
    width = 0.7 * sum(start <= call < end for call in paragraph.calls)
    for index in range(start, end):
        char = paragraph.text[index]
        if char in BREAK_CONTROLS:
            continue
        if any(a <= index < b for a, b in paragraph.half):
            width += 0.5
        elif FULL_WIDTH.match(char):
            width += 1.0
        else:
            width += 0.25 if char.isspace() else 0.55
    return width


def _breaks(paragraph: Paragraph, lang: str | None) -> list[bool]:
    """Where a line may break (before each index): Pango's rules, no-break spans kept."""
    assert get_log_attrs is not None
    attrs = get_log_attrs(paragraph.text, lang)
    allowed = [bool(attrs[i].is_line_break) for i in range(len(paragraph.text) + 1)]
    for start, end in paragraph.nowrap:
        for index in range(start + 1, end):
            allowed[index] = False
    return allowed


def _tails(paragraph: Paragraph, number: int, allowed: list[bool]) -> list[tuple]:
    """(width, Han characters, break) for each tail line `number` could pass on."""
    line, following = paragraph.lines[number], paragraph.lines[number + 1]
    tails = [(0.0, 0, None)]
    for index in range(following.start - 1, line.start, -1):
        if not allowed[index]:
            continue
        width = _width(paragraph, index, line.end)
        if width > WIDEST_TAIL:
            break
        han = sum(bool(FULL_WIDTH.match(c)) for c in paragraph.text[index : line.end])
        tails.append((width, han, index))
    return tails


def plan(paragraph: Paragraph, allowed: list[bool]) -> tuple[float, list]:
    """The least loose breaking reachable by passing tails down: (its worst gap,
    the break each line takes instead, or None)."""
    lines = paragraph.lines
    options = []
    for number, line in enumerate(lines):
        movable = (
            number + 1 < len(lines)
            and line.justified
            and (lines[number + 1].justified or lines[number + 1].last)
        )
        options.append(_tails(paragraph, number, allowed) if movable else [(0.0, 0, None)])
    # state: the tail passed into the current line -> (badness, worst, choices)
    states = {(0.0, 0, None): (0.0, 0.0, [])}
    for number, line in enumerate(lines):
        reached: dict = {}
        for given, (badness, most, chosen) in states.items():
            for tail in options[number]:
                slack = line.slack + tail[0] - given[0]
                if slack < -0.05 or (given[0] and not (line.justified or line.last)):
                    continue
                width = gap(line, slack, line.han - tail[1] + given[1])
                cost = badness + (width / LOOSE) ** 6 + 0.01 * tail[1]
                if tail not in reached or cost < reached[tail][0]:
                    reached[tail] = (cost, max(most, width), [*chosen, tail[2]])
        states = reached
    done = states.get((0.0, 0, None))
    return (done[1], done[2]) if done else (worst(paragraph), [None] * len(lines))


def bind(paragraph: Paragraph, choices: list, allowed: list[bool]) -> None:
    """Write word joiners into the tree at the breaks the chosen lines must not take."""
    positions = []
    for number, index in enumerate(choices):
        if index is None:
            continue
        following = paragraph.lines[number + 1].start
        positions += [q for q in range(index + 1, following + 1) if allowed[q] or q == following]
    for position in sorted(set(positions), reverse=True):
        element, attribute, start = next(
            node for node in reversed(paragraph.nodes) if node[2] < position
        )
        old = getattr(element, attribute)
        paragraph.inserted.append((element, attribute, old))
        offset = position - start
        setattr(element, attribute, old[:offset] + WORD_JOINER + old[offset:])


def unbind(paragraph: Paragraph) -> None:
    """Put the paragraph's text back as it was before `bind`."""
    for element, attribute, old in reversed(paragraph.inserted):
        setattr(element, attribute, old)
    paragraph.inserted = []


class EvenLines:
    """The pass over one document. Line breaks depend on the measure only, so joiners
    planned on the first layout ride along with the layouts the page make-up makes
    (a tighter setting, figures fitted) when it makes any; otherwise, and for each
    pass that must undo a paragraph, `settle` lays the document out itself: one to
    three layouts for a Chinese edition with a loose line, none for the others."""

    def __init__(self, source) -> None:
        self.source = source
        self.changed: list[tuple[Paragraph, float]] = []  # with its worst gap before
        self.given_up: set = set()  # paragraphs a pass made worse: not tried again
        self.planned_on = None  # the layout the joiners were planned on
        self.pages = 0

    def bind(self, document) -> bool:
        """Plan on `document` and write the joiners; whether any were written."""
        self.changed, self.planned_on, self.pages = [], document, len(document.pages)
        if get_log_attrs is None:
            LOGGER.warning("this WeasyPrint has no get_log_attrs: loose lines are kept")
            return False
        for paragraph in paragraphs(document):
            before = worst(paragraph)
            if before <= LOOSE or paragraph.element in self.given_up:
                continue
            allowed = _breaks(paragraph, paragraph.lang)
            after, choices = plan(paragraph, allowed)
            if after < before - GAIN and any(index is not None for index in choices):
                bind(paragraph, choices, allowed)
                LOGGER.debug("rebreak %.2f -> %.2f %r", before, after, paragraph.text[:20])
                self.changed.append((paragraph, before))
        return bool(self.changed)

    def settle(self, document, **options):
        """`document` (laid out after `bind`, or laid out here) with the joiners that
        made a paragraph better kept; then one more pass on what is still loose."""
        for number in range(PASSES):
            if not self.changed:
                break
            fitted = self.source.render(**options) if document is self.planned_on else document
            if len(fitted.pages) > self.pages:
                for paragraph, _ in self.changed:
                    unbind(paragraph)
                return (
                    self.source.render(**options) if document is not self.planned_on else document
                )
            now = {p.element: p for p in paragraphs(fitted)}
            worse = [
                paragraph
                for paragraph, before in self.changed
                if paragraph.element not in now
                or worst(now[paragraph.element]) >= before
                or len(now[paragraph.element].lines) != len(paragraph.lines)
            ]
            for paragraph in worse:
                LOGGER.debug("undo %r", paragraph.text[:20])
                unbind(paragraph)
                self.given_up.add(paragraph.element)
            document = self.source.render(**options) if worse else fitted
            if number + 1 < PASSES:
                self.bind(document)
        return document
