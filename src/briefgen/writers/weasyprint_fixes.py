"""A narrow fix for WeasyPrint's footnote placement, applied before rendering.

WeasyPrint 70, when a line does not fit at the foot of a page and cannot be
broken before, moves footnotes that were already set on the page to the next
page to make room for that line ("report" them). A briefing then shows a call
on one page and its note on the next, and with two reported notes one can be
lost (seen here: footnote 36 of the digital-asset brief vanished). The layout
we want is the older one: break the page before the line, so every note stays
on the page of its call. The fix turns that one decision off, in the one
function that makes it; if a WeasyPrint upgrade changes that code, the fix
does nothing and says so, and the placement tests show whether it is still
needed.

The module also holds the Chinese justification patch (`justify_between_characters`,
same kind of guard) and the tighter second setting used against a lone last page.
"""

from __future__ import annotations

import inspect
import logging
import re
import textwrap

from briefgen.writers.typography import FULL_WIDTH_CHARS

LOGGER = logging.getLogger(__name__)
DECISION = "report = not context.in_column and can_break_now and not could_break_before"
_applied = False


def keep_footnotes_with_their_calls() -> bool:
    """Patch `weasyprint.layout.block._linebox_layout`; return whether it was patched."""
    global _applied
    if _applied:
        return True
    from weasyprint.layout import block

    source = textwrap.dedent(inspect.getsource(block._linebox_layout))
    if source.count(DECISION) != 1:
        LOGGER.warning("WeasyPrint changed: footnote placement fix not applied")
        return False
    patched = source.replace(DECISION, "report = False  # briefgen: keep notes with calls")
    namespace: dict = {}
    exec(
        compile(patched, inspect.getsourcefile(block) or "block.py", "exec"),
        block.__dict__,
        namespace,
    )
    block._linebox_layout = namespace["_linebox_layout"]
    _applied = True
    return True


#: Characters a justified Chinese line may stretch after (clreq, *Line adjustment*:
#: inter-character justification): ideographs, kana and full-width punctuation.
CJK_RUN = re.compile(f"[{FULL_WIDTH_CHARS}]+")
#: How a justified line with Chinese in it is stretched, in em of its text (clreq:
#: adjust the space between characters, never inside a Western word). The gaps after
#: Chinese characters take the first HAN_ALONE; what is left is shared evenly with the
#: spaces between the words of a Latin run, which grow by SPACE_LIMIT at most (a 0.22 em
#: space of Noto Sans then stays under 0.6 em); the rest goes to the Chinese gaps alone.
#: A line that is mostly Latin (fewer Han gaps than word spaces: `China Development
#: Institute——聯合`) shares it evenly from the start: its one or two Han gaps would
#: otherwise open into holes (0.25 em) while its spaces are still narrow.
HAN_ALONE = 0.1
SPACE_LIMIT = 0.3
_justify_applied = False


def justify_between_characters() -> bool:
    """Let `text-align: justify` stretch Chinese lines between characters.

    WeasyPrint 70 justifies by widening spaces only, so a Chinese line (no spaces)
    stays up to two characters short of the right edge, and the spaces of a Latin
    name in it open into holes. This replaces its `justify_line` for lines holding
    Chinese: the gaps between Chinese characters (Pango letter spacing, with the
    half gaps Pango drops at a text box's ends given back) and the word spaces get
    the shares above, measured from Pango's own widths so the line ends flush.
    Lines without Chinese are justified by WeasyPrint itself. Guarded: if the
    patched functions change shape, it does nothing and says so; test_layout.py
    and test_typography.py show whether lines are flush and even.
    """
    global _justify_applied
    if _justify_applied:
        return True
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    original_justify = inline.justify_line
    original_set_text = line_break.Layout.set_text
    expected = ("context", "line", "extra_width"), ("self", "text", "justify")
    if (
        tuple(inspect.signature(original_justify).parameters),
        tuple(inspect.signature(original_set_text).parameters),
    ) != expected or not hasattr(inline, "add_word_spacing"):
        LOGGER.warning("WeasyPrint changed: Chinese justification fix not applied")
        return False

    def set_text(self, text, justify=False):
        original_set_text(self, text, justify)
        spacing = int(getattr(self, "han_spacing", 0) * line_break.TO_UNITS)
        if justify and spacing:
            _letter_space_cjk(line_break, self, spacing)

    def justify_line(context, line, extra_width):
        texts = _text_boxes(line)
        if not any(CJK_RUN.search(box.text) for box in texts):
            return original_justify(context, line, extra_width)
        return _justify_mixed(context, line, texts, extra_width, line_break, inline)

    inline.justify_line = justify_line
    line_break.Layout.set_text = set_text
    _justify_applied = True
    return True


def _letter_space_cjk(line_break, layout, spacing: int) -> None:
    """Letter-space the layout's CJK runs by `spacing` Pango units (Pango drops the
    half spaces at the layout's ends, so a line's last character ends flush)."""
    pango, text = line_break.pango, layout.text
    attributes = pango.pango_layout_get_attributes(layout.layout)
    if attributes == line_break.ffi.NULL:
        attributes = line_break.ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    for run in CJK_RUN.finditer(text):
        attribute = pango.pango_attr_letter_spacing_new(spacing)
        attribute.start_index = len(text[: run.start()].encode())
        attribute.end_index = len(text[: run.end()].encode())
        pango.pango_attr_list_change(attributes, attribute)
    pango.pango_layout_set_attributes(layout.layout, attributes)


def _text_boxes(box) -> list:
    """The text boxes of a line, in order (those WeasyPrint's justification moves)."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return [box]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [
            found
            for child in box.children
            if child.is_in_normal_flow()
            for found in _text_boxes(child)
        ]
    return []


def _justify_mixed(context, line, texts, extra_width, line_break, inline) -> None:
    """Share `extra_width` between the Chinese gaps and the word spaces of the line."""
    han_units = space_units = 0.0
    size = line.style["font_size"]
    for index, box in enumerate(texts):
        # Pango's letter spacing is not quite linear for tiny values: probe with 1 em.
        # A box without Chinese (or without spaces, the only characters WeasyPrint's
        # word spacing widens) gains exactly nothing that way: it is not laid out.
        has_han = bool(CJK_RUN.search(box.text))
        has_space = " " in box.text or "\u00a0" in box.text
        base = _stretched_width(context, box, 0, 0, line_break) if has_han or has_space else 0
        box.briefgen_gain = (
            (_stretched_width(context, box, size, 0, line_break) - base) / size if has_han else 0,
            (_stretched_width(context, box, 0, size, line_break) - base) / size if has_space else 0,
        )
        # Pango drops the half gap at each end of a box; between two boxes of the
        # line (a no-break span, a call) it is given back here, so gaps stay even.
        text = box.text.strip()
        box.briefgen_edges = (
            0.5 * bool(index and CJK_RUN.match(text)),
            0.5 * bool(index < len(texts) - 1 and CJK_RUN.search(text[-1:])),
        )
        han_units += box.briefgen_gain[0] + sum(box.briefgen_edges)
        space_units += box.briefgen_gain[1]
    han, space = share(extra_width, han_units, space_units, size)
    # Kept for the line-breaking pass (pdf_lines), which reads how loose the line is.
    line.briefgen_stretch = (extra_width, han_units, space_units)
    if han_units <= 0:  # a Latin line in a Chinese paragraph: WeasyPrint's own way
        inline.add_word_spacing(context, line, space, 0)
        return
    _move(context, line, han, space, 0, line_break)


def share(extra: float, han_units: float, space_units: float, size: float) -> tuple[float, float]:
    """The stretch of one Chinese gap and of one word space (see HAN_ALONE)."""
    if han_units <= 0:
        return 0.0, extra / space_units if space_units else 0.0
    alone = HAN_ALONE * size if han_units >= space_units else 0.0
    if extra <= han_units * alone:
        return extra / han_units, 0.0
    space = min((extra - han_units * alone) / (han_units + space_units), SPACE_LIMIT * size)
    space = space if space_units else 0.0
    return (extra - space_units * space) / han_units, space


def _stretched_width(context, box, han: float, space: float, line_break) -> float:
    layout = line_break.create_layout(box.text, box.style, context, None, space)
    layout.han_spacing = han
    layout.set_text(layout.text, justify=True)
    line, _ = layout.get_first_line()
    return line_break.line_size(line, box.style)[0]


def _move(context, box, han: float, space: float, x_advance: float, line_break) -> float:
    """WeasyPrint's `add_word_spacing`, with a Chinese gap and a word space apart."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        lead, tail = (han * edge for edge in getattr(box, "briefgen_edges", (0.0, 0.0)))
        box.position_x += x_advance + lead
        gain_han, gain_space = getattr(box, "briefgen_gain", (0.0, 0.0))
        extra = gain_han * han + gain_space * space
        box.width += tail
        x_advance += lead + tail
        if extra:
            box.justification_spacing = space
            layout = line_break.create_layout(box.text, box.style, context, None, space)
            layout.han_spacing = han
            layout.deactivate()
            box.pango_layout = layout
            box.width += extra
            x_advance += extra
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _move(context, child, han, space, x_advance, line_break)
        box.width += x_advance - before
    else:
        box.translate(x_advance, 0)
    return x_advance


#: A second, tighter setting, used only when the first leaves a figure or a table
#: alone on the last page: charts at 80% of the measure, less air around blocks.
TIGHTER_CSS = """
figure.chart img {{ width: 82% !important; margin: 0 auto !important; }}
figure.chart {{ margin: 2mm 0 !important; }}
table.data th, table.data td {{
  padding-top: {cell} !important;
  padding-bottom: {cell} !important;
}}
p {{ margin-bottom: 2mm !important; }}
h2 {{ margin-top: 6mm !important; }}
:lang(zh) {{ line-height: {leading} !important; }}
html:lang(en) {{ line-height: {en_leading} !important; }}
"""
#: Cell padding, Chinese and English leading tried, in turn, until the lone last page
#: is gone (the body text is set at 1.7 and 1.45).
#: Charts shrink to 82% only: their 8.5 pt text then prints at 7 pt, never less.
TIGHTER_STEPS = (("0.7mm", "1.7", "1.45"), ("0.4mm", "1.6", "1.38"))


def tighter_styles() -> list[str]:
    """The tighter settings to try, least change first."""
    return [
        TIGHTER_CSS.format(cell=cell, leading=leading, en_leading=en_leading)
        for cell, leading, en_leading in TIGHTER_STEPS
    ]
