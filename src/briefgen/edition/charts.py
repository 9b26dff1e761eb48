"""Charts: a dataset's figures drawn with matplotlib, once per chart, language and theme.

Each chart is written twice: SVG with text kept as text (the PDF embeds it as
vectors and its labels stay searchable) and PNG at 200 dpi (Word shows
pictures, not SVG). Files are named by a hash of everything that shapes them
(the figures and labels, the theme, matplotlib's version), so an unchanged
chart is never drawn again and the same data always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib.ticker import MaxNLocator

from briefgen.edition.i18n import format_value
from briefgen.errors import BriefgenError
from briefgen.files import atomic_output
from briefgen.project.model import Dataset

#: Bump when the drawing code changes in a way the hash cannot see.
STYLE_VERSION = 2
WIDTH_MM = 160
PNG_DPI = 300


@dataclass(frozen=True)
class ChartStyle:
    """The house style of a chart; an audience can set its own colours and fonts."""

    palette: tuple[str, ...] = ("#0b5d7a", "#7fb3c8", "#d08c2b", "#5b6770")
    ink: str = "#1d2733"
    muted: str = "#5b6770"
    grid: str = "#d9e1e6"
    latin_font: str = "Noto Sans"
    cjk_font: str = "Noto Sans CJK HK"
    cjk_font_simplified: str = "Noto Sans CJK SC"


@dataclass(frozen=True)
class ChartFiles:
    svg: Path
    png: Path
    width_mm: int


def chart_content(dataset: Dataset, lang: str) -> dict:
    """What the chart shows in one language: plain strings and numbers, hashable."""
    assert dataset.chart is not None
    spec = dataset.chart
    drawn = dataset.drawn_series()
    return {
        "kind": spec.kind,
        "unit": dataset.unit,
        "lang": lang,
        "categories": [category.get(lang) for category in dataset.categories],
        "category_label": (spec.category_label or dataset.category_label).get(lang),
        "value_label": spec.value_label.get(lang) if spec.value_label else "",
        "series": [
            {"label": series.label.get(lang), "values": [float(v) for v in series.values]}
            for series in drawn
        ],
        "value_texts": [
            [format_value(float(v), dataset.unit, lang) for v in series.values] for series in drawn
        ],
    }


class ChartRenderer:
    """Draws charts into a cache folder and returns their files."""

    def __init__(self, cache_dir: Path, theme: ChartStyle | None = None):
        self.cache_dir = cache_dir
        self.theme = theme or ChartStyle()

    def render(self, dataset: Dataset, lang: str) -> ChartFiles:
        content = chart_content(dataset, lang)
        key = hashlib.sha256(
            json.dumps(
                {
                    "content": content,
                    "theme": asdict(self.theme),
                    "matplotlib": matplotlib.__version__,
                    "style": STYLE_VERSION,
                    "dpi": PNG_DPI,
                },
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        ).hexdigest()[:20]
        files = ChartFiles(self.cache_dir / f"{key}.svg", self.cache_dir / f"{key}.png", WIDTH_MM)
        digests = self.cache_dir / f"{key}.sha256"
        if not _verified(files, digests):  # missing, truncated or altered: drawn again
            self.cache_dir.mkdir(parents=True, exist_ok=True)
            self._draw(content, files)
            with atomic_output(digests) as temporary:
                temporary.write_text(json.dumps(_digests(files)), encoding="utf-8")
        return files

    def _rc(self, lang: str) -> dict:
        theme = self.theme
        cjk = theme.cjk_font_simplified if lang == "zh-Hans" else theme.cjk_font
        families = [theme.latin_font, cjk] if lang == "en" else [cjk, theme.latin_font]
        return {
            "font.family": families,
            "font.size": 8.5,
            "text.color": theme.ink,
            "axes.labelcolor": theme.muted,
            "axes.edgecolor": theme.grid,
            "xtick.color": theme.muted,
            "ytick.color": theme.ink,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",  # text stays text in the SVG, hence in the PDF
            "svg.hashsalt": "briefgen",  # stable ids: same data, same bytes
            "path.simplify": False,
        }

    def _draw(self, content: dict, files: ChartFiles) -> None:
        with (
            warnings.catch_warnings(record=True) as caught,
            matplotlib.rc_context(self._rc(content["lang"])),
        ):
            warnings.simplefilter("always")
            figure = self._figure(content)
            try:
                _save(figure, files.svg, format="svg", metadata={"Date": None})
                _save(figure, files.png, format="png", dpi=PNG_DPI, metadata={"Software": None})
            finally:
                plt.close(figure)
        missing = [str(w.message) for w in caught if "Glyph" in str(w.message)]
        if missing:
            for path in (files.svg, files.png):
                path.unlink(missing_ok=True)
            raise BriefgenError(
                f"chart font is missing glyphs: {missing[0]} "
                "(install fonts-noto-cjk with `sh scripts/setup-system.sh`)"
            )

    def _figure(self, content: dict):
        kind = content["kind"]
        count = len(content["categories"])
        width_in = WIDTH_MM / 25.4
        if kind in ("barh", "compare"):
            rows = count * (len(content["series"]) if kind == "compare" else 1)
            height_in = 0.9 + 0.28 * rows
        else:
            height_in = 2.6
        figure, axes = plt.subplots(figsize=(width_in, height_in), layout="constrained")
        {
            "bar": self._bars,
            "barh": self._bars,
            "compare": self._bars,
            "line": self._line,
            "step": self._line,
        }[kind](axes, content)
        return figure

    def _bars(self, axes, content: dict) -> None:
        theme = self.theme
        kind = content["kind"]
        horizontal = kind != "bar"
        series = content["series"]
        count = len(content["categories"])
        thickness = 0.8 / len(series)
        for index, (one, texts) in enumerate(zip(series, content["value_texts"], strict=True)):
            offsets = [position - 0.4 + thickness * (index + 0.5) for position in range(count)]
            colour = theme.palette[index % len(theme.palette)]
            if horizontal:
                bars = axes.barh(
                    offsets, one["values"], height=thickness, color=colour, label=one["label"]
                )
            else:
                bars = axes.bar(
                    offsets, one["values"], width=thickness, color=colour, label=one["label"]
                )
            axes.bar_label(bars, labels=texts, padding=2, fontsize=7.5, color=theme.ink)
        positions = list(range(count))
        if horizontal:
            axes.set_yticks(positions, content["categories"])
            axes.invert_yaxis()  # first category on top, as in the table
            axes.set_xlabel(content["value_label"])
            axes.xaxis.grid(True, color=theme.grid, linewidth=0.6)
            axes.tick_params(axis="y", length=0)
            axes.margins(x=0.12)
        else:
            axes.set_xticks(positions, content["categories"])
            axes.set_ylabel(content["value_label"])
            axes.yaxis.grid(True, color=theme.grid, linewidth=0.6)
            axes.margins(y=0.15)
        if content["unit"] in ("count", "rank"):  # no 12.5 banks
            (axes.xaxis if horizontal else axes.yaxis).set_major_locator(MaxNLocator(integer=True))
        axes.set_axisbelow(True)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=7.5, loc="lower right")

    def _line(self, axes, content: dict) -> None:
        theme = self.theme
        positions = list(range(len(content["categories"])))
        for index, (one, texts) in enumerate(
            zip(content["series"], content["value_texts"], strict=True)
        ):
            colour = theme.palette[index % len(theme.palette)]
            drawstyle = "steps-post" if content["kind"] == "step" else "default"
            axes.plot(
                positions,
                one["values"],
                marker="o",
                color=colour,
                linewidth=1.8,
                drawstyle=drawstyle,
                label=one["label"],
            )
            for x, y, text in zip(positions, one["values"], texts, strict=True):
                axes.annotate(
                    text,
                    (x, y),
                    textcoords="offset points",
                    xytext=(0, 7),
                    ha="center",
                    fontsize=8,
                    color=theme.ink,
                )
        axes.set_xticks(positions, content["categories"])
        axes.set_xlabel(content["category_label"])
        axes.set_ylabel(content["value_label"])
        axes.yaxis.grid(True, color=theme.grid, linewidth=0.6)
        axes.margins(x=0.08, y=0.2)
        if content["unit"] == "rank":
            # First place at the top; no rank 0 on the axis.
            worst = max(max(one["values"]) for one in content["series"])
            axes.set_ylim(worst + 1.5, 0.5)
            axes.yaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=3))
        if len(content["series"]) > 1:
            axes.legend(frameon=False, fontsize=7.5)


def _digests(files: ChartFiles) -> dict[str, str]:
    return {
        path.suffix: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in (files.svg, files.png)
    }


def _verified(files: ChartFiles, digests: Path) -> bool:
    """Whether the cached chart files are the ones drawn (their content hashes match)."""
    try:
        return all(p.is_file() for p in (files.svg, files.png, digests)) and json.loads(
            digests.read_text(encoding="utf-8")
        ) == _digests(files)
    except (OSError, ValueError):
        return False


def _save(figure, target: Path, **options) -> None:
    """Write a figure atomically: a half-written chart never sits in the cache."""
    with atomic_output(target) as temporary:
        figure.savefig(temporary, **options)
