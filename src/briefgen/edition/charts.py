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
import math
import re
import textwrap
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from briefgen.edition.i18n import format_value
from briefgen.errors import BriefgenError
from briefgen.files import atomic_output
from briefgen.project.model import Dataset

#: Bump when the drawing code changes in a way the hash cannot see.
STYLE_VERSION = 5
#: Every text of a chart, drawn at WIDTH_MM: at 82% of a 170 mm measure (the most a
#: page may shrink a chart) it still prints at 7 pt, the smallest a reader should get.
SMALL_PT = 8.5
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
    #: The width the chart is drawn at: the width it prints at, so that its 8.5 pt
    #: text prints at 8.5 pt (an audience that sets charts narrower sets this lower).
    width_mm: int = WIDTH_MM


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
        # Where each category sits on a time axis (fractional years), when every
        # category names a period ("March 2024", "2025"): points spaced by real dates.
        "positions": _date_positions([category.get("en") for category in dataset.categories]),
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
        files = ChartFiles(
            self.cache_dir / f"{key}.svg", self.cache_dir / f"{key}.png", self.theme.width_mm
        )
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
            "font.size": SMALL_PT,
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
        width_in = self.theme.width_mm / 25.4
        # A row is as tall as its wrapped label (8.5 pt lines) or its bars, whichever is more.
        lines = max(
            label.count("\n") + 1 for label in wrap_labels(content["categories"], content["lang"])
        )
        label_in = 0.16 * lines + 0.08
        if kind == "compare" and content["unit"] == "rank":
            height_in = 1.0 + max(0.42, label_in) * count
        elif kind in ("barh", "compare"):
            bars = len(content["series"]) if kind == "compare" else 1
            height_in = 0.75 + max(0.26 * bars, label_in) * count
        else:
            height_in = 2.2
        figure, axes = plt.subplots(figsize=(width_in, height_in), layout="constrained")
        if kind == "compare" and content["unit"] == "rank":
            self._rank_dots(axes, content)  # a rank is a position, never a bar length
        elif kind in ("bar", "barh", "compare"):
            self._bars(axes, content)
        else:
            self._line(axes, content)
        return figure

    def _value_title(self, axes, label: str) -> None:
        """The value axis title, horizontal above the axis (Chinese is never set on
        its side; English follows the same house style)."""
        if label:
            axes.set_title(label, loc="left", fontsize=SMALL_PT, color=self.theme.muted, pad=6)

    def _bars(self, axes, content: dict) -> None:
        theme = self.theme
        horizontal = content["kind"] != "bar"
        series = content["series"]
        count = len(content["categories"])
        thickness = 0.8 / len(series)
        for index, (one, texts) in enumerate(zip(series, content["value_texts"], strict=True)):
            offsets = [position - 0.4 + thickness * (index + 0.5) for position in range(count)]
            colour = theme.palette[index % len(theme.palette)]
            draw = axes.barh if horizontal else axes.bar
            size = {"height": thickness} if horizontal else {"width": thickness}
            bars = draw(offsets, one["values"], color=colour, label=one["label"], **size)
            axes.bar_label(bars, labels=texts, padding=2, fontsize=SMALL_PT, color=theme.ink)
        positions = list(range(count))
        top = max(max(one["values"]) for one in series)
        ticks = round_ticks(0, top)
        width = LABEL_CHARS if horizontal else 16
        labels = wrap_labels(content["categories"], content["lang"], width)
        if horizontal:
            axes.set_yticks(positions, labels)
            axes.invert_yaxis()  # first category on top, as in the table
            axes.set_xticks(ticks)
            axes.set_xlim(0, ticks[-1] * 1.04)
            axes.xaxis.grid(True, color=theme.grid, linewidth=0.6)
            axes.tick_params(axis="y", length=0)
            axes.set_xlabel(content["value_label"])
        else:
            axes.set_xticks(positions, labels)
            axes.set_yticks(ticks)
            axes.set_ylim(0, ticks[-1] * 1.04)
            axes.yaxis.grid(True, color=theme.grid, linewidth=0.6)
            self._value_title(axes, content["value_label"])
        axes.set_axisbelow(True)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=SMALL_PT, loc="lower right")

    def _rank_dots(self, axes, content: dict) -> None:
        """Earlier and latest rank per category as two dots joined by a line, on a
        rank axis running from the worst rank to 1, so that right is better."""
        theme = self.theme
        earlier, latest = content["series"][:2]
        earlier_texts, latest_texts = content["value_texts"][:2]
        worst = max(max(earlier["values"]), max(latest["values"]))
        ticks = rank_ticks(worst)
        rows = range(len(content["categories"]))
        for row, before, after in zip(rows, earlier["values"], latest["values"], strict=True):
            axes.plot([before, after], [row, row], color=theme.grid, linewidth=2.4, zorder=1)
        muted, accent = theme.palette[1 % len(theme.palette)], theme.palette[0]
        axes.scatter(
            earlier["values"],
            list(rows),
            s=42,
            color="white",
            edgecolors=muted,
            linewidths=1.6,
            zorder=2,
            label=earlier["label"],
        )
        axes.scatter(
            latest["values"], list(rows), s=42, color=accent, zorder=3, label=latest["label"]
        )
        for row, value, text in zip(rows, latest["values"], latest_texts, strict=True):
            _label_point(axes, text, value, row, theme.ink)
        for row, value, after, text in zip(
            rows, earlier["values"], latest["values"], earlier_texts, strict=True
        ):
            if value != after:  # an unchanged rank is labelled once, by the latest dot
                _label_point(axes, text, value, row, theme.muted)
        axes.set_yticks(list(rows), wrap_labels(content["categories"], content["lang"]))
        axes.invert_yaxis()
        axes.set_xticks(ticks)
        axes.set_xlim(ticks[-1] + 0.5, 0.5)  # rank 1 on the right: right is better
        axes.set_ylim(len(content["categories"]) - 0.4, -0.8)
        axes.xaxis.grid(True, color=theme.grid, linewidth=0.6)
        axes.tick_params(axis="y", length=0)
        axes.set_xlabel(content["value_label"])
        axes.set_axisbelow(True)
        axes.legend(
            frameon=False, fontsize=SMALL_PT, loc="lower left", ncols=2, bbox_to_anchor=(0, 1.0)
        )

    def _line(self, axes, content: dict) -> None:
        theme = self.theme
        positions = content["positions"] or list(range(len(content["categories"])))
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
            beside = content["unit"] == "rank"  # the axis runs downwards: labels beside points
            for x, y, text in zip(positions, one["values"], texts, strict=True):
                axes.annotate(
                    text,
                    (x, y),
                    textcoords="offset points",
                    xytext=(6, -11) if beside else (0, 7),
                    ha="left" if beside else "center",
                    fontsize=SMALL_PT,
                    color=theme.ink,
                )
        axes.set_xticks(positions, wrap_labels(content["categories"], content["lang"], 16))
        span = max(positions) - min(positions) or 1
        axes.set_xlim(min(positions) - 0.08 * span, max(positions) + 0.08 * span)
        axes.set_xlabel(content["category_label"])
        axes.yaxis.grid(True, color=theme.grid, linewidth=0.6)
        values = [v for one in content["series"] for v in one["values"]]
        if content["unit"] == "rank":
            ticks = rank_ticks(max(values))
            axes.set_yticks(ticks)
            axes.set_ylim(ticks[-1] + 0.5, 0.5)  # first place at the top, and shown
        else:
            ticks = round_ticks(min(0, min(values)), max(values))
            axes.set_yticks(ticks)
            axes.set_ylim(ticks[0], ticks[-1] * 1.04)
        self._value_title(axes, content["value_label"])
        if len(content["series"]) > 1:
            axes.legend(frameon=False, fontsize=SMALL_PT)


MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


def _date_positions(labels: list[str]) -> list[float] | None:
    """Fractional years for labels such as "March 2024" or "2025"; None unless all parse."""
    positions = []
    for label in labels:
        match = re.fullmatch(r"(?:([A-Za-z]+)\.? )?(\d{4})", label.strip())
        if not match or (match.group(1) and match.group(1).lower() not in MONTHS):
            return None
        month = MONTHS[match.group(1).lower()] if match.group(1) else 1
        positions.append(int(match.group(2)) + (month - 1) / 12)
    return positions if len(set(positions)) == len(positions) else None


def round_ticks(low: float, high: float) -> list[float]:
    """Round ticks (steps of 1, 2, 2.5 or 5 times a power of ten) from `low` that
    include `high`: the axis ends on a labelled tick, never between two."""
    span = (high - low) or 1
    for step in (
        m * 10**e for e in range(math.floor(math.log10(span)) - 1, 12) for m in (1, 2, 2.5, 5)
    ):
        if span / step <= 6:
            break
    first = math.floor(low / step) * step
    last = math.ceil(high / step) * step
    count = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(count + 1)]


def rank_ticks(worst: float) -> list[int]:
    """Ticks for a rank axis: 1 always, then round ranks up to the worst one."""
    step = next(s for s in (1, 2, 5, 10, 20, 50, 100) if worst / s <= 5)
    last = math.ceil(worst / step) * step
    return [1] + [tick for tick in range(step, last + 1, step) if tick > 1]


#: Characters per line of a category label beside horizontal bars (about a third of
#: the chart's width at 8.5 pt; Chinese characters count double).
LABEL_CHARS = 34


def wrap_labels(labels: list[str], lang: str, width: int = LABEL_CHARS) -> list[str]:
    """Category labels on two or three lines, so they take a third of the width,
    not the half or more a one-line label would."""
    if lang.startswith("zh"):  # balanced lines, Latin words whole, no lone character
        wrapped = []
        for label in labels:
            lines = math.ceil(len(label) / max(6, width // 2))
            step = math.ceil(len(label) / lines)
            parts = [""]
            for unit in re.findall(r"[A-Za-z0-9/.,&\- ]+|.", label):
                closing = unit in "，。、；：？！）」』》"  # stays at the end of its line
                if parts[-1] and len(parts[-1]) + len(unit) > step and not closing:
                    parts.append("")
                parts[-1] += unit
            wrapped.append("\n".join(part.strip() for part in parts))
        return wrapped
    return ["\n".join(textwrap.wrap(label, width)) or label for label in labels]


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


def _label_point(axes, text: str, x: float, y: float, color: str) -> None:
    """A dot's value, set just above it in the chart's small size."""
    axes.annotate(
        text,
        (x, y),
        textcoords="offset points",
        xytext=(0, 6),
        ha="center",
        fontsize=SMALL_PT,
        color=color,
    )
