"""Typesetting read back from the built PDFs, glyph by glyph (pdfplumber).

Each test is one defect a demanding reader found (issue 16): note calls on the
baseline or glued to a figure, clreq line-breaking faults, ragged justified
Chinese, text past the margins, stranded headings, unreadable chart text. They
run on every PDF of every audience; to check an existing build instead of
building one, point `BRIEFGEN_LAYOUT_DIR` at its folder (e.g. /tmp/ts-build).
The glyphs' roles come from the PDF's structure tree (H2, Figure, notes), not
from guesses about fonts.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pdfplumber = pytest.importorskip("pdfplumber")

pytestmark = pytest.mark.slow

CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
CLOSING = set("。，、；：？！）」』》〉】〕｝…．%％")
OPENING = set("（「『《〈【〔｛")
UNITS = set("年月日位個家名項間宗億萬倍元歲次條份人週周季號")
HEADINGS = {"H1", "H2", "H3", "H4", "H5", "H6"}


@dataclass
class Glyph:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    baseline: float  # from the top of the page, like `top`
    size: float  # at print size, rotated glyphs included
    roles: tuple[str, ...]  # structure-tree types from the root down; () for artifacts
    call: bool = False  # a footnote call (set by `mark_calls`)
    line_baseline: float = 0.0  # the baseline of the text line it belongs to
    line_size: float = 0.0  # the size of the text a call is raised above
    mcid: int | None = None  # its marked-content id (ties it to a structure element)

    @property
    def note_area(self) -> bool:
        """Set at the foot of the page (a footnote), not in the body."""
        return len(self.roles) > 1 and self.roles[1] == "NonStruct"

    @property
    def chart(self) -> bool:
        return "Figure" in self.roles

    @property
    def heading(self) -> bool:
        return bool(HEADINGS & set(self.roles))


@dataclass
class Line:
    glyphs: list[Glyph]
    baseline: float
    size: float
    following: Line | None = None
    preceding: Line | None = None

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @property
    def x1(self) -> float:
        return self.glyphs[-1].x1

    @property
    def chinese(self) -> bool:
        letters = [g for g in self.glyphs if not g.call and g.text.strip()]
        return sum(bool(CJK.match(g.text)) for g in letters) >= 0.5 * len(letters)


@dataclass
class Page:
    number: int
    glyphs: list[Glyph]
    edges: tuple[float, float] = (0.0, 0.0)  # the text block's left and right
    height: float = 842.0
    lines: list[Line] = field(default_factory=list)
    tree: list[dict] = field(default_factory=list)  # the page's structure tree
    rects: list[dict] = field(default_factory=list)  # filled rectangles (boxes, panels)

    @property
    def body(self) -> list[Glyph]:
        return [g for g in self.glyphs if g.roles and not g.note_area and not g.chart]


def _roles(tree: list[dict]) -> dict[int, tuple[str, ...]]:
    """Marked-content id -> the structure types above it."""
    found: dict[int, tuple[str, ...]] = {}

    def walk(node, path):
        path = (*path, node.get("type", ""))
        for mcid in node.get("mcids") or []:
            found[mcid] = path
        for child in node.get("children", []):
            walk(child, path)

    for node in tree:
        walk(node, ())
    return found


def _glyph(char, height: float, roles) -> Glyph:
    matrix = char["matrix"]
    upright = char["upright"]
    size = char["size"] if upright else char["x1"] - char["x0"]
    return Glyph(
        char["text"],
        char["x0"],
        char["x1"],
        char["top"],
        char["bottom"],
        height - matrix[5],
        size,
        roles.get(char.get("mcid"), ()) if char.get("mcid") is not None else (),
        mcid=char.get("mcid"),
    )


def mark_calls(glyphs: list[Glyph]) -> list[Glyph]:
    """Find footnote calls: small digits right after a larger glyph of the body text.

    Returns the glyph each call follows (the base), in the order of the calls."""
    bases = []
    previous: Glyph | None = None
    for index, glyph in enumerate(glyphs):
        if (
            glyph.text.isdigit()
            and not glyph.note_area
            and not glyph.chart
            and previous is not None
            and not previous.call
            and glyph.size < 0.8 * previous.size
            and -1 <= glyph.x0 - previous.x1 < previous.size
            and abs(glyph.baseline - previous.baseline) < previous.size
        ):
            run = [glyph]
            for after in glyphs[index + 1 :]:
                if not (after.text.isdigit() and abs(after.size - glyph.size) < 0.1):
                    break
                run.append(after)
            for one in run:
                one.call = True
                one.line_baseline = previous.baseline
                one.line_size = previous.size
            bases.append(previous)
        if glyph.text.strip() and not glyph.call:
            previous = glyph  # a space (such as a hair space before a call) is skipped
    return bases


def build_lines(page: Page) -> list[Line]:
    """Body glyphs grouped into visual lines: one baseline, no wide gap (columns and
    table cells are separate lines); calls join the line they are raised above."""
    glyphs = [g for g in page.body if g.text.strip()]
    for glyph in glyphs:
        if not glyph.call:
            glyph.line_baseline = glyph.baseline
    glyphs.sort(key=lambda g: (round(g.line_baseline, 1), g.x0))
    rows: list[list[Glyph]] = []
    for glyph in glyphs:
        if rows and abs(rows[-1][0].line_baseline - glyph.line_baseline) < 0.6:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    lines: list[Line] = []
    for row in rows:
        row.sort(key=lambda g: g.x0)
        current = [row[0]]
        for glyph in row[1:]:
            size = max(g.size for g in current if not g.call) if current else glyph.size
            if glyph.x0 - current[-1].x1 > 1.2 * size:
                lines.append(_line(current))
                current = []
            current.append(glyph)
        lines.append(_line(current))
    for line in lines:  # the next line of the same column or cell
        below = [
            other
            for other in lines
            if line.baseline < other.baseline <= line.baseline + 2.0 * line.size
            and other.x0 < line.x1
            and other.x1 > line.x0
            and abs(other.size - line.size) < 0.5
        ]
        if below:
            line.following = min(below, key=lambda other: other.baseline)
            line.following.preceding = line
    return lines


def _line(glyphs: list[Glyph]) -> Line:
    sizes = [g.size for g in glyphs if not g.call] or [glyphs[0].size]
    return Line(glyphs, glyphs[0].line_baseline, max(sizes, key=sizes.count))


@functools.cache
def read(path: Path) -> list[Page]:
    pages = []
    with pdfplumber.open(path) as pdf:
        for number, plumbed in enumerate(pdf.pages, 1):
            tree = plumbed.structure_tree
            roles = _roles(tree)
            glyphs = [_glyph(c, plumbed.height, roles) for c in plumbed.chars]
            rects = [r for r in plumbed.rects if r["fill"]]
            pages.append(Page(number, glyphs, height=plumbed.height, tree=tree, rects=rects))
            mark_calls(glyphs)
    header = [g for page in pages for g in page.glyphs if not g.roles and g.bottom < 80]
    edges = (min(g.x0 for g in header), max(g.x1 for g in header)) if header else (0, 1e9)
    for page in pages:
        page.edges = edges
        page.lines = build_lines(page)
    return pages


def built_pdfs(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pdf"))


@pytest.fixture(scope="module")
def pdfs(request) -> list[Path]:
    """Every PDF of every audience: an existing build, or one made for the session."""
    folder = os.environ.get("BRIEFGEN_LAYOUT_DIR")
    found = built_pdfs(Path(folder) if folder else request.getfixturevalue("build_dir"))
    assert found, "no PDFs built"
    return found


def where(path: Path, page: Page, what: str) -> str:
    return f"{path.parent.name}/{path.name} p{page.number}: {what}"


def assert_none(pdfs: list[Path], check) -> None:
    """Run `check(path, page)` on every page; fail listing the problems it yields."""
    found = [problem for path in pdfs for page in read(path) for problem in check(path, page)]
    shown = found[:60] + ([f"… and {len(found) - 60} more"] if len(found) > 60 else [])
    assert not found, f"{len(found)} problem(s):\n" + "\n".join(shown)


def test_note_calls_are_raised(pdfs):
    """A call is a readable superscript: raised by a third of its text's size (its
    foot near the x-height) and at least 55% of that size."""

    def check(path, page):
        body = page.body
        for before, glyph in zip([None, *body], body, strict=False):
            if not glyph.call or (before is not None and before.call):
                continue
            raised = (glyph.line_baseline - glyph.baseline) / glyph.line_size
            if raised < 0.3 or glyph.size < 0.55 * glyph.line_size:
                yield where(
                    path,
                    page,
                    f"call {glyph.text!r} at y={glyph.top:.0f} raised {raised:.2f} em, "
                    f"{glyph.size:.1f} pt beside {glyph.line_size:.1f} pt",
                )

    assert_none(pdfs, check)


def test_note_calls_are_not_glued_to_a_figure(pdfs):
    """In the text layer a call after a figure must not extend the number (`第2` + 3)."""

    def check(path, page):
        glyphs = page.glyphs
        for index, glyph in enumerate(glyphs[1:], 1):
            before = glyphs[index - 1]
            if glyph.call and not before.call and before.text.isdigit():
                context = "".join(g.text for g in glyphs[max(0, index - 8) : index + 1])
                yield where(path, page, f"call glued to a figure: {context!r}")

    assert_none(pdfs, check)


def test_chinese_lines_follow_clreq(pdfs):
    """No closing mark or call at a line start, no opening bracket at a line end,
    no number split from its unit, no single character alone on a continued line."""

    def check(path, page):
        for line in page.lines:
            if not line.chinese:
                continue
            first, last = line.glyphs[0], line.glyphs[-1]
            text = line.text
            if first.call or first.text in CLOSING:
                yield where(path, page, f"line starts with {first.text!r}: {text[:12]!r}")
            if last.text in OPENING:
                yield where(path, page, f"line ends with {last.text!r}: {text[-12:]!r}")
            ending = [g for g in line.glyphs if not g.call]
            nxt = line.following
            if ending and ending[-1].text.isdigit() and nxt and nxt.glyphs[0].text in UNITS:
                yield where(
                    path,
                    page,
                    f"number split from its unit: {text[-8:]!r} / {nxt.text[:4]!r}",
                )
            letters = [g for g in line.glyphs if not g.call and g.text not in CLOSING]
            if len(letters) == 1 and line.preceding is not None:
                yield where(path, page, f"a lone character on a line: {text!r}")

    assert_none(pdfs, check)


def test_text_stays_inside_the_text_block(pdfs):
    """Nothing is set past the running header's edges (the margins)."""

    def check(path, page):
        left, right = page.edges
        for line in page.lines:
            # a full-width mark's box is half blank: it may end half an em past the edge
            # (a curly quote too where a Chinese font sets it full-width: zh-Hans “…”)
            last = line.glyphs[-1]
            full_width_quote = last.text in "\u201d\u2019" and last.x1 - last.x0 > 0.9 * line.size
            hang = 0.5 * line.size if last.text in CLOSING or full_width_quote else 0
            if line.x0 < left - 0.5 or line.x1 > right + 0.5 + hang:
                yield where(path, page, f"{line.text[:20]!r} spans {line.x0:.0f}–{line.x1:.0f}")

    assert_none(pdfs, check)


def test_no_heading_ends_a_page(pdfs):
    def check(path, page):
        body = [g for g in page.body if g.text.strip()]
        if page.number == 1 or not body:
            return
        lowest = max(body, key=lambda g: g.bottom)
        if lowest.heading:
            below = [g for g in page.body if g.heading and abs(g.baseline - lowest.baseline) < 1]
            yield where(path, page, f"heading at the foot: {''.join(g.text for g in below)!r}")

    assert_none(pdfs, check)


def test_last_page_is_not_a_lone_figure(pdfs):
    """The last page does not hold only a chart or table with three quarters blank."""

    def check(path, page):
        if page.number != len(read(path)) or page.number == 1:
            return
        body = [g for g in page.body if g.text.strip()]
        # running text: a paragraph, a list or a heading, not a caption or a source line
        text = [
            g
            for g in body
            if g.size >= 9
            and {"P", "LBody", "H1", "H2", "H3"} & set(g.roles)
            and not {"Caption", "TD", "TH", "Figure"} & set(g.roles)
        ]
        lowest = max((g.bottom for g in page.glyphs if g.chart or g in body), default=0)
        if body and not text and lowest < 0.4 * page.height:
            yield where(path, page, f"a lone figure or table, {lowest / page.height:.0%} filled")

    assert_none(pdfs, check)


def test_last_page_is_not_a_remnant(pdfs):
    """A last page that only ends the section before it (no heading) holds more than a
    few lines: up to 27% filled, four editions had one a tighter setting takes back."""

    def check(path, page):
        if page.number != len(read(path)) or page.number == 1:
            return
        body = [g for g in page.body if g.text.strip()]
        if any({"H1", "H2", "H3"} & set(g.roles) for g in body):
            return
        lowest = max((g.bottom for g in page.glyphs if g.chart or g in body), default=0)
        if body and lowest < 0.3 * page.height:
            share = f"{lowest / page.height:.0%}"
            yield where(path, page, f"the end of a section alone, {share} filled")

    assert_none(pdfs, check)


def _leading_figure(glyphs: list[Glyph]) -> list[Glyph]:
    """The figure a page begins with (chart, caption, source line), if it begins with one."""
    run = []
    for glyph in glyphs:
        if not (glyph.chart or "NonStruct" in glyph.roles):
            break
        run.append(glyph)
    return run if any(glyph.chart for glyph in run) else []


def _element_height(page: Page, glyph: Glyph, kind: str) -> float:
    """The height on `page` of the innermost `kind` element (P, TR) holding `glyph`."""
    held = [node for node, _ in _nodes(page.tree) if node.get("type") == kind]
    held = [node for node in held if glyph.mcid in _ids(node)]
    if not held:
        return float("inf")
    inner = min(held, key=lambda node: len(_ids(node)))
    found = glyphs_of(page, inner)
    return max(g.bottom for g in found) - min(g.top for g in found)


def test_no_page_ends_in_a_hole_a_figure_could_fill(pdfs):
    """A figure a little too tall for the rest of a page is set smaller (its chart text
    no smaller than 7 pt), or the paragraph after it is set first: the page before it
    does not end in a hole either remedy could close (issue 16, page make-up). The
    hole runs from the page's lowest text to its notes or its foot."""

    def check(path, page):
        pages = read(path)
        if page.number == len(pages):
            return
        after = pages[page.number]
        body = sorted(
            (g for g in after.glyphs if g.roles and not g.note_area and g.text.strip()),
            key=lambda g: (g.top, g.x0),
        )
        text = [g for g in page.glyphs if g.roles and not g.note_area and g.text.strip()]
        figure = _leading_figure(body)
        if not figure or not text:
            return
        notes = [g.top for g in page.glyphs if g.note_area and g.text.strip()]
        footer = [g.top for g in page.glyphs if not g.roles and g.top > 0.85 * page.height]
        hole = min(notes or footer or [page.height]) - max(g.bottom for g in text)
        if hole <= 0.15 * page.height:
            return
        chart = [g for g in figure if g.chart]
        size = min(g.size for g in chart)
        chart_height = max(g.bottom for g in chart) - min(g.top for g in chart)
        rest = max(g.bottom for g in figure) - max(g.bottom for g in chart)
        smaller = size > 7.05 and chart_height * 7 / size + rest < hole
        following = body[len(figure)] if len(body) > len(figure) else None
        kind = "TR" if following is not None and "TR" in following.roles else "P"
        movable = (
            following is not None
            and "P" in following.roles
            and _element_height(after, following, kind) + following.size * 2 < hole
        )
        if smaller or movable:
            remedy = "set smaller" if smaller else "with the paragraph after it set first"
            yield where(
                path,
                page,
                f"ends {hole / page.height:.0%} above its foot; the "
                f"figure on the next page would fit {remedy}",
            )

    assert_none(pdfs, check)


def test_justified_chinese_lines_are_flush(pdfs):
    """Every line of a Chinese paragraph but its last reaches the right edge (0.5 em)."""

    def check(path, page):
        right = page.edges[1]
        for line in page.lines:
            nxt = line.following
            body_size = 10 <= line.size <= 11
            if not (line.chinese and body_size and nxt and nxt.chinese):
                continue
            continued = abs(nxt.x0 - line.x0) < 1 and nxt.baseline - line.baseline < 1.9 * line.size
            if continued and right - line.x1 > 0.5 * line.size:
                yield where(path, page, f"{right - line.x1:.1f} pt short: {line.text[-10:]!r}")

    assert_none(pdfs, check)


def test_chart_text_is_at_least_7pt(pdfs):
    def check(path, page):
        small = {g.text for g in page.glyphs if g.chart and g.text.strip() and g.size < 6.95}
        sizes = [g.size for g in page.glyphs if g.chart and g.text.strip()]
        if small:
            yield where(
                path,
                page,
                f"chart text at {min(sizes):.1f} pt: {''.join(sorted(small))[:20]!r}",
            )

    assert_none(pdfs, check)


# The bilingual columns, the key-figure boxes and the table cells: measured per
# structure element (a table row, a cell, a key figure), found in the structure tree.


def _nodes(tree: list[dict], above: tuple[dict, ...] = ()):
    """Every structure element, with the elements above it."""
    for node in tree:
        yield node, above
        yield from _nodes(node.get("children", []), (*above, node))


def _ids(node: dict) -> set[int]:
    found = set(node.get("mcids") or [])
    for child in node.get("children", []):
        found |= _ids(child)
    return found


def glyphs_of(page: Page, node: dict) -> list[Glyph]:
    """The visible glyphs an element holds on this page (its notes are set elsewhere)."""
    ids = _ids(node)
    return [g for g in page.glyphs if g.mcid in ids and g.text.strip() and not g.note_area]


def _is_key_figure(node: dict, above: tuple[dict, ...]) -> bool:
    """A key figure is a `div` in the `dl`: a Div right under an L."""
    return node.get("type") == "Div" and bool(above) and above[-1].get("type") == "L"


def paired_rows(page: Page):
    """The bilingual table's text rows: (English cell, Chinese cell, holds key figures)."""
    for node, _ in _nodes(page.tree):
        cells = node.get("children", [])
        if node.get("type") == "TR" and [c.get("type") for c in cells] == ["TD", "TD"]:
            figures = any(_is_key_figure(n, a) for n, a in _nodes(cells))
            yield cells[0], cells[1], figures


def _depth(glyphs: list[Glyph]) -> float:
    return max(g.bottom for g in glyphs) - min(g.top for g in glyphs)


#: The share of the paired rows' height left unused by the shorter cell. With equal
#: columns it was 30-37% (0.33 over the three general briefs); with the Chinese
#: column 18 characters wide it is 10-16% (0.12).
MOST_UNUSED = 0.2


def test_bilingual_columns_leave_no_holes(pdfs):
    """Columns as wide as their scripts need: over all paired text rows of a bilingual
    PDF, the shorter cell of a row leaves under a fifth of the rows' height unused."""
    bilingual = [path for path in pdfs if ".bilingual." in path.name]
    if not bilingual:
        pytest.skip("no bilingual PDF in this build")
    found = []
    for path in bilingual:
        unused = total = 0.0
        for page in read(path):
            for en, zh, figures in paired_rows(page):
                left, right = glyphs_of(page, en), glyphs_of(page, zh)
                if figures or not left or not right:
                    continue  # key-figure boxes are the next test's
                unused += abs(_depth(left) - _depth(right))
                total += max(_depth(left), _depth(right))
        if not total:
            found.append(f"{path.parent.name}/{path.name}: no paired rows found")
        elif unused / total > MOST_UNUSED:
            found.append(
                f"{path.parent.name}/{path.name}: {unused / total:.0%} of the paired rows' "
                f"height is a hole beside the longer column (at most {MOST_UNUSED:.0%})"
            )
    assert not found, "\n".join(found)


def box_around(page: Page, glyphs: list[Glyph]) -> dict:
    """The smallest filled box around the glyphs (with a border drawn as rectangles
    a border's width apart, their union); `none` set when there is none."""
    x0, x1 = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
    top, bottom = min(g.top for g in glyphs), max(g.bottom for g in glyphs)
    around = [
        r
        for r in page.rects
        if r["x0"] <= x0 and r["x1"] >= x1 and r["top"] <= top and r["bottom"] >= bottom
    ]
    if not around:
        return {"x0": x0, "x1": x1, "top": top, "bottom": bottom, "none": True}
    least = min(r["width"] * r["height"] for r in around)
    parts = [r for r in around if r["width"] * r["height"] < 1.05 * least]
    return {
        "x0": min(r["x0"] for r in parts),
        "x1": max(r["x1"] for r in parts),
        "top": min(r["top"] for r in parts),
        "bottom": max(r["bottom"] for r in parts),
    }


def heading_rule(page: Page, below: float) -> tuple[float, float] | None:
    """The ends of the rule under the last heading above `below` on the page."""
    headings = [
        glyphs
        for node, _ in _nodes(page.tree)
        if node.get("type") == "H2" and (glyphs := glyphs_of(page, node))
    ]
    above = [glyphs for glyphs in headings if max(g.bottom for g in glyphs) < below]
    if not above:
        return None
    box = box_around(page, max(above, key=lambda glyphs: max(g.bottom for g in glyphs)))
    return None if "none" in box else (box["x0"], box["x1"])


def key_figure_boxes(page: Page) -> list[tuple[str, dict]]:
    """Each key figure on the page with the smallest filled box around its text."""
    boxes = []
    for node, above in _nodes(page.tree):
        glyphs = glyphs_of(page, node) if _is_key_figure(node, above) else []
        if not glyphs:
            continue
        text = "".join(g.text for g in glyphs)[:12]
        boxes.append((text, box_around(page, glyphs)))
    return boxes


def test_key_figure_boxes_are_level(pdfs):
    """Key-figure boxes side by side (one row; an English box and its Chinese twin)
    share top and bottom whatever their labels' lengths, and a row spans the text
    block, from one end of the heading rule to the other."""

    def check(path, page):
        boxes = sorted(key_figure_boxes(page), key=lambda item: item[1]["top"])
        rows: list[list[tuple[str, dict]]] = []
        for text, box in boxes:
            if "none" in box:
                yield where(path, page, f"key figure {text!r} has no box")
            elif rows and box["top"] < max(b["bottom"] for _, b in rows[-1]):
                rows[-1].append((text, box))
            else:
                rows.append([(text, box)])
        if not rows:
            return
        left, right = heading_rule(page, rows[0][0][1]["top"]) or page.edges
        for row in rows:
            names = " | ".join(text for text, _ in row)
            for edge in ("top", "bottom"):
                spread = max(b[edge] for _, b in row) - min(b[edge] for _, b in row)
                if spread > 0.5:
                    yield where(path, page, f"key-figure {edge}s {spread:.1f} pt apart: {names}")
            first = min(b["x0"] for _, b in row)
            last = max(b["x1"] for _, b in row)
            if abs(first - left) > 1 or (len(row) > 1 and abs(last - right) > 1):
                yield where(
                    path,
                    page,
                    f"key figures span {first:.1f}–{last:.1f}, the heading rule "
                    f"{left:.1f}–{right:.1f}: {names}",
                )

    assert_none(pdfs, check)


MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December"
    "|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec"
)
UNIT_WORDS = r"per ?cent|[bmtr]illion\b|bn\b"
#: A line ending that must not be parted from the next line's start.
UNBROKEN = [
    (re.compile(rf"\b(?:{MONTHS})\.?$"), re.compile(r"^\d{4}\b")),  # March / 2025
    (re.compile(r"(?:^|\D)\d{1,2}$"), re.compile(rf"^(?:{MONTHS})\b")),  # 11 / December
    (re.compile(r"\d{4}年$"), re.compile(r"^\d{1,2}月")),  # 2025年 / 11月
    (re.compile(r"\d$"), re.compile(rf"^(?:%|％|{UNIT_WORDS}|[{''.join(sorted(UNITS))}])")),
    (re.compile(r"(?:HK\$|US\$|USD|HKD|RMB|¥|\$)$"), re.compile(r"^\d")),  # HK$ / 200
]


def data_cells(page: Page):
    """The cells of the data tables (a table with a header row), not the bilingual
    table's columns."""
    for node, above in _nodes(page.tree):
        tables = [a for a in above if a.get("type") == "Table"]
        header = tables and any(c.get("type") == "THead" for c in tables[-1]["children"])
        if node.get("type") in ("TD", "TH") and header:
            yield node


def cell_lines(page: Page, cell: dict) -> list[str]:
    glyphs = sorted(
        (g for g in glyphs_of(page, cell) if not g.call), key=lambda g: (g.baseline, g.x0)
    )
    lines: list[list[Glyph]] = []
    for glyph in glyphs:
        if lines and abs(lines[-1][-1].baseline - glyph.baseline) < 1:
            lines[-1].append(glyph)
        else:
            lines.append([glyph])
    return ["".join(g.text for g in line).strip() for line in lines]


def test_table_cells_keep_dates_and_units_whole(pdfs):
    """No data-table cell breaks a date ("November 2025", "2025年11月") or a number
    from its unit across lines: columns take the width their content needs."""

    def check(path, page):
        for cell in data_cells(page):
            lines = cell_lines(page, cell)
            for before, after in itertools.pairwise(lines):
                if any(end.search(before) and start.match(after) for end, start in UNBROKEN):
                    yield where(path, page, f"cell broken: {before[-14:]!r} / {after[:10]!r}")

    assert_none(pdfs, check)


@pytest.mark.slow
def test_a_figure_in_a_hole_after_a_tighter_setting_is_fitted(tmp_path):
    """The tighter setting for a lone last page sets charts at 82% with !important; the
    figure-fitting pass then computed widths as if from 100% and wrote them inline,
    where they lost to it: three layouts changed nothing and the hole stayed. Widths
    are now read from the layout, so the pass moves the paragraph after the figure."""
    from PIL import Image
    from weasyprint import CSS, HTML

    from briefgen.writers.pdf_makeup import fit_figures
    from briefgen.writers.weasyprint_fixes import tighter_styles

    Image.new("RGB", (400, 300), "blue").save(tmp_path / "chart.png")
    words = "Text of the paragraph that fills the page. " * 13
    html = (
        "<html><head><style>@page { size: 120mm 150mm; margin: 10mm } body { font-size: 10pt }"
        " figure.chart { margin: 5mm 0 4mm; break-inside: avoid }"
        " figure.chart img { width: 100%; display: block }</style></head>"
        f"<body><h2>A</h2><p>{words}</p><figure class='chart'><img src='chart.png'>"
        "<figcaption>Figure 1</figcaption></figure><p>After the figure.</p></body></html>"
    )
    source = HTML(string=html, base_url=f"{tmp_path}/")
    layouts = []
    render = source.render
    source.render = lambda **options: layouts.append(1) or render(**options)
    options = {"stylesheets": [CSS(string=tighter_styles()[0])]}
    fitted = fit_figures(source, render(**options), **options)

    def page_of(text):
        return next(
            number
            for number, page in enumerate(fitted.pages)
            if any(text in (getattr(box, "text", "") or "") for box in page._page_box.descendants())
        )

    assert page_of("After the figure") == 0 and len(layouts) == 1, layouts
