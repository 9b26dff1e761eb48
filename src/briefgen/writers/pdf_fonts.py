"""Shrink the CID-keyed CFF fonts (Noto CJK) WeasyPrint embeds, to the glyphs drawn.

Why: WeasyPrint subsets with HarfBuzz's RETAIN_GIDS flag, so an embedded Noto CJK
face keeps a CharStrings entry (and an FDSelect entry) for every glyph up to the last
one used, about 63,000 of them: 165-235 KB per face for a few hundred glyphs drawn.

How: WeasyPrint's content streams show each glyph by its glyph id in the full font,
as a CID (`/CIDToGIDMap /Identity`, `/Encoding /Identity-H`). A CID-keyed CFF maps
CIDs to glyphs through its charset (PDF 32000-1, 9.7.4.2), so a CFF holding only the
glyphs drawn, each under the charset CID equal to its old glyph id, draws the same
glyphs while the content streams, widths (`/W`) and ToUnicode maps stay untouched.
The font is embedded bare (`/FontFile3 /Subtype /CIDFontType0C`): outside an OpenType
wrapper every reader (FreeType included) looks glyphs up by CID.

The CFF is rewritten at the byte level: charstrings, Private dicts, FontBBox and the
other Top DICT entries are copied as they are (so pages render pixel for pixel as
before), only the charset, FDSelect, CharStrings and FDArray are rebuilt. This takes
a few milliseconds per face, where a fontTools round trip takes half a second.
Anything unexpected (a non-CID CFF, a TrueType face, a damaged table) is left as
WeasyPrint wrote it: the optimisation never costs a build.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import struct
import time
from collections.abc import Iterable
from dataclasses import dataclass

import pydyf

from briefgen.writers.pdf_deflate import deflate_on_write
from briefgen.writers.pdf_groups import inline_text_groups

LOGGER = logging.getLogger(__name__)

# Operators (CFF spec, Technical Note #5176): two-byte ones are 1200 + second byte.
CHARSET, CHARSTRINGS, PRIVATE, SUBRS = 15, 17, 18, 19
ROS, FDARRAY, FDSELECT = 1230, 1236, 1237
REBUILT = {CHARSET, CHARSTRINGS, FDARRAY, FDSELECT}


class CFFError(ValueError):
    """The font is not a CID-keyed CFF this module can rewrite."""


# -- reading -----------------------------------------------------------------------


def index_offsets(data: bytes, pos: int) -> tuple[list[int], int]:
    """The offsets of the INDEX at `pos`, made absolute: item i is data[o[i]:o[i + 1]]."""
    count = struct.unpack_from(">H", data, pos)[0]
    if count == 0:
        return [pos + 2], pos + 2
    size = data[pos + 2]
    start = pos + 3
    if not 1 <= size <= 4:
        raise CFFError(f"INDEX offset size {size}")
    raw = data[start : start + size * (count + 1)]
    if size == 3:  # widen to four bytes per offset, so one C call reads them all
        wide = bytearray(4 * (count + 1))
        for byte in range(3):
            wide[byte + 1 :: 4] = raw[byte::3]
        raw, size = bytes(wide), 4
    offsets = struct.unpack(f">{count + 1}{' BH L'[size]}", raw)
    base = start + (count + 1) * data[pos + 2] - 1  # offsets count from 1
    if base + offsets[-1] > len(data):
        raise CFFError("INDEX runs past the end of the table")
    return [base + offset for offset in offsets], base + offsets[-1]


def read_index(data: bytes, pos: int) -> tuple[list[bytes], int]:
    """The items of the INDEX at `pos`, and the position after it."""
    offsets, end = index_offsets(data, pos)
    return [data[a:b] for a, b in itertools.pairwise(offsets)], end


@dataclass
class Entry:
    """One DICT operator with its operands, and its bytes as found."""

    op: int
    operands: list[float]
    raw: bytes


def read_dict(data: bytes) -> list[Entry]:
    entries: list[Entry] = []
    operands: list[float] = []
    start = pos = 0
    while pos < len(data):
        b0 = data[pos]
        if b0 <= 21:
            op = 1200 + data[pos + 1] if b0 == 12 else b0
            pos += 2 if b0 == 12 else 1
            entries.append(Entry(op, operands, data[start:pos]))
            operands, start = [], pos
        elif b0 == 28:
            operands.append(struct.unpack_from(">h", data, pos + 1)[0])
            pos += 3
        elif b0 == 29:
            operands.append(struct.unpack_from(">l", data, pos + 1)[0])
            pos += 5
        elif b0 == 30:  # a real: its value is never needed here, only its bytes
            pos += 1
            while pos < len(data) and 0x0F not in (data[pos] >> 4, data[pos] & 0x0F):
                pos += 1
            pos += 1
            operands.append(0.0)
        elif 32 <= b0 <= 246:
            operands.append(b0 - 139)
            pos += 1
        elif 247 <= b0 <= 250:
            operands.append((b0 - 247) * 256 + data[pos + 1] + 108)
            pos += 2
        elif 251 <= b0 <= 254:
            operands.append(-(b0 - 251) * 256 - data[pos + 1] - 108)
            pos += 2
        else:
            raise CFFError(f"DICT byte {b0}")
    return entries


def read_fdselect(data: bytes, pos: int, glyphs: list[int]) -> list[int]:
    """The Font DICT index of each of `glyphs`."""
    fmt = data[pos]
    if fmt == 0:
        return [data[pos + 1 + gid] for gid in glyphs]
    if fmt != 3:
        raise CFFError(f"FDSelect format {fmt}")
    count = struct.unpack_from(">H", data, pos + 1)[0]
    ranges = [struct.unpack_from(">HB", data, pos + 3 + 3 * i) for i in range(count)]
    firsts = [first for first, _ in ranges]
    return [ranges[bisect.bisect_right(firsts, gid) - 1][1] for gid in glyphs]


def cff_table(font: bytes) -> bytes:
    """The CFF table of an OpenType font, or `font` itself if it is a bare CFF."""
    if font[:4] != b"OTTO":
        if font[:1] == b"\x01":
            return font
        raise CFFError("not a CFF font")
    tables = struct.unpack_from(">H", font, 4)[0]
    for i in range(tables):
        tag, _, offset, length = struct.unpack_from(">4sLLL", font, 12 + 16 * i)
        if tag == b"CFF ":
            return font[offset : offset + length]
    raise CFFError("an OpenType font without a CFF table")


# -- writing -----------------------------------------------------------------------


def int5(value: int) -> bytes:
    """An integer operand in the fixed five-byte form, so offsets can be planned."""
    return b"\x1d" + struct.pack(">l", value)


def op_bytes(op: int) -> bytes:
    return bytes([12, op - 1200]) if op >= 1200 else bytes([op])


def write_index(items: list[bytes]) -> bytes:
    if not items:
        return b"\x00\x00"
    last = 1 + sum(len(item) for item in items)
    size = 1 if last < 1 << 8 else 2 if last < 1 << 16 else 3 if last < 1 << 24 else 4
    offsets = [(1).to_bytes(size, "big")]  # offsets count from 1
    position = 1
    for item in items:
        position += len(item)
        offsets.append(position.to_bytes(size, "big"))
    return struct.pack(">HB", len(items), size) + b"".join(offsets) + b"".join(items)


def write_fdselect(fds: list[int]) -> bytes:
    """Format 3: one range per run of glyphs sharing a Font DICT."""
    ranges = [(gid, fd) for gid, fd in enumerate(fds) if gid == 0 or fds[gid - 1] != fd]
    body = b"".join(struct.pack(">HB", first, fd) for first, fd in ranges)
    return struct.pack(">BH", 3, len(ranges)) + body + struct.pack(">H", len(fds))


def subset_cid_cff(font: bytes, used: Iterable[int], keep_outlined: bool = True) -> bytes:
    """A bare CID-keyed CFF with glyph 0 and the glyphs `used` (glyph ids of `font`),
    each under the CID equal to its glyph id in `font`. With `keep_outlined`, glyphs
    with an outline are kept even if not listed (WeasyPrint's subset has emptied the
    others), so nothing drawn can go missing."""
    # Long because a CFF is one sequence of INDEXes and dictionaries that must be
    # read and rewritten in order (header, names, top dict, strings, subrs, charset,
    # FDSelect, CharStrings); cut into pieces it would pass a dozen offsets around.
    cff = cff_table(font)
    header_size = cff[2]
    names, pos = read_index(cff, header_size)
    tops, pos = read_index(cff, pos)
    strings_at = pos
    _, pos = read_index(cff, pos)
    _, globals_end = read_index(cff, pos)
    if len(tops) != 1:
        raise CFFError("a CFF with more than one font")
    top = read_dict(tops[0])
    where = {entry.op: entry.operands for entry in top}
    if ROS not in where or not {CHARSTRINGS, FDARRAY, FDSELECT} <= set(where):
        raise CFFError("not a CID-keyed CFF")
    offsets, _ = index_offsets(cff, int(where[CHARSTRINGS][0]))
    glyphs = len(offsets) - 1
    font_dicts, _ = read_index(cff, int(where[FDARRAY][0]))

    # An empty charstring is one byte (endchar); any longer one draws something.
    pairs = enumerate(itertools.pairwise(offsets))
    outlined = (gid for gid, (a, b) in pairs if b - a > 1) if keep_outlined else ()
    keep = sorted({0, *outlined, *(gid for gid in used if 0 <= gid < glyphs)})
    if len(keep) >= glyphs:
        raise CFFError("nothing to drop")

    # Private dicts (and their local subroutines, if any), planned after everything else.
    privates: list[tuple[int, int, bytes, bytes]] = []  # (dict index, size, dict, subrs)
    for index, font_dict in enumerate(font_dicts):
        entry = next((e for e in read_dict(font_dict) if e.op == PRIVATE), None)
        if entry is None:
            continue
        size, offset = (int(value) for value in entry.operands)
        private = read_dict(cff[offset : offset + size])
        subrs = b""
        raw = b"".join(e.raw for e in private if e.op != SUBRS)
        local = next((e for e in private if e.op == SUBRS), None)
        if local is not None:
            items, _ = read_index(cff, offset + int(local.operands[0]))
            subrs = write_index(items)
            raw += int5(len(raw) + 6) + op_bytes(SUBRS)  # the subrs follow the dict
        privates.append((index, len(raw), raw, subrs))

    kept_top = b"".join(entry.raw for entry in top if entry.op not in REBUILT)

    def top_dict(*offsets: int) -> bytes:
        ops = (CHARSET, FDSELECT, CHARSTRINGS, FDARRAY)
        pairs = zip(offsets, ops, strict=True)
        return kept_top + b"".join(int5(at) + op_bytes(op) for at, op in pairs)

    top_size = len(top_dict(0, 0, 0, 0))  # five-byte operands: the same for any offsets
    head = cff[:header_size]
    body_start = len(head) + len(write_index(names)) + len(write_index([b"\0" * top_size]))
    strings_and_globals = cff[strings_at:globals_end]

    charset = b"\x00" + b"".join(struct.pack(">H", gid) for gid in keep[1:])
    fdselect = write_fdselect(read_fdselect(cff, int(where[FDSELECT][0]), keep))
    new_charstrings = write_index([cff[offsets[gid] : offsets[gid + 1]] for gid in keep])
    at_charset = body_start + len(strings_and_globals)
    at_fdselect = at_charset + len(charset)
    at_charstrings = at_fdselect + len(fdselect)
    at_fdarray = at_charstrings + len(new_charstrings)

    # Font DICTs point at their Private dicts, which come right after the FDArray.
    fixed_dicts = []
    for font_dict in font_dicts:
        entries = read_dict(font_dict)
        raw = b"".join(entry.raw for entry in entries if entry.op != PRIVATE)
        if any(entry.op == PRIVATE for entry in entries):
            raw += int5(0) + int5(0) + op_bytes(PRIVATE)  # placeholder, same size
        fixed_dicts.append(raw)
    fdarray_size = len(write_index(fixed_dicts))
    position = at_fdarray + fdarray_size
    tail = []
    for index, size, raw, subrs in privates:
        font_dict = fixed_dicts[index]
        fixed_dicts[index] = font_dict[:-11] + int5(size) + int5(position) + op_bytes(PRIVATE)
        tail.append(raw + subrs)
        position += len(raw) + len(subrs)

    new_top = top_dict(at_charset, at_fdselect, at_charstrings, at_fdarray)
    return b"".join(
        [
            head,
            write_index(names),
            write_index([new_top]),
            strings_and_globals,
            charset,
            fdselect,
            new_charstrings,
            write_index(fixed_dicts),
            *tail,
        ]
    )


# -- the WeasyPrint hook -----------------------------------------------------------


def reference_number(reference) -> int:
    """The object number of a pydyf reference (`b"12 0 R"`)."""
    return int(bytes(reference).split()[0])


def width_cids(widths: Iterable) -> set[int]:
    """The CIDs a `/W` array gives widths for: `c [w…]` and `c_first c_last w` forms."""
    items = list(widths)
    cids: set[int] = set()
    i = 0
    while i + 1 < len(items):
        first, second = items[i], items[i + 1]
        if isinstance(second, list):
            cids.update(range(int(first), int(first) + len(second)))
            i += 2
        else:
            cids.update(range(int(first), int(second) + 1))
            i += 3
    return cids


@dataclass
class FontSaving:
    """What shrinking one embedded font did, for `make bench`."""

    name: str
    before: int
    after: int


def shrink_fonts(pdf: pydyf.PDF) -> list[FontSaving]:
    """Replace every CID-keyed CFF font program of `pdf` by one holding only the glyphs
    drawn. Fonts it cannot rewrite stay as they are."""
    used: dict[int, set[int]] = {}
    names: dict[int, str] = {}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Dictionary) or obj.get("Subtype") != "/CIDFontType0":
            continue
        descriptor = pdf.objects[reference_number(obj["FontDescriptor"])]
        if "FontFile3" not in descriptor:
            continue
        number = reference_number(descriptor["FontFile3"])
        used.setdefault(number, set()).update(width_cids(obj.get("W", ())))
        names[number] = str(obj.get("BaseFont", "?")).lstrip("/")
    savings = []
    for number, glyphs in sorted(used.items()):
        stream = pdf.objects[number]
        program = b"".join(bytes(part) for part in stream.stream)
        try:
            smaller = subset_cid_cff(program, glyphs)
        except (CFFError, struct.error, IndexError) as error:
            LOGGER.debug("font %s left as it is: %s", names[number], error)
            continue
        stream.stream = [smaller]
        stream.extra["Subtype"] = "/CIDFontType0C"
        savings.append(FontSaving(names[number], len(program), len(smaller)))
    return savings


class FontShrinker:
    """A WeasyPrint `finisher`: shrinks the fonts just before the PDF is written (and
    draws the chart labels' text groups in the page, see pdf_groups, and deflates the
    streams harder, see pdf_deflate), and keeps what it did and the CPU time it took
    (for `make bench`)."""

    def __init__(self) -> None:
        self.savings: list[FontSaving] = []
        self.seconds = 0.0
        self.groups_inlined = 0

    def __call__(self, document, pdf: pydyf.PDF) -> None:
        started = time.process_time()
        self.savings = shrink_fonts(pdf)
        self.groups_inlined = inline_text_groups(pdf)
        deflate_on_write(pdf)
        self.seconds = time.process_time() - started
