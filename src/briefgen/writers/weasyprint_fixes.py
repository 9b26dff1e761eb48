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
"""

from __future__ import annotations

import inspect
import logging
import re
import textwrap

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


#: Characters a justified Chinese line may stretch after (clreq §3.8, inter-character
#: justification): ideographs, kana and full-width punctuation.
CJK_RUN = re.compile("[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]+")
_justify_applied = False


def justify_between_characters() -> bool:
    """Let `text-align: justify` stretch Chinese lines between characters.

    WeasyPrint 70 justifies by widening spaces only, so a Chinese line (no spaces)
    stays up to two characters short of the right edge. This counts each CJK
    character as a place to stretch and gives it that share as Pango letter spacing
    when the line is drawn. Guarded: if WeasyPrint's functions change shape, it
    does nothing and says so; test_layout.py shows whether lines are flush.
    """
    global _justify_applied
    if _justify_applied:
        return True
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    original_count = inline.count_expandable_spaces
    original_set_text = line_break.Layout.set_text
    expected = ("box",), ("self", "text", "justify")
    if (
        tuple(inspect.signature(original_count).parameters),
        tuple(inspect.signature(original_set_text).parameters),
    ) != expected:
        LOGGER.warning("WeasyPrint changed: Chinese justification fix not applied")
        return False

    def count_expandable_spaces(box):
        count = original_count(box)
        if isinstance(box, boxes.TextBox):
            count += sum(len(run) for run in CJK_RUN.findall(box.text))
        return count

    def set_text(self, text, justify=False):
        original_set_text(self, text, justify)
        spacing = int(self.justification_spacing * line_break.TO_UNITS)
        if not (justify and spacing and CJK_RUN.search(self.text)):
            return
        pango = line_break.pango
        attributes = pango.pango_layout_get_attributes(self.layout)
        if attributes == line_break.ffi.NULL:
            attributes = line_break.ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        for run in CJK_RUN.finditer(self.text):
            attribute = pango.pango_attr_letter_spacing_new(spacing)
            attribute.start_index = len(self.text[: run.start()].encode())
            attribute.end_index = len(self.text[: run.end()].encode())
            pango.pango_attr_list_change(attributes, attribute)
        pango.pango_layout_set_attributes(self.layout, attributes)

    inline.count_expandable_spaces = count_expandable_spaces
    line_break.Layout.set_text = set_text
    _justify_applied = True
    return True


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


CONTENT_TAGS = {"p", "li", "table", "h1", "h2", "h3", "dl", "figure"}


def _content(box, found: list) -> None:
    """The content blocks of a page (outside figures and footnotes), with their boxes."""
    tag = getattr(box, "element_tag", None)
    if box.style["float"] == "footnote":
        return
    if tag in CONTENT_TAGS:
        found.append(box)
        if tag in ("figure", "table"):
            return
    for child in getattr(box, "children", ()):
        _content(child, found)


def lone_last_page(document) -> bool:
    """Whether the last page holds only a figure or a table, filling little of it."""
    if len(document.pages) < 2:
        return False
    page = document.pages[-1]._page_box
    found: list = []
    for child in page.children:
        if type(child).__name__ == "BlockBox" or getattr(child, "element_tag", None) == "html":
            _content(child, found)
    kinds = {box.element_tag for box in found}
    if not found or not kinds <= {"figure", "table", "p"}:
        return False
    if "p" in kinds and not all(
        "table-note" in (box.element.get("class") or "") for box in found if box.element_tag == "p"
    ):
        return False
    bottom = max(box.position_y + box.margin_height() for box in found)
    top = page.content_box_y()
    return (bottom - top) < 0.4 * page.height
