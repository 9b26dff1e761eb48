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
#: The environment of every timed command. A user's Python keeps compiled bytecode; a
#: shell that turns that off (as some sandboxes do) would time the compiling of
#: briefgen's own modules on every run.
USER_ENV = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}


def run_build(project: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(BRIEFGEN), "build"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=USER_ENV,
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: the build failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout.strip().splitlines()[-1]


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def time_check(project: Path, runs: int = 3) -> dict[str, float]:
    """`briefgen check` as an editor runs it on every save: the median of `runs`
    checks each after a one-paragraph edit to a brief (the figure the target is
    for), the median of `runs` repeats with nothing changed, and the first run
    with nothing kept in build/.cache/."""

    def once() -> tuple[float, float]:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [str(BRIEFGEN), "check"], cwd=project, capture_output=True, check=False, env=USER_ENV
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        return time.perf_counter() - started, cpu

    shutil.rmtree(project / "build" / ".cache", ignore_errors=True)
    cold, _ = once()
    repeats = [once() for _ in range(runs)]
    brief = sorted((project / "content").glob("*-*.yaml"))[0]
    original = brief.read_text(encoding="utf-8")
    edits = []
    for number in range(runs):
        brief.write_text(edited_paragraph(original, f"check edit {number}"), encoding="utf-8")
        edits.append(once())
    brief.write_text(original, encoding="utf-8")
    return {
        "check_seconds": round(median([wall for wall, _ in edits]), 2),
        "check_cpu_seconds": round(median([cpu for _, cpu in edits]), 2),
        "check_unchanged_seconds": round(median([wall for wall, _ in repeats]), 2),
        "check_cold_seconds": round(cold, 2),
    }


def preview_state(url: str, name: str | None = None) -> dict:
    """One previewed edition (the first, or `name`); a stand-in while still loading."""
    from urllib.request import urlopen

    with urlopen(url + "state.json", timeout=10) as response:
        editions = json.load(response)["editions"]
    chosen = [e for e in editions if name is None or e["name"] == name]
    if name is None and editions and any(e["version"] == 0 for e in editions):
        return {"version": 0, "status": "loading"}  # the first build is not done
    return chosen[0] if chosen else {"version": 0, "status": "loading"}


def wait_for_version(
    url: str, version: int, name: str | None = None, timeout=300, final: bool = False
) -> dict:
    """Wait, on the page's own event stream, until the edition reaches `version` (with
    `final`, in its made-up layout, not the first draft of an edit).

    Listening instead of polling: a poll every few milliseconds would take the
    preview's CPU from the build it is timing.
    """
    from urllib.request import urlopen

    with urlopen(url + "events", timeout=timeout) as events:
        while True:
            edition = preview_state(url, name)
            if edition["status"] == "error":
                return edition
            if edition["version"] >= version and not (final and edition.get("draft")):
                return edition
            while not events.readline().startswith(b"data:"):
                pass


def edited_paragraph(text: str, word: str) -> str:
    """The brief with one word added to its first summary paragraph, in English."""
    from io import StringIO

    from ruamel.yaml import YAML

    yaml = YAML()
    data = yaml.load(text)
    data["summary"][0]["en"] = f"{data['summary'][0]['en']} ({word})"
    out = StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def time_preview(project: Path, edits: int = 5) -> dict:
    """Edit one paragraph of the longest general English edition; time until the
    preview serves the new PDF.

    Returns the median edit-to-page seconds and WeasyPrint's share (its layout and
    PDF writing, as the preview times them) of the same edit.
    """
    from pypdf import PdfReader

    out = project / "preview"
    command = [str(BRIEFGEN), "preview", "--port", "0", "--out", str(out)]
    process = subprocess.Popen(
        command,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=USER_ENV,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[1]
        wait_for_version(url, 1)
        pages = {
            pdf.name.split(".")[0]: len(PdfReader(pdf).pages)
            for pdf in (out / "general").glob("*.en.pdf")
        }
        chosen = max(sorted(pages), key=pages.__getitem__)
        name = f"general/{chosen}.en.pdf"
        brief = project / "content" / f"{chosen}.yaml"
        original = brief.read_text(encoding="utf-8")
        totals, weasyprint, cpu, reading, finals = [], [], [], [], []
        for number in range(edits):
            # Words, not digits: a digit in one language only is a content error.
            edited = edited_paragraph(original, f"edit {'abcdefghij'[number]}")
            started = time.perf_counter()
            brief.write_text(edited, encoding="utf-8")
            edition = wait_for_version(url, number + 2, name)
            totals.append(time.perf_counter() - started)
            if edition["status"] == "error":
                sys.exit(f"bench: the preview failed: {edition['errors']}")
            weasyprint.append(edition["timings"]["pdf"])
            cpu.append(edition["timings"]["cpu"])
            reading.append(edition["timings"]["read"])
            # then the made-up layout of the same edit, before the next edit
            wait_for_version(url, number + 2, name, final=True)
            finals.append(time.perf_counter() - started)
            time.sleep(0.3)  # let the watcher settle before the next edit
    finally:
        process.terminate()
        process.wait(10)
    pages = pages[chosen]
    total, layout = median(totals), median(weasyprint)
    return {
        "preview_edit_seconds": round(total, 2),
        # the same edit in its final page make-up (tighter setting, figures fitted)
        "preview_final_seconds": round(median(finals), 2),
        "preview_weasyprint_seconds": round(layout, 2),
        "preview_weasyprint_share": round(layout / total, 2),
        "preview_pages": pages,
        "preview_edition": name,
        # the CPU time of re-reading the brief and rebuilding the edition: near the
        # edit-to-page time on an idle machine
        "preview_rebuild_cpu_seconds": round(median(cpu), 2),
        "preview_reread_brief_seconds": round(median(reading), 2),
    }


def host_loop_seconds() -> float:
    """The best of three runs of `sum(range(10**7))` in this interpreter."""
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        sum(range(10**7))
        runs.append(time.perf_counter() - started)
    return round(min(runs), 3)


def loop_measures(project: Path) -> tuple[dict, list[tuple[str, str, str]]]:
    """The authoring loop (#18): `briefgen check` and the preview's edit-to-page time."""
    checks = time_check(project)
    preview = time_preview(project)
    report = {
        **checks,
        **preview,
        "loop_targets": LOOP_TARGETS,
    }
    # Other processes on a shared machine slow every figure: say how busy it was.
    report["load_average_1min"] = round(os.getloadavg()[0], 2)
    # A shared host's speed drifts by half from one hour to the next: a fixed pure-
    # Python loop, timed beside the figures, tells runs on a slow hour from slow code.
    report["host_loop_seconds"] = host_loop_seconds()
    rows = [
        (
            "briefgen check",
            f"{checks['check_seconds']:.2f} s",
            f"target < {LOOP_TARGETS['check_seconds']} s; after a one-paragraph edit, CPU "
            f"{checks['check_cpu_seconds']:.2f} s; unchanged "
            f"{checks['check_unchanged_seconds']:.2f} s; first run "
            f"{checks['check_cold_seconds']:.2f} s",
        ),
        (
            "preview edit to page",
            f"{preview['preview_edit_seconds']:.2f} s",
            f"target < {LOOP_TARGETS['preview_edit_seconds']} s; one paragraph, first layout; "
            f"made up {preview['preview_final_seconds']:.2f} s; "
            f"{preview['preview_pages']} pages; WeasyPrint "
            f"{preview['preview_weasyprint_seconds']:.2f} s "
            f"({preview['preview_weasyprint_share']:.0%}); re-read + rebuild CPU "
            f"{preview['preview_rebuild_cpu_seconds']:.2f} s",
        ),
        (
            "host speed",
            f"{report['host_loop_seconds']:.3f} s",
            f"sum(range(10**7)), best of 3; load average {report['load_average_1min']}",
        ),
    ]
    return report, rows


def copy_project(folder: str) -> Path:
    """The project's content and templates in `folder`/project, with the source archive
    beside it where sources.yaml looks (../shared/sources): without it the evidence
    check would verify nothing, and every figure would be too good."""
    project = Path(folder) / "project"
    project.mkdir()
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, project / name)
    shared = (ROOT / ".." / "shared").resolve()
    if shared.is_dir():
        (Path(folder) / "shared").symlink_to(shared, target_is_directory=True)
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
        project = copy_project(folder)
        cold, cold_summary = run_build(project)
        noop, noop_summary = run_build(project)
        edited = project / "content" / "hk-shenzhen-plan.yaml"
        edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        one, one_summary = run_build(project)
        peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        loop_report, loop_rows = loop_measures(project)  # after: its own process is warm
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


# -- issue 19: fonts shrunk, and sharded builds (`make bench` runs these after the above) --
# `python scripts/bench.py fonts shards` runs only these; results go to build/bench.json
# under "fonts" and "shards" (merged into what main() wrote).

#: The team of issue 19: 50 briefs x 6 audiences x 4 languages x 2 formats.
TEAM_ARTIFACTS = 2400
#: What one more GitHub runner costs before it builds anything: checkout, Python, and
#: scripts/setup-system.sh (Pango, Noto fonts, LibreOffice): about 3-4 minutes.
RUNNER_SETUP_SECONDS = 210
RUNNER_CORES = 2


def cpu_of_children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bench_fonts(repeat: int = 2) -> dict:
    """Every PDF of the general edition written from the same HTML with WeasyPrint's
    fonts as they are and shrunk (writers/pdf_fonts.py): sizes, and the PDF stage's
    CPU time (the least of `repeat` runs, so other load on the machine counts less)."""
    from briefgen.engine.build import chart_cache, plan, render_job_html
    from briefgen.project.load import load_project
    from briefgen.project.paths import Project
    from briefgen.writers.pdf import write_pdf
    from briefgen.writers.pdf_fonts import FontShrinker

    loaded = load_project(Project(ROOT))
    jobs = [job for job in plan(loaded, audiences=["general"]) if job.format == "pdf"]
    rows = {}
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-fonts-") as folder:
        out = Path(folder)
        assets = [loaded.project.templates, chart_cache(out)]
        for job in jobs:
            html = render_job_html(loaded, job, out)
            best = {"plain": float("inf"), "shrunk": float("inf"), "finisher": float("inf")}
            size = {}
            for run in range(repeat + 1):  # run 0 warms fonts and caches up; not counted
                for mode in ("plain", "shrunk") if run % 2 else ("shrunk", "plain"):
                    shrinker = FontShrinker() if mode == "shrunk" else False
                    target = out / f"{job.brief}.{job.lang}.{mode}.pdf"
                    started = time.process_time()
                    write_pdf(html, loaded.project.templates, assets, target, shrinker)
                    seconds = time.process_time() - started
                    size[mode] = target.stat().st_size
                    if run:
                        best[mode] = min(best[mode], seconds)
                        if shrinker:
                            best["finisher"] = min(best["finisher"], shrinker.seconds)
            rows[f"general/{job.brief}.{job.lang}.pdf"] = {
                "bytes_before": size["plain"],
                "bytes_after": size["shrunk"],
                "cpu_before": round(best["plain"], 3),
                "cpu_after": round(best["shrunk"], 3),
                "cpu_finisher": round(best["finisher"], 4),
            }
    before = sum(row["cpu_before"] for row in rows.values())
    finisher = sum(row["cpu_finisher"] for row in rows.values())
    return {
        "pdfs": rows,
        "largest_before_kb": round(max(r["bytes_before"] for r in rows.values()) / 1024),
        "largest_after_kb": round(max(r["bytes_after"] for r in rows.values()) / 1024),
        "over_250_kb_after": sorted(n for n, r in rows.items() if r["bytes_after"] > 250 * 1024),
        "pdf_stage_cpu_before": round(before, 2),
        "pdf_stage_cpu_after": round(sum(r["cpu_after"] for r in rows.values()), 2),
        "finisher_cpu": round(finisher, 3),
        "finisher_share_of_pdf_stage": round(finisher / before, 4),
    }


def synthetic_project(folder: Path, briefs: int) -> Path:
    """The project with `briefs` briefs: the shipped ones over and over, renamed (the
    register, phrase list and shared datasets as they are)."""
    from briefgen.project.load import PROJECT_FILES

    project = folder / "project"
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copytree(ROOT / "content", project / "content")
    shipped = sorted(
        path for path in (project / "content").glob("*.yaml") if path.name not in PROJECT_FILES
    )
    for number in range(briefs):
        source = shipped[number % len(shipped)]
        shutil.copy(source, source.with_name(f"b{number + 1:02d}-{source.name}"))
    for path in shipped:
        path.unlink()
    return project


def timed_briefgen(project: Path, *args: str) -> tuple[float, float]:
    """Wall and CPU seconds (the command and its worker processes) of one command."""
    cpu, started = cpu_of_children(), time.perf_counter()
    result = subprocess.run(
        [str(BRIEFGEN), *args],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        env=USER_ENV,
    )
    if result.returncode != 0:
        sys.exit(f"bench: briefgen {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return time.perf_counter() - started, cpu_of_children() - cpu


def bench_shards(briefs: int = 30, languages: tuple[str, ...] = ("en", "zh-Hant")) -> dict:
    """A synthetic project of `briefs` briefs (general audience, PDF and DOCX in
    `languages`), released from 1 shard and from 2 shards run one after the other:
    per-artifact cost, what a second shard adds, what gathering costs."""
    filters = ["--audience", "general", *(arg for lang in languages for arg in ("--lang", lang))]
    runs: dict[int, dict] = {}
    with tempfile.TemporaryDirectory(prefix="briefgen-bench-shards-") as folder:
        project = synthetic_project(Path(folder), briefs)
        releases = {}
        for count in (1, 2):
            shards = []
            for k in range(1, count + 1):
                out = Path(folder) / f"of{count}-shard{k}"
                wall, cpu = timed_briefgen(
                    project, "build", "--force", "--shard", f"{k}/{count}", "--out", str(out),
                    *filters,
                )  # fmt: skip
                receipt = json.loads((out / "shard.json").read_text(encoding="utf-8"))
                shards.append({"artifacts": len(receipt["artifacts"]), "wall": wall, "cpu": cpu})
            releases[count] = Path(folder) / f"release-of-{count}"
            folders = [str(Path(folder) / f"of{count}-shard{k}") for k in range(1, count + 1)]
            wall, cpu = timed_briefgen(
                project, "release", "gather", *folders, "--out", str(releases[count])
            )
            runs[count] = {"shards": shards, "gather_wall": wall, "gather_cpu": cpu}
        identical = all(
            (releases[1] / p.relative_to(releases[2])).read_bytes() == p.read_bytes()
            for p in releases[2].rglob("*")
            if p.is_file()
        )
    artifacts = sum(shard["artifacts"] for shard in runs[1]["shards"])
    one = runs[1]["shards"][0]
    per_artifact_cpu = one["cpu"] / artifacts
    two_cpu = sum(shard["cpu"] for shard in runs[2]["shards"])
    shard_overhead_cpu = max(0.0, two_cpu - one["cpu"])  # a second process: imports, load
    # CPU seconds, not wall: this machine is shared, its wall clock is not the runner's.
    # A shard's build and read-back run on all its cores; gathering is one process.
    gather_per_artifact = runs[2]["gather_cpu"] / artifacts
    projection = {}
    for runners in (1, 2, 4, 8, 16):
        build = TEAM_ARTIFACTS * per_artifact_cpu / RUNNER_CORES / runners
        build += shard_overhead_cpu / RUNNER_CORES if runners > 1 else 0.0
        gather = TEAM_ARTIFACTS * gather_per_artifact
        projection[runners] = round(RUNNER_SETUP_SECONDS + build + gather)
    return {
        "briefs": briefs,
        "artifacts": artifacts,
        "runs": runs,
        "per_artifact_cpu": round(per_artifact_cpu, 3),
        "per_artifact_wall_one_shard": round(one["wall"] / artifacts, 3),
        "second_shard_overhead_cpu": round(shard_overhead_cpu, 2),
        "gather_cpu_per_artifact": round(gather_per_artifact, 4),
        "two_shards_gathered_equal_one": identical,
        "projected_wall_seconds_for_team": projection,
        "projection_assumes": {
            "artifacts": TEAM_ARTIFACTS,
            "runner_setup_seconds": RUNNER_SETUP_SECONDS,
            "runner_cores": RUNNER_CORES,
        },
    }


def scale_main(parts: list[str]) -> int:
    """Run the issue-19 benchmarks named in `parts`; merge them into build/bench.json."""
    report_path = ROOT / "build" / "bench.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.is_file() else {}
    if "fonts" in parts:
        fonts = report["fonts"] = bench_fonts()
        print("fonts shrunk to the glyphs drawn (general edition PDFs, same HTML):")
        for name, row in fonts["pdfs"].items():
            print(
                f"  {name:<42} {row['bytes_before'] / 1024:5.0f} KB -> "
                f"{row['bytes_after'] / 1024:4.0f} KB   PDF stage {row['cpu_before']:.2f} -> "
                f"{row['cpu_after']:.2f} s CPU (finisher {row['cpu_finisher'] * 1000:.0f} ms)"
            )
        print(
            f"  largest PDF {fonts['largest_before_kb']} KB -> {fonts['largest_after_kb']} KB; "
            f"over 250 KB after: {fonts['over_250_kb_after'] or 'none'}; the finisher costs "
            f"{fonts['finisher_share_of_pdf_stage']:.1%} of the PDF stage's CPU"
        )
    if "shards" in parts:
        shards = report["shards"] = bench_shards()
        print(f"sharded release of a synthetic project ({shards['briefs']} briefs, "
              f"{shards['artifacts']} artifacts):")  # fmt: skip
        for count, run in shards["runs"].items():
            for k, shard in enumerate(run["shards"], 1):
                print(
                    f"  {k}/{count}: {shard['artifacts']:4d} artifacts in {shard['wall']:6.1f} s "
                    f"wall, {shard['cpu']:6.1f} s CPU"
                )
            print(
                f"  gather of {count}: {run['gather_wall']:.1f} s wall, "
                f"{run['gather_cpu']:.1f} s CPU"
            )
        print(
            f"  per artifact {shards['per_artifact_cpu']:.2f} s CPU; a second shard adds "
            f"{shards['second_shard_overhead_cpu']:.1f} s CPU; gather "
            f"{shards['gather_cpu_per_artifact'] * 1000:.0f} ms CPU per artifact; "
            f"2 shards gathered == 1: {shards['two_shards_gathered_equal_one']}"
        )
        projected = ", ".join(
            f"{n} runner(s) {s / 60:.1f} min"
            for n, s in shards["projected_wall_seconds_for_team"].items()
        )
        print(f"  projected for {TEAM_ARTIFACTS} artifacts: {projected}")
    report_path.parent.mkdir(exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    wanted = sys.argv[1:]
    if wanted == ["loop"]:
        sys.exit(main_loop())
    if wanted and set(wanted) <= {"fonts", "shards"}:
        sys.exit(scale_main(wanted))
    sys.exit(main() or scale_main(["fonts", "shards"]))
