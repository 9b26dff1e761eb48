"""Charts: drawn from the briefs' own data, legible in both languages, deterministic."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from conftest import BRIEFS, LANGS, ROOT, raw_yaml

from briefgen.edition.charts import ChartRenderer, ChartStyle
from briefgen.errors import BriefgenError
from briefgen.project.model import Brief

EDITIONS = [(brief, lang) for brief in BRIEFS for lang in LANGS]


def charts_of(brief: str) -> list[dict]:
    """The datasets a brief shows as charts, in document order."""
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    return [
        content["data"][block["chart"]]
        for section in content["sections"]
        for block in section["blocks"]
        if "chart" in block
    ]


def tables_shown(brief: str) -> int:
    """Tables a general edition shows: a dataset that is also a chart is shown once, as
    the chart (the audience's `show: chart`)."""
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    blocks = [block for section in content["sections"] for block in section["blocks"]]
    charted = {block["chart"] for block in blocks if "chart" in block}
    return sum(1 for block in blocks if "table" in block and block["table"] not in charted)


def struct_alts(reader) -> list[str]:
    """Alternate texts of the tagged PDF's structure elements, in order."""
    found: list[str] = []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not hasattr(node, "get"):
            return
        if "/Alt" in node:
            found.append(str(node["/Alt"]))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def test_at_least_five_charts_across_the_briefs():
    assert sum(len(charts_of(brief)) for brief in BRIEFS) >= 5


@pytest.mark.parametrize(("brief", "lang"), EDITIONS)
def test_chart_labels_captions_sources_and_alt_text_in_the_pdf(brief, lang, build_dir, read_pdf):
    pdf = read_pdf(build_dir / "general" / f"{brief}.{lang}.pdf")
    text = re.sub(r"\s+", " ", pdf.text)
    charts = charts_of(brief)
    label = "Figure {}" if lang == "en" else "圖{}"
    positions = []
    for number, dataset in enumerate(charts, start=1):
        title = (dataset["chart"].get("title") or dataset["title"])[lang]
        caption = f"{label.format(number)} {title}"
        # Once in the list of figures (with its page number), once under the chart.
        assert text.count(caption) >= 2, caption
        positions.append(text.rindex(caption))
        # a label may wrap in the chart: compare without white space, which a wrapped
        # Chinese label gains between its lines
        unbroken = "".join(text.split())
        for category in dataset["categories"]:
            label_text = "".join(category[lang].split())
            assert label_text in unbroken, f"chart label {category[lang]!r} not in the PDF"
    assert positions == sorted(positions), "figures are not numbered in document order"
    source_word = "Source:" if lang == "en" else "資料來源："
    # a source line under every chart and every table
    assert text.count(source_word) == len(charts) + tables_shown(brief)
    alts = struct_alts(pdf.reader)
    for dataset in charts:
        expected = " ".join(dataset["chart"]["alt"][lang].split())
        assert expected in alts, f"alt text missing: {expected[:40]}"


def dataset(name: str = "talent-shortage"):
    brief = Brief.model_validate(raw_yaml(ROOT / "content" / "fintech-2030.yaml"))
    return brief.data[name]


@pytest.mark.parametrize("lang", LANGS)
def test_rendering_twice_gives_identical_bytes(tmp_path: Path, lang: str):
    first = ChartRenderer(tmp_path / "a").render(dataset(), lang)
    second = ChartRenderer(tmp_path / "b").render(dataset(), lang)
    assert first.svg.read_bytes() == second.svg.read_bytes()
    assert first.png.read_bytes() == second.png.read_bytes()
    assert first.svg.name == second.svg.name


def test_svg_keeps_text_as_text_and_png_is_300_dpi(tmp_path: Path):
    files = ChartRenderer(tmp_path).render(dataset(), "zh-Hant")
    svg = files.svg.read_text(encoding="utf-8")
    assert "應用程式及軟件開發人員" in svg  # a label, as text, not as paths
    assert "Noto Sans CJK HK" in svg
    from PIL import Image

    with Image.open(files.png) as image:
        assert round(image.info["dpi"][0]) >= 300


def test_a_chart_is_drawn_once_and_then_taken_from_the_cache(tmp_path: Path):
    renderer = ChartRenderer(tmp_path)
    files = renderer.render(dataset(), "en")
    stamp = files.svg.stat().st_mtime_ns
    assert renderer.render(dataset(), "en") == files
    assert files.svg.stat().st_mtime_ns == stamp
    other = ChartRenderer(tmp_path, ChartStyle(palette=("#000000",))).render(dataset(), "en")
    assert other.svg != files.svg, "a new theme must give a new chart"


@pytest.mark.parametrize("name", ["talent-shortage", "world-rankings", "gfci-fintech-rank"])
def test_no_glyph_is_missing_in_chinese_charts(tmp_path: Path, name: str):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ChartRenderer(tmp_path).render(dataset(name), "zh-Hant")
    assert not [w for w in caught if "Glyph" in str(w.message)]


def test_a_missing_cjk_font_is_an_error_not_boxes(tmp_path: Path):
    theme = ChartStyle(cjk_font="No Such CJK Font", latin_font="DejaVu Sans")
    with pytest.raises(BriefgenError, match="missing glyphs"):
        ChartRenderer(tmp_path, theme).render(dataset(), "zh-Hant")
    assert not list(tmp_path.glob("*.svg")), "a failed chart must leave no file"
