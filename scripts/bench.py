"""`make bench`: how long the build takes on this machine, and how big its files are.

Measures, on a copy of the project (so nothing in the work tree changes):
a cold full build (empty output folder), a no-op rebuild, a rebuild after one
brief is edited, the peak memory of the build processes, and the size of each
artifact. Writes build/bench.json and prints a table.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BRIEFGEN = Path(sys.executable).parent / "briefgen"
TARGETS = {"noop_seconds": 0.3, "peak_memory_mb": 600, "pdf_kb": 400}
LOOP_TARGETS = {"preview_edit_seconds": 1.5, "check_seconds": 0.5}
#: The edition the preview is timed on (10 pages), and the paragraph edited.
PREVIEW_BRIEF = "fintech-2030"


def run_build(project: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(BRIEFGEN), "build"], cwd=project, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: the build failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout.strip().splitlines()[-1]


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def time_check(project: Path, runs: int = 3) -> float:
    """Median wall time of `briefgen check` (what an editor runs on every save)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([str(BRIEFGEN), "check"], cwd=project, capture_output=True, check=False)
        times.append(time.perf_counter() - started)
    return median(times)


def preview_state(url: str) -> dict:
    """The previewed edition (a stand-in while the project is still loading)."""
    from urllib.request import urlopen

    with urlopen(url + "state.json", timeout=10) as response:
        editions = json.load(response)["editions"]
    return editions[0] if editions else {"version": 0, "status": "loading"}


def wait_for_version(url: str, version: int, timeout: float = 120) -> dict:
    """Wait, on the page's own event stream, until the edition reaches `version`.

    Listening instead of polling: a poll every few milliseconds would take the
    preview's CPU from the build it is timing.
    """
    from urllib.request import urlopen

    with urlopen(url + "events", timeout=timeout) as events:
        while True:
            edition = preview_state(url)
            if edition["version"] >= version or edition["status"] == "error":
                return edition
            while not events.readline().startswith(b"data:"):
                pass


def time_preview(project: Path, edits: int = 5) -> dict:
    """Edit one paragraph of a 10-page edition; time until the preview serves the new PDF.

    Returns the median edit-to-page seconds and WeasyPrint's share (its layout and
    PDF writing, as the preview times them) of the same edit.
    """
    command = [str(BRIEFGEN), "preview", "--brief", PREVIEW_BRIEF, "--port", "0"]
    command += ["--out", str(project / "preview")]
    process = subprocess.Popen(
        command, cwd=project, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[1]
        first = wait_for_version(url, 1)
        brief = project / "content" / f"{PREVIEW_BRIEF}.yaml"
        original = brief.read_text(encoding="utf-8")
        marker = "a robust, resilient and future-ready fintech hub"
        if marker not in original:
            sys.exit(f"bench: the paragraph to edit is gone from {brief.name}")
        totals, weasyprint, cpu = [], [], []
        for number in range(edits):
            # Words, not digits: a digit in one language only is a content error.
            edited = original.replace(marker, f"{marker} (edit {'abcdefghij'[number]})")
            started = time.perf_counter()
            brief.write_text(edited, encoding="utf-8")
            edition = wait_for_version(url, first["version"] + number + 1)
            totals.append(time.perf_counter() - started)
            if edition["status"] == "error":
                sys.exit(f"bench: the preview failed: {edition['errors']}")
            weasyprint.append(edition["timings"]["pdf"])
            cpu.append(edition["timings"]["cpu"])
            time.sleep(0.3)  # let the watcher settle before the next edit
        from pypdf import PdfReader

        pages = len(PdfReader(project / "preview" / "general" / f"{PREVIEW_BRIEF}.en.pdf").pages)
    finally:
        process.terminate()
        process.wait(10)
    total, layout = median(totals), median(weasyprint)
    return {
        "preview_edit_seconds": round(total, 2),
        "preview_weasyprint_seconds": round(layout, 2),
        "preview_weasyprint_share": round(layout / total, 2),
        "preview_pages": pages,
        # the rebuild's own CPU time: near the edit-to-page time on an idle machine
        "preview_rebuild_cpu_seconds": round(median(cpu), 2),
    }


def loop_measures(project: Path) -> tuple[dict, list[tuple[str, str, str]]]:
    """The authoring loop (#18): `briefgen check` and the preview's edit-to-page time."""
    check = time_check(project)
    preview = time_preview(project)
    report = {"check_seconds": round(check, 2), **preview, "loop_targets": LOOP_TARGETS}
    # Other processes on a shared machine slow every figure: say how busy it was.
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    rows = [
        ("briefgen check", f"{check:.2f} s", f"target < {LOOP_TARGETS['check_seconds']} s"),
        (
            "preview edit to page",
            f"{preview['preview_edit_seconds']:.2f} s",
            f"target < {LOOP_TARGETS['preview_edit_seconds']} s; one paragraph, "
            f"{preview['preview_pages']} pages; WeasyPrint "
            f"{preview['preview_weasyprint_seconds']:.2f} s "
            f"({preview['preview_weasyprint_share']:.0%}); rebuild CPU "
            f"{preview['preview_rebuild_cpu_seconds']:.2f} s",
        ),
    ]
    return report, rows


def copy_project(folder: str) -> Path:
    project = Path(folder) / "project"
    project.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, project / name)
    return project


def main_loop() -> int:
    """`python scripts/bench.py loop`: only the authoring-loop figures (no full build)."""
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as folder:
        report, rows = loop_measures(copy_project(folder))
    print(json.dumps(report, indent=2))
    for name, value, note in rows:
        print(f"  {name:<22}  {value:>9}  {note}")
    return 0


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-") as folder:
        project = Path(folder) / "project"
        project.mkdir()
        for name in ("content", "templates"):
            shutil.copytree(ROOT / name, project / name)
        cold, cold_summary = run_build(project)
        noop, noop_summary = run_build(project)
        edited = project / "content" / "hk-shenzhen-plan.yaml"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        one, one_summary = run_build(project)
        loop_report, loop_rows = loop_measures(project)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        out = project / "build"
        sizes = {
            str(path.relative_to(out)): path.stat().st_size
            for path in sorted(out.glob("*/*.*"))
            if not path.parent.name.startswith(".")  # the cache is not an artifact
        }
    pdf_sizes = {name: size for name, size in sizes.items() if name.endswith(".pdf")}
    report = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
        "command": "make bench",
        "cold_build_seconds": round(cold, 2),
        "cold_build": cold_summary,
        "noop_rebuild_seconds": round(noop, 3),
        "noop_rebuild": noop_summary,
        "one_brief_edit_seconds": round(one, 2),
        "one_brief_edit": one_summary,
        "peak_memory_mb": round(peak_mb),
        "artifact_bytes": sizes,
        "largest_pdf_kb": round(max(pdf_sizes.values()) / 1024),
        "pdfs_over_400_kb": sorted(n for n, size in pdf_sizes.items() if size > 400 * 1024),
        "targets": TARGETS,
        **loop_report,
    }
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench.json").write_text(json.dumps(report, indent=2), encoding="utf-8")

    rows = [
        ("cold full build", f"{cold:.1f} s", cold_summary),
        ("no-op rebuild", f"{noop:.2f} s", f"target < {TARGETS['noop_seconds']} s; {noop_summary}"),
        ("one brief edited", f"{one:.1f} s", one_summary),
        (
            "peak memory (one process)",
            f"{peak_mb:.0f} MB",
            f"target < {TARGETS['peak_memory_mb']} MB",
        ),
        (
            "largest PDF",
            f"{report['largest_pdf_kb']} KB",
            f"target < {TARGETS['pdf_kb']} KB; {len(report['pdfs_over_400_kb'])} of "
            f"{len(pdf_sizes)} PDFs over it",
        ),
        *loop_rows,
    ]
    width = max(len(row[0]) for row in rows)
    print(f"briefgen bench on {os.cpu_count()} CPUs (written to build/bench.json)")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>9}  {note}")
    print("  artifact sizes:")
    for name, size in sizes.items():
        print(f"    {size / 1024:8.0f} KB  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main_loop() if sys.argv[1:] == ["loop"] else main())
