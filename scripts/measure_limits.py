"""Measure the worst case under each limit of docs/limits.md (time and peak memory).

Each case is a small project (the real templates and sources, the mini brief of
tests/fixtures) with one input at its limit, built or checked under
`/usr/bin/time -v`. Prints a Markdown table for docs/limits.md:

    PYTHONPATH=src .venv/bin/python scripts/measure_limits.py
"""

from __future__ import annotations

import io
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

from briefgen import limits

ROOT = Path(__file__).resolve().parents[1]
BRIEFGEN = str(Path(sys.executable).parent / "briefgen")
MINI = ROOT / "tests" / "fixtures" / "mini.yaml"
GENERAL = Path("templates/audiences/general")
PDF = ["build", "--lang", "en", "--format", "pdf", "--out", "out"]
DOCX = ["build", "--lang", "en", "--format", "docx", "--out", "out"]


def make_project(folder: Path) -> Path:
    shutil.copytree(ROOT / "templates", folder / "templates")
    for audience in (folder / "templates" / "audiences").iterdir():
        if audience.name != "general":
            shutil.rmtree(audience)
    (folder / "content").mkdir()
    shutil.copy(ROOT / "content" / "sources.yaml", folder / "content")
    shutil.copy(MINI, folder / "content" / "mini.yaml")
    return folder


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def big_yaml(project: Path) -> None:
    """A brief just under MAX_YAML_BYTES: paragraphs of 1,000 characters, cited."""
    paragraph = (
        "      - paragraph:\n          en: " + "word " * 200 + "[@hkma-fintech]\n"
        "          zh-Hant: " + "字" * 300 + "[@hkma-fintech]\n"
    )
    path = project / "content" / "mini.yaml"
    room = limits.MAX_YAML_BYTES - path.stat().st_size - 1000
    blocks = paragraph * (room // len(paragraph.encode()))
    replace(path, "    blocks:\n", "    blocks:\n" + blocks)


def citations(project: Path) -> None:
    """The first summary paragraph brought to MAX_CITATIONS_PER_TEXT, in both languages."""
    path = project / "content" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    for anchor in ("It *builds* on", "該策略建基於"):
        line = next(line for line in text.splitlines() if anchor in line)
        extra = limits.MAX_CITATIONS_PER_TEXT - line.count("[@")
        group = " ".join(["[@hkma-fintech]"] * extra)
        text = text.replace(line, line.replace(anchor, f"{group} {anchor}", 1), 1)
    path.write_text(text, encoding="utf-8")


def chart(project: Path) -> None:
    """MAX_CHART_CATEGORIES categories x (MAX_CHART_POINTS / categories) series."""
    count = limits.MAX_CHART_CATEGORIES
    series = limits.MAX_CHART_POINTS // count
    categories = ", ".join(f"{{en: c{i}, zh-Hant: c{i}}}" for i in range(count))
    keys = ", ".join(f"k{i}" for i in range(count))
    values = ", ".join(str(i % 97) for i in range(count))
    lines = "".join(
        f"      - label: {{en: s{j}, zh-Hant: s{j}}}\n        values: [{values}]\n"
        for j in range(series)
    )
    path = project / "content" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("    categories:\n"), text.index("    chart:\n")
    text = (
        text[:start]
        + f"    categories: [{categories}]\n    keys: [{keys}]\n    series:\n{lines}"
        + text[end:]
    )
    text = text.replace("talent.app-dev", "talent.k0").replace("kind: barh", "kind: bar")
    path.write_text(text, encoding="utf-8")


def logo(project: Path) -> None:
    from PIL import Image

    side = int(limits.MAX_IMAGE_PIXELS**0.5)
    Image.new("RGB", (side, side), "navy").save(project / GENERAL / "logo.png")
    with (project / GENERAL / "audience.yaml").open("a", encoding="utf-8") as handle:
        handle.write("theme:\n  logo: logo.png\n")


def slow_template(project: Path) -> None:
    (project / GENERAL / "brief.html.j2").write_text(
        '{% extends "base/brief.html.j2" %}{% block summary %}'
        "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
        "{% endblock %}",
        encoding="utf-8",
    )


def big_value(project: Path) -> None:
    (project / GENERAL / "brief.html.j2").write_text(
        '{% extends "base/brief.html.j2" %}{% block summary %}'
        f"<p>{{{{ 'x' * {limits.MAX_TEMPLATE_VALUE} }}}}</p>{{% endblock %}}",
        encoding="utf-8",
    )


def reference(project: Path) -> None:
    """A reference.docx whose styles part is padded to just under the unpacked limit."""
    base = project / "templates" / "docx" / "reference.docx"
    # hex digits pack to about half: under the packed limit, near the unpacked one
    # (in comments of 1 MB: the XML parser refuses longer ones)
    padding = "--><!--".join(
        secrets.token_hex(500_000) for _ in range(int(limits.MAX_REFERENCE_BYTES * 0.85) // 500_000)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/styles.xml":
                data = data.replace(b"?>", f"?><!--{padding}-->".encode(), 1)
            out.writestr(info.filename, data)
    (project / GENERAL / "reference.docx").write_bytes(buffer.getvalue())


def word(project: Path) -> None:
    replace(
        project / "content" / "mini.yaml",
        "It *builds* on",
        "It " + "w" * limits.MAX_WORD_CHARACTERS + " on",
    )


CASES: list[tuple[str, str, Callable[[Path], None], list[str]]] = [
    ("YAML file size", f"a {limits.MAX_YAML_BYTES:,}-byte brief", big_yaml, ["check"]),
    ("citations per text", f"{limits.MAX_CITATIONS_PER_TEXT} in one paragraph", citations, PDF),
    (
        "chart points",
        f"{limits.MAX_CHART_CATEGORIES} categories, {limits.MAX_CHART_POINTS:,} values",
        chart,
        PDF,
    ),
    ("logo pixels", f"a {int(limits.MAX_IMAGE_PIXELS**0.5)}² PNG", logo, PDF),
    ("render time", "nested loops stopped at the limit", slow_template, PDF),
    ("template value", f"'x' * {limits.MAX_TEMPLATE_VALUE:,}", big_value, PDF),
    (
        "reference.docx",
        f"parts unpacking to ~{int(limits.MAX_REFERENCE_BYTES * 0.85) * 2:,} bytes",
        reference,
        DOCX,
    ),
    ("word length", f"a {limits.MAX_WORD_CHARACTERS}-character word", word, PDF),
]


def huge_yaml(project: Path) -> None:
    with (project / "content" / "huge.yaml").open("w", encoding="utf-8") as handle:
        line = "- " + "x" * 60 + "\n"
        handle.write(line * (61_000_000 // len(line)))


def huge_logo(project: Path) -> None:
    sys.path.insert(0, str(ROOT / "tests"))
    from test_hardening import png_header

    (project / GENERAL / "logo.png").write_bytes(png_header(12000, 12000))
    with (project / GENERAL / "audience.yaml").open("a", encoding="utf-8") as handle:
        handle.write("theme:\n  logo: logo.png\n")


def huge_value(project: Path) -> None:
    (project / GENERAL / "brief.html.j2").write_text(
        "{% extends \"base/brief.html.j2\" %}{% block summary %}{{ 'x' * 10**9 }}{% endblock %}",
        encoding="utf-8",
    )


def bomb_reference(project: Path) -> None:
    buffer = io.BytesIO()
    base = project / "templates" / "docx" / "reference.docx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        with out.open("word/header1.xml", "w") as member:
            for _ in range(1024):
                member.write(b"\0" * (1 << 20))  # 1 GiB, about 1 MB packed
    (project / GENERAL / "reference.docx").write_bytes(buffer.getvalue())


def many_citations(project: Path) -> None:
    group = " ".join(["[@hkma-fintech]"] * 10_000)
    replace(project / "content" / "mini.yaml", "It *builds* on", f"It {group} builds on")


def many_categories(project: Path) -> None:
    categories = ", ".join(f"{{en: c{i}, zh-Hant: c{i}}}" for i in range(10_000))
    path = project / "content" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("    categories:\n"), text.index("    keys:")
    path.write_text(text[:start] + f"    categories: [{categories}]\n" + text[end:], "utf-8")


#: Inputs past each limit: each must be refused (exit 1) at once.
BEYOND: list[tuple[str, str, Callable[[Path], None], list[str]]] = [
    ("YAML file size", "a 61 MB YAML file", huge_yaml, PDF),
    ("logo pixels", "a 12000² PNG logo", huge_logo, PDF),
    ("template value", "`{{ 'x' * 10**9 }}`", huge_value, PDF),
    ("reference.docx", "a 1 GiB part packed in 1 MB", bomb_reference, DOCX),
    ("citations per text", "10,000 in one paragraph", many_citations, PDF),
    ("chart points", "10,000 categories", many_categories, PDF),
]


def measure(args: list[str], cwd: Path) -> tuple[int, float, int]:
    """Exit code, wall-clock seconds, peak resident memory (MB) of `briefgen args`."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    result = subprocess.run(
        ["/usr/bin/time", "-v", BRIEFGEN, *args], cwd=cwd, capture_output=True, text=True, env=env
    )
    wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", result.stderr)
    assert wall, result.stderr
    hours, minutes, seconds = wall.groups()
    elapsed = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr)
    assert rss
    return result.returncode, elapsed, int(rss.group(1)) // 1024


def main() -> None:
    """`measure_limits.py [--beyond] [limit name…]`: the worst cases under the limits,
    or (`--beyond`) inputs past them, which must be refused."""
    beyond = "--beyond" in sys.argv
    wanted = [arg for arg in sys.argv[1:] if arg != "--beyond"]
    print("| limit | case | command | exit | time (s) | peak memory (MB) |")
    print("|---|---|---|---|---|---|")
    for name, case, prepare, args in BEYOND if beyond else CASES:
        if wanted and name not in wanted:
            continue
        with tempfile.TemporaryDirectory(prefix="briefgen-limits-") as scratch:
            project = make_project(Path(scratch) / "project")
            prepare(project)
            code, seconds, memory = measure(args, project)
        command = f"`briefgen {' '.join(args)}`"
        print(f"| {name} | {case} | {command} | {code} | {seconds:.1f} | {memory} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
