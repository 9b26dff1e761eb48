"""Draw WeasyPrint's one-line SVG text groups in the page instead of as Form XObjects.

WeasyPrint draws every SVG `<text>` with a `text-anchor` other than `start` into its
own transparency-group XObject (it needs the text's width before it can place it).
A chart has dozens of such labels, and each costs a stream object, its dictionary and
a resources dictionary: about 40 KB of the bilingual brief, in ~100 streams of 200
bytes that compress badly alone. The PDF already packs its other objects into a
compressed object stream (pydyf does with `compress`), so a post-process such as
`qpdf --object-streams=generate` gains nothing here; inlining the groups does.

A group is inlined only when that cannot change what is drawn: its content paints
text at full opacity (`ca` 1, normal blending) and uses no XObject, pattern or
shading, so compositing it as an isolated group equals painting it in place, and
it is clipped to its `/BBox` as the XObject was. Only groups drawn by a page's own
content are inlined: a label under a translucent ancestor (SVG or CSS `opacity`)
sits in that ancestor's group, and a `fill-opacity` reaches the label's own content.
Poppler renders the result identically but for rounding (a few pixels, by 1/255).
"""

from __future__ import annotations

import re

import pydyf

# Operators of the text groups WeasyPrint writes: state, colour, text; nothing
# that paints an XObject, shading, image or marked content.
TEXT_ONLY = re.compile(
    rb"(?:\s|-?[\d.]++|/[\w.+-]++|\[[^\]]*\]|<[0-9a-fA-F]*>|"
    rb"(?:q|Q|gs|rg|RG|g|G|d|J|j|M|w|BT|ET|Tr|Tm|Tf|TJ|Tj|Td|TD|T\*|Tc|Tw|Tz|TL|Ts|cm)(?=\s|$))*"
)
DO = re.compile(rb"/([\w.+-]+) Do")


def resolve(pdf: pydyf.PDF, value):
    """The object a pydyf reference (`b"12 0 R"`) names, or the value itself."""
    if isinstance(value, str):
        value = value.encode("ascii")
    if isinstance(value, bytes) and value.endswith(b" 0 R"):
        return pdf.objects[int(value.split()[0])]
    return value


def opaque_state(state) -> bool:
    """Whether an ExtGState only sets full opacity (`/ca 1`, `/CA 1`) or nothing."""
    return isinstance(state, dict) and all(
        key in ("ca", "CA", "Type") and (key == "Type" or float(value) == 1)
        for key, value in state.items()
    )


def content(stream: pydyf.Stream) -> bytes:
    """The uncompressed content of a pydyf stream, as it will be written."""
    return b"\n".join(pydyf._to_bytes(part) for part in stream.stream)


def inlinable(pdf: pydyf.PDF, group, page_resources: dict) -> bytes | None:
    """The content to draw in place of `group`, clipped to its box, or None when the
    group must stay an XObject (see the module's docstring)."""
    extra = getattr(group, "extra", {})
    if extra.get("Subtype") != "/Form" or "Matrix" in extra or "Group" not in extra:
        return None
    resources = resolve(pdf, extra.get("Resources"))
    if not isinstance(resources, dict):
        return None
    for kind in ("XObject", "Pattern", "Shading"):
        if resolve(pdf, resources.get(kind)):
            return None
    for kind in ("Font", "ColorSpace"):
        if resources.get(kind) != page_resources.get(kind):
            return None
    states = resolve(pdf, resources.get("ExtGState")) or {}
    page_states = resolve(pdf, page_resources.get("ExtGState"))
    if not isinstance(page_states, dict):
        return None
    for name, state in states.items():
        state = resolve(pdf, state)
        if not opaque_state(state):
            return None
        known = resolve(pdf, page_states.get(name))
        if known is not None and known.data != state.data:
            return None
    body = content(group)
    if TEXT_ONLY.fullmatch(body) is None:
        return None
    for name, state in states.items():
        page_states.setdefault(name, state)
    x1, y1, x2, y2 = (float(v) for v in extra["BBox"])
    clip = b" ".join(pydyf._to_bytes(v) for v in (x1, y1, x2 - x1, y2 - y1)) + b" re W n"
    return b"q\n" + clip + b"\n" + body + b"\nQ"


def drop(pdf: pydyf.PDF, reference) -> None:
    """Put an empty dictionary in place of the object `reference` names. pydyf cannot
    free an object when it writes object streams (it lists a free one as in use at
    offset 0), and an unused `<<>>` costs a few bytes in the compressed object stream."""
    if isinstance(reference, bytes | str) and isinstance(resolve(pdf, reference), pydyf.Object):
        number = resolve(pdf, reference).number
        empty = pydyf.Dictionary()
        empty.number = number
        pdf.objects[number] = empty


def inline_text_groups(pdf: pydyf.PDF) -> int:
    """Draw the inlinable groups of every page in the page; return how many."""
    inlined = 0
    for page in pdf.objects:
        if not isinstance(page, pydyf.Dictionary) or page.get("Type") != "/Page":
            continue
        stream = resolve(pdf, page.get("Contents"))
        resources = resolve(pdf, page.get("Resources"))
        xobjects = resolve(pdf, resources.get("XObject")) if isinstance(resources, dict) else None
        if not isinstance(stream, pydyf.Stream) or not isinstance(xobjects, dict):
            continue
        parts, bodies = [], {}  # bodies: what each inlined name now draws
        for part in stream.stream:
            match = DO.fullmatch(pydyf._to_bytes(part))
            name = match.group(1).decode() if match else None
            if name is not None and name not in bodies and name in xobjects:
                group = resolve(pdf, xobjects[name])
                body = inlinable(pdf, group, resources)
                if body is not None:
                    bodies[name] = body
                    drop(pdf, group.extra["Resources"])
                    drop(pdf, xobjects[name])
            if name in bodies:
                parts.append(bodies[name])
                inlined += 1
            else:
                parts.append(part)
        stream.stream = parts
        for name in bodies:
            del xobjects[name]
    return inlined
