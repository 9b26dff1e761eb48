"""Release builds: the whole matrix, clean and reproducible, checksummed and self-verified.

    briefgen release build  [--out build/release] [--jobs N]   # `make release`
    briefgen release verify [build/release]                   # check a release folder
    briefgen release stage  build/release DEST                # flat files to upload

`build` removes the release folder, rebuilds every artifact with `--force` into
`<out>/<audience>/<brief>.<lang>.<format>`, and writes beside them:

- `<audience>.zip`: one archive per audience, reproducible (entries sorted, stored
  uncompressed so no zlib version can change the bytes, dated 1980-01-01, mode 0644);
- `manifest.json`: per artifact its brief, audience, language, format, pages (PDF),
  bytes, SHA-256, the brief's as-of date and the source commit; per archive its members;
- `SHA256SUMS`: every file above (artifacts, archives, manifest), sorted, in the format
  of `sha256sum`, with paths relative to the release folder.

Then it verifies the folder as `verify` does, and only then reports success. `verify`
re-reads every artifact (a PDF must parse, have text on every page and embed every
font; a DOCX must be a sound zip with a document and at least one real footnote),
re-computes every checksum against SHA256SUMS and the manifest, and checks each
archive's members. Each problem is one line naming the file; any problem exits 1.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from briefgen.engine.incremental import RENDERING_PACKAGES, Job, package_versions, sha256_file
from briefgen.errors import BriefgenError
from briefgen.files import ZIP_DATE, ZIP_MODE, remove_own_partial_files, write_zip
from briefgen.inspect import check_artifact, pdf_pages
from briefgen.project.paths import Project

SUMS = "SHA256SUMS"
MANIFEST = "manifest.json"
MANIFEST_FORMAT = 1
FORMATS = ("pdf", "docx")


# -- what the release is made from -------------------------------------------------


def source_commit(root: Path) -> str:
    """`git rev-parse HEAD` of the checkout holding `root`, `-dirty` if a tracked file
    differs from it; "unknown" outside a git checkout (or without git)."""

    def git(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )

    try:
        head = git("rev-parse", "--verify", "HEAD")
        if head.returncode != 0:
            return "unknown"
        status = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown"
    commit = head.stdout.strip()
    return f"{commit}-dirty" if status.returncode != 0 or status.stdout.strip() else commit


def tool_versions() -> dict[str, str]:
    """briefgen's version and those of the libraries that shape the artifacts' bytes."""
    return package_versions(("briefgen", *RENDERING_PACKAGES))


# -- building ------------------------------------------------------------------------


@dataclass
class Release:
    out: Path
    manifest: dict
    build_seconds: float
    verify_seconds: float

    @property
    def total_bytes(self) -> int:
        return sum(entry["bytes"] for entry in self.manifest["artifacts"])

    def summary(self) -> str:
        artifacts = self.manifest["artifacts"]
        return (
            f"release: {len(artifacts)} artifacts ({self.total_bytes / 1e6:.1f} MB), "
            f"{len(self.manifest['archives'])} archive(s), {SUMS} and {MANIFEST} in {self.out}; "
            f"commit {self.manifest['commit']}; built in {self.build_seconds:.1f} s, "
            f"verified in {self.verify_seconds:.1f} s"
        )


def clear_release_folder(out: Path, project: Project) -> None:
    """Remove an earlier release at `out`; refuse to remove anything else."""
    out = out.resolve()
    root = project.root.resolve()
    if out == root or out in root.parents:
        raise BriefgenError(f"{out}: the release folder cannot hold the project itself")
    if not out.exists():
        return
    if not out.is_dir():
        raise BriefgenError(f"{out}: exists and is not a folder; choose another --out")
    earlier_release = any((out / name).exists() for name in (SUMS, MANIFEST, ".cache"))
    if any(out.iterdir()) and not earlier_release:
        raise BriefgenError(
            f"{out}: not empty and not an earlier release (no {SUMS}, {MANIFEST} or .cache); "
            "remove it yourself or choose another --out"
        )
    shutil.rmtree(out)


def build_release(root: Path, out: Path, workers: int = 1) -> Release:
    """Build the whole matrix into a fresh `out`, describe it, verify it."""
    from briefgen.engine.build import Summary, run_build
    from briefgen.project.load import load_project

    project = Project(root.resolve())
    out = out.resolve()
    started = time.perf_counter()
    clear_release_folder(out, project)
    commit = source_commit(project.root)  # what the build is made from
    try:
        summary = run_build(project, out, force=True, workers=workers)
    except BaseException:  # interrupted, or a worker died: no partial file may stay
        remove_own_partial_files(out)
        raise
    assert isinstance(summary, Summary)
    if summary.failed:
        names = ", ".join(rel(o.job.target(out), out) for o in summary.failed)
        raise BriefgenError(f"release: {len(summary.failed)} artifact(s) failed to build: {names}")
    # The build's cache (state, charts) is not part of a release.
    shutil.rmtree(out / ".cache", ignore_errors=True)
    jobs = sorted((o.job for o in summary.built), key=lambda job: rel(job.target(out), out))
    as_of = {name: brief.as_of.isoformat() for name, brief in load_project(project).briefs.items()}
    artifacts = [artifact_entry(job, out, as_of[job.brief], commit) for job in jobs]
    manifest = write_release_files(out, artifacts, commit, tool_versions())
    built = time.perf_counter() - started
    problems = verify_release(out)
    if problems:
        raise BriefgenError("\n".join(["release: verification failed:", *problems]))
    return Release(out, manifest, built, time.perf_counter() - started - built)


def write_release_files(out: Path, artifacts: list[dict], commit: str, tools: dict) -> dict:
    """The archives, manifest.json and SHA256SUMS of the artifacts already in `out`
    (sorted by path); shared by a release build and a gathering of shards."""
    archives = [
        write_archive(out, audience, [a for a in artifacts if a["audience"] == audience])
        for audience in sorted({a["audience"] for a in artifacts})
    ]
    manifest = {
        "format": MANIFEST_FORMAT,
        "commit": commit,
        "tools": tools,
        "artifacts": artifacts,
        "archives": archives,
    }
    write_text(out / MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    listed = [a["path"] for a in artifacts] + [a["path"] for a in archives] + [MANIFEST]
    write_text(out / SUMS, sums_text({path: sha256_file(out / path) for path in listed}))
    return manifest


def rel(path: Path, out: Path) -> str:
    return path.relative_to(out).as_posix()


def asset_name(path: str) -> str:
    """The flat name of a release file on a GitHub release (which has no folders)."""
    return path.replace("/", ".")


def artifact_entry(job: Job, out: Path, as_of: str, commit: str) -> dict:
    target = job.target(out)
    path = rel(target, out)
    return {
        "path": path,
        "asset": asset_name(path),
        "brief": job.brief,
        "audience": job.audience,
        "lang": job.lang,
        "format": job.format,
        # A DOCX has no fixed pages: Word lays it out on the reader's machine.
        "pages": pdf_pages(target) if job.format == "pdf" else None,
        "bytes": target.stat().st_size,
        "sha256": sha256_file(target),
        "as_of": as_of,
        "commit": commit,
    }


def write_archive(out: Path, audience: str, artifacts: list[dict]) -> dict:
    """`<out>/<audience>.zip` with the audience's artifacts under `<audience>/`."""
    path = out / f"{audience}.zip"
    members = sorted(a["path"] for a in artifacts)
    write_zip(path, [(member, (out / member).read_bytes()) for member in members], compress=False)
    return {
        "path": path.name,
        "audience": audience,
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "members": members,
    }


def sums_text(digests: dict[str, str]) -> str:
    return "".join(f"{digests[path]}  {path}\n" for path in sorted(digests))


def write_text(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


# -- verifying -----------------------------------------------------------------------


def safe_relative(path: str) -> bool:
    parts = PurePosixPath(path).parts
    return bool(parts) and not path.startswith("/") and ".." not in parts and "\\" not in path


def read_sums(folder: Path, problems: list[str]) -> dict[str, str]:
    sums: dict[str, str] = {}
    try:
        lines = (folder / SUMS).read_text(encoding="utf-8").splitlines()
    except OSError as error:
        problems.append(f"{SUMS}: cannot be read ({error.strerror or error})")
        return sums
    for number, line in enumerate(lines, 1):
        digest, sep, path = line.partition("  ")
        if not sep or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            problems.append(f"{SUMS}:{number}: not a sha256sum line: {line!r}")
        elif not safe_relative(path):
            problems.append(f"{SUMS}:{number}: not a path inside the release: {path!r}")
        elif path in sums:
            problems.append(f"{SUMS}:{number}: {path} is listed twice")
        else:
            sums[path] = digest
    if list(sums) != sorted(sums):
        problems.append(f"{SUMS}: not sorted by path")
    return sums


def read_manifest(folder: Path, problems: list[str]) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except OSError as error:
        problems.append(f"{MANIFEST}: cannot be read ({error.strerror or error})")
        return {"artifacts": [], "archives": []}
    except ValueError as error:
        problems.append(f"{MANIFEST}: not JSON ({error})")
        return {"artifacts": [], "archives": []}
    if manifest.get("format") != MANIFEST_FORMAT:
        problems.append(
            f"{MANIFEST}: format {manifest.get('format')!r}, expected {MANIFEST_FORMAT}"
        )
    for key in ("artifacts", "archives"):
        if not isinstance(manifest.get(key), list):
            problems.append(f"{MANIFEST}: no list of {key}")
            manifest[key] = []
    return manifest


ARTIFACT_KEYS = ("path", "brief", "audience", "lang", "format", "pages", "bytes", "sha256")
ARTIFACT_KEYS += ("as_of", "commit")


def verify_release(folder: Path, read_back: bool = True) -> list[str]:
    """Every problem with the release in `folder`, one line each naming the file.
    Without `read_back`, artifacts are checked by checksum only (`release gather`:
    each shard read its own artifacts back, in parallel, before it wrote their sums)."""
    # One pass over the folder, each check appending its findings: long, but read top
    # to bottom it is the list of what a sound release is.
    problems: list[str] = []
    if not folder.is_dir():
        return [f"{folder}: no such folder"]
    sums = read_sums(folder, problems)
    manifest = read_manifest(folder, problems)
    digests: dict[str, str] = {}

    def digest_of(path: str) -> str | None:
        if path not in digests:
            file = folder / path
            if not file.is_file():
                return None
            digests[path] = sha256_file(file)
        return digests[path]

    # 1. SHA256SUMS against the files, and the files against SHA256SUMS.
    for path, expected in sums.items():
        actual = digest_of(path)
        if actual is None:
            problems.append(f"{path}: listed in {SUMS} but missing")
        elif actual != expected:
            problems.append(f"{path}: checksum mismatch ({SUMS} says {expected}, file is {actual})")
    present = sorted(
        rel(path, folder) for path in folder.rglob("*") if path.is_file() and path.name != SUMS
    )
    for path in present:
        if path not in sums:
            problems.append(f"{path}: in the release folder but not listed in {SUMS}")
    if sums and MANIFEST not in sums:
        problems.append(f"{MANIFEST}: not listed in {SUMS}")

    # 2. The manifest against the files and SHA256SUMS; each artifact re-read.
    described: set[str] = set()
    for index, entry in enumerate(manifest["artifacts"]):
        missing = [key for key in ARTIFACT_KEYS if not isinstance(entry, dict) or key not in entry]
        if missing:
            problems.append(f"{MANIFEST}: artifact {index + 1} lacks {', '.join(missing)}")
            continue
        path = entry["path"]
        described.add(path)
        if not safe_relative(path):
            problems.append(f"{MANIFEST}: artifact {index + 1}: not a path inside: {path!r}")
            continue
        file = folder / path
        if not file.is_file():
            problems.append(f"{path}: listed in {MANIFEST} but missing")
            continue
        size = file.stat().st_size
        if size != entry["bytes"]:
            problems.append(f"{path}: {size} bytes, {MANIFEST} says {entry['bytes']}")
        if digest_of(path) != entry["sha256"]:
            problems.append(f"{path}: sha256 differs from {MANIFEST} ({entry['sha256']})")
        if sums.get(path) not in (None, entry["sha256"]):
            problems.append(f"{path}: {MANIFEST} and {SUMS} disagree on its sha256")
        if entry["format"] not in FORMATS or not path.endswith(f".{entry['format']}"):
            problems.append(f"{path}: format {entry['format']!r} does not match its name")
            continue
        for problem in check_artifact(file, entry["format"], entry["pages"]) if read_back else []:
            problems.append(f"{path}: {problem}")
    archive_names = {entry.get("path") for entry in manifest["archives"] if isinstance(entry, dict)}
    for path in sums:
        if path != MANIFEST and path not in described and path not in archive_names:
            problems.append(f"{path}: listed in {SUMS} but not described in {MANIFEST}")

    # 3. Each archive: the manifest's members, with the very bytes of the artifacts.
    by_path = {e["path"]: e for e in manifest["artifacts"] if isinstance(e, dict) and "path" in e}
    for entry in manifest["archives"]:
        if not isinstance(entry, dict) or not {"path", "bytes", "sha256", "members"} <= set(entry):
            problems.append(f"{MANIFEST}: an archive entry lacks path, bytes, sha256 or members")
            continue
        path = entry["path"]
        if not safe_relative(path) or not (folder / path).is_file():
            problems.append(f"{path}: listed in {MANIFEST} but missing")
            continue
        if digest_of(path) != entry["sha256"] or (folder / path).stat().st_size != entry["bytes"]:
            problems.append(f"{path}: size or sha256 differs from {MANIFEST}")
        for problem in check_archive(folder / path, entry["members"], by_path):
            problems.append(f"{path}: {problem}")
    return problems


def check_archive(path: Path, members: list[str], artifacts: dict[str, dict]) -> list[str]:
    problems = []
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = [info.filename for info in infos]
            if names != sorted(members):
                problems.append(f"holds {names}, {MANIFEST} lists {sorted(members)}")
            for info in infos:
                if info.date_time != ZIP_DATE or info.external_attr >> 16 != ZIP_MODE:
                    problems.append(f"{info.filename}: not dated 1980-01-01 with mode 0644")
                expected = artifacts.get(info.filename, {}).get("sha256")
                actual = hashlib.sha256(archive.read(info)).hexdigest()
                if expected is None:
                    problems.append(f"{info.filename}: not an artifact of the manifest")
                elif actual != expected:
                    problems.append(f"{info.filename}: differs from the artifact ({actual})")
    except (zipfile.BadZipFile, OSError) as error:
        problems.append(f"not a readable zip ({error})")
    return problems


# -- staging for a GitHub release ----------------------------------------------------


def stage_release(folder: Path, dest: Path) -> list[Path]:
    """Copy a verified release into `dest` flat, as a GitHub release holds it: the
    archives, SHA256SUMS, manifest.json, and each artifact under its `asset` name
    (`general/x.en.pdf` -> `general.x.en.pdf`)."""
    problems = verify_release(folder)
    if problems:
        raise BriefgenError("\n".join([f"{folder}: not a sound release:", *problems]))
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    files = {SUMS: SUMS, MANIFEST: MANIFEST}
    files |= {entry["path"]: entry["path"] for entry in manifest["archives"]}
    files |= {entry["path"]: asset_name(entry["path"]) for entry in manifest["artifacts"]}
    names = list(files.values())
    clashes = sorted({name for name in names if names.count(name) > 1})
    if clashes:
        raise BriefgenError(f"release files would share a name on upload: {', '.join(clashes)}")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    staged = []
    for source, name in sorted(files.items(), key=lambda item: item[1]):
        shutil.copyfile(folder / source, dest / name)
        staged.append(dest / name)
    return staged
