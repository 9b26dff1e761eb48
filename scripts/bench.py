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


def run_build(project: Path) -> tuple[float, str]:
    started = time.perf_counter()
    result = subprocess.run(
        [str(BRIEFGEN), "build"], cwd=project, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        sys.exit(f"bench: the build failed:\n{result.stdout}\n{result.stderr}")
    return seconds, result.stdout.strip().splitlines()[-1]


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
    sys.exit(main())
