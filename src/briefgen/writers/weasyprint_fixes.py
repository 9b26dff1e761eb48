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
