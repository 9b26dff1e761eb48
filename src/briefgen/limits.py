"""Every bound on work the tool accepts, in one place (documented in docs/limits.md).

Each limit is enforced with a located error before the expensive work starts:
the inputs come from people (content edited by hand, templates and reference
documents from outside the team), and a build runs where secrets and shared
machines are; nothing an input says may make it run for hours or fill memory.
"""

from __future__ import annotations

#: Bytes of one YAML file (the largest brief is ~35 kB).
MAX_YAML_BYTES = 2_000_000
#: Bytes of one template, stylesheet or message catalogue.
MAX_TEMPLATE_BYTES = 1_000_000
#: Bytes of one logo file.
MAX_IMAGE_BYTES = 5_000_000
#: Pixels (width x height) of one logo, read from its header before it is decoded.
MAX_IMAGE_PIXELS = 25_000_000
#: Bytes of one reference.docx, of all its parts unpacked, and the ratio of any part.
MAX_REFERENCE_BYTES = 10_000_000
MAX_REFERENCE_UNPACKED = 20_000_000
MAX_REFERENCE_RATIO = 100
#: Citation groups `[@…]` in one text (a paragraph, bullet, caption).
MAX_CITATIONS_PER_TEXT = 50
#: Categories of one dataset, and values of all its series together.
MAX_CHART_CATEGORIES = 60
MAX_CHART_POINTS = 300
#: Characters of one word (a run without spaces; Chinese text is not counted).
MAX_WORD_CHARACTERS = 300
#: Seconds one template may take to render, and characters of HTML it may produce.
MAX_RENDER_SECONDS = 20
MAX_HTML_CHARACTERS = 20_000_000
#: Characters or items a template expression (`'x' * n`, `range(n)`) may make.
MAX_TEMPLATE_VALUE = 1_000_000
#: The largest figure (in absolute value) a dataset may hold; locale formatting
#: of larger ones fails, and no briefing figure comes near it.
MAX_FIGURE = 1e15
#: Bytes of one file a stylesheet or the HTML refers to (an image, a font).
MAX_ASSET_BYTES = 20_000_000
#: Bytes of build/.cache/state.json (a few hundred per artifact).
MAX_STATE_BYTES = 50_000_000
