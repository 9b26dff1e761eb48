"""Sharded builds: the plan split over N machines, and the shards gathered into a release.

    briefgen build --shard K/N --force --out build/shard-K    # on each of N runners
    briefgen release gather build/shard-1 … build/shard-N     # on one, into build/release

A shard is a whole number of editions (brief x audience x language, all its formats),
so each edition's HTML and charts are made once, on one machine. Editions are dealt
out by estimated cost, largest first, each to the shard with the least so far: the
split depends only on the plan and the content files, so every runner computes the
same one without talking to the others.

Each sharded build reads its artifacts back as `make release` does (so that work is
spread over the runners too) and leaves a receipt, `shard.json`, beside them: which
shard of how many, the whole plan, the source commit, the tool versions, and per
artifact what the release manifest will say of it (bytes, SHA-256, pages, as-of
date). Gathering checks the receipts against each other (one commit, one set of
tools, one plan, every shard once, every artifact of the plan exactly once) and
against the files, then writes the release exactly as `make release` would, the same
files byte for byte, and verifies its checksums, manifest and archives.
"""

from __future__ import annotations

import json
import math
import shutil
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from briefgen.engine.build import editions, run_build
from briefgen.engine.incremental import Job, sha256_file
from briefgen.engine.release import (
    artifact_entry,
    check_artifact,
    clear_release_folder,
    rel,
    safe_relative,
    source_commit,
    tool_versions,
    verify_release,
    write_release_files,
)
from briefgen.errors import BriefgenError
from briefgen.project.paths import Project

RECEIPT = "shard.json"
RECEIPT_FORMAT = 1

#: Relative cost of one artifact (measured with `make bench`: a bilingual PDF sets
#: twice the text; a DOCX costs about half a PDF), and of the edition's HTML and charts.
FORMAT_COST = {"pdf": 1.0, "docx": 0.5}
LANG_COST = {"en": 1.0, "zh-Hant": 1.2, "zh-Hans": 1.2, "bilingual": 1.6}
EDITION_COST = 0.3
#: Fan a release out over runners only past this many artifacts: below it, installing
#: Pango, the fonts and LibreOffice on another runner (3-4 minutes) costs more than the
#: share of the build it would take over (0.32 s per artifact on a 2-core runner).
ARTIFACTS_PER_SHARD = 600
MAX_SHARDS = 16


def parse_shard(text: str) -> tuple[int, int]:
    """`"2/4"` -> (2, 4)."""
    index, _, count = text.partition("/")
    try:
        k, n = int(index), int(count)
    except ValueError:
        k = n = 0
    if not 1 <= k <= n:
        raise BriefgenError(f"--shard {text!r}: expected K/N with 1 <= K <= N, e.g. 2/4")
    return k, n


def shard_count(artifacts: int) -> int:
    """How many runners a release of this many artifacts is worth (1: no fan-out)."""
    return max(1, min(MAX_SHARDS, math.ceil(artifacts / ARTIFACTS_PER_SHARD)))


def edition_cost(project: Project, jobs: list[Job]) -> float:
    """Estimated cost of one edition: its artifacts, scaled by the brief's length."""
    path = project.content / f"{jobs[0].brief}.yaml"
    length = path.stat().st_size / 20_000 if path.is_file() else 1.0
    lang = LANG_COST.get(jobs[0].lang, 1.5)
    return EDITION_COST + length * lang * sum(FORMAT_COST.get(j.format, 1.0) for j in jobs)


def split(project: Project, jobs: list[Job], count: int) -> list[list[Job]]:
    """The plan dealt into `count` shards of about equal cost, each in plan order."""
    grouped = {group[0].edition: group for group in editions(jobs)}
    costs = {key: edition_cost(project, group) for key, group in grouped.items()}
    loads = [0.0] * count
    owner: dict[tuple[str, str, str], int] = {}
    for key in sorted(grouped, key=lambda key: (-costs[key], key)):
        lightest = min(range(count), key=lambda shard: (loads[shard], shard))
        owner[key] = lightest
        loads[lightest] += costs[key]
    return [[job for job in jobs if owner[job.edition] == shard] for shard in range(count)]


def select(project: Project, jobs: list[Job], shard: tuple[int, int]) -> list[Job]:
    """The jobs of shard K of N."""
    k, n = shard
    return split(project, jobs, n)[k - 1]


# -- receipts --------------------------------------------------------------------------


def write_receipt(
    project: Project,
    out: Path,
    shard: tuple[int, int],
    plan: list[Job],
    mine: list[Job],
    workers: int = 1,
) -> Path:
    """`shard.json` in `out`: what this shard built, for `release gather` to check.
    The artifacts are read back in `workers` processes."""
    from briefgen.project.load import load_project

    commit = source_commit(project.root)
    as_of = {name: brief.as_of.isoformat() for name, brief in load_project(project).briefs.items()}
    ordered = sorted(mine, key=lambda job: rel(job.target(out), out))
    # Read each artifact back here, on the shard's runner, as `make release` does; the
    # gathering then needs only the checksums.
    artifacts, problems = [], []
    for job in ordered:
        target = job.target(out)
        try:
            entry = artifact_entry(job, out, as_of[job.brief], commit)
        except Exception as error:  # missing or unreadable: a finding, not a crash
            problems.append(f"{target}: cannot be read ({type(error).__name__}: {error})")
            continue
        artifacts.append(entry)
    checks = [(out / e["path"], e["format"], e["pages"]) for e in artifacts]
    if workers > 1 and len(checks) > 1:
        with ProcessPoolExecutor(min(workers, len(checks))) as pool:
            found = list(pool.map(check_artifact, *zip(*checks, strict=True)))
    else:
        found = [check_artifact(*check) for check in checks]
    for (target, _, _), each in zip(checks, found, strict=True):
        problems += [f"{target}: {problem}" for problem in each]
    if problems:
        raise BriefgenError(
            "\n".join([f"shard {shard[0]}/{shard[1]}: unsound artifacts:", *problems])
        )
    receipt = {
        "format": RECEIPT_FORMAT,
        "shard": list(shard),
        "commit": commit,
        "tools": tool_versions(),
        "plan": sorted(rel(job.target(out), out) for job in plan),
        "artifacts": artifacts,
    }
    path = out / RECEIPT
    path.write_text(json.dumps(receipt, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def read_receipt(folder: Path) -> dict:
    path = folder / RECEIPT
    try:
        receipt = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BriefgenError(
            f"{path}: cannot be read ({error.strerror or error}); "
            "is this the --out of `briefgen build --shard K/N`?"
        ) from None
    except ValueError as error:
        raise BriefgenError(f"{path}: not JSON ({error})") from None
    keys = {"format", "shard", "commit", "tools", "plan", "artifacts"}
    if not isinstance(receipt, dict) or not keys <= set(receipt):
        raise BriefgenError(f"{path}: not a shard receipt (needs {', '.join(sorted(keys))})")
    if receipt["format"] != RECEIPT_FORMAT:
        raise BriefgenError(f"{path}: format {receipt['format']!r}, expected {RECEIPT_FORMAT}")
    return receipt


def receipt_problems(folder: Path, receipt: dict) -> list[str]:
    """Each artifact the receipt lists must be there with its size and SHA-256."""
    problems = []
    for entry in receipt["artifacts"]:
        path = entry.get("path", "")
        file = folder / path
        if not safe_relative(path) or not file.is_file():
            problems.append(f"{folder}/{path}: listed in {RECEIPT} but missing")
        elif file.stat().st_size != entry.get("bytes") or sha256_file(file) != entry.get("sha256"):
            problems.append(f"{folder}/{path}: differs from {RECEIPT} (size or sha256)")
    return problems


def consistency_problems(receipts: dict[Path, dict]) -> list[str]:
    """The receipts must come from one build: one commit, tools and plan; shards 1..N
    each once; every artifact of the plan in exactly one shard."""
    problems = []
    first_folder, first = next(iter(receipts.items()))
    for folder, receipt in receipts.items():
        for key in ("commit", "tools", "plan"):
            if receipt[key] != first[key]:
                problems.append(f"{folder}: {key} differs from {first_folder}'s")
    counts = {receipt["shard"][1] for receipt in receipts.values()}
    indexes = sorted(receipt["shard"][0] for receipt in receipts.values())
    if len(counts) != 1:
        problems.append(f"the shards were cut for different N: {sorted(counts)}")
    elif indexes != list(range(1, counts.pop() + 1)):
        problems.append(f"shards {indexes} given; each of 1..N is needed once")
    seen: dict[str, Path] = {}
    for folder, receipt in receipts.items():
        for entry in receipt["artifacts"]:
            if entry["path"] in seen:
                problems.append(f"{entry['path']}: built by {seen[entry['path']]} and {folder}")
            seen[entry["path"]] = folder
    missing = sorted(set(first["plan"]) - set(seen))
    extra = sorted(set(seen) - set(first["plan"]))
    problems += [f"{path}: in the plan but in no shard" for path in missing]
    problems += [f"{path}: in a shard but not in the plan" for path in extra]
    return problems


@dataclass
class Gathered:
    out: Path
    manifest: dict
    shards: int
    seconds: float

    def summary(self) -> str:
        return (
            f"release: gathered {len(self.manifest['artifacts'])} artifacts from "
            f"{self.shards} shard(s) into {self.out}, "
            f"{len(self.manifest['archives'])} archive(s); commit {self.manifest['commit']}; "
            f"verified, in {self.seconds:.1f} s"
        )


def gather(root: Path, folders: list[Path], out: Path) -> Gathered:
    """Merge the shard folders into a fresh release folder `out`, and verify it."""
    started = time.perf_counter()
    if not folders:
        raise BriefgenError("release gather: name the shard folders to gather")
    out = out.resolve()
    for folder in folders:
        inside = folder.resolve()
        if out == inside or out in inside.parents or inside in out.parents:
            raise BriefgenError(f"{out}: the release folder cannot hold or be in shard {folder}")
    receipts = {folder: read_receipt(folder) for folder in folders}
    problems = [
        p for folder, receipt in receipts.items() for p in receipt_problems(folder, receipt)
    ]
    problems += consistency_problems(receipts)
    if problems:
        raise BriefgenError(
            "\n".join(["release gather: the shards do not make a release:", *problems])
        )
    clear_release_folder(out, Project(root.resolve()))
    artifacts = []
    for folder, receipt in receipts.items():
        for entry in receipt["artifacts"]:
            (out / entry["path"]).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(folder / entry["path"], out / entry["path"])
            artifacts.append(entry)
    artifacts.sort(key=lambda entry: entry["path"])
    first = next(iter(receipts.values()))
    manifest = write_release_files(out, artifacts, first["commit"], first["tools"])
    problems = verify_release(out, read_back=False)  # each shard read its own back
    if problems:
        raise BriefgenError("\n".join(["release gather: verification failed:", *problems]))
    return Gathered(out, manifest, len(receipts), time.perf_counter() - started)


# -- for the workflow ------------------------------------------------------------------


def plan_outputs(root: Path, shards: int | None = None) -> dict[str, str]:
    """The release plan's size and its fan-out (`briefgen release plan`), as the
    `key=value` outputs the workflow reads: artifacts, shards, matrix."""
    jobs = run_build(Project(root), root / "build" / "release", plan_only=True)
    assert isinstance(jobs, list)
    count = max(1, shards or shard_count(len(jobs)))
    return {
        "artifacts": str(len(jobs)),
        "shards": str(count),
        "matrix": json.dumps(list(range(1, count + 1))),
    }
