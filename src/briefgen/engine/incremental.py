"""Skip what is up to date: each artifact remembers the digest of what made it.

An artifact depends on its brief, the source register, the archived source
texts the register names (the evidence check reads them), the Simplified-Chinese
phrase list, the templates, styles and reference document of its audience, the
tool's own code, the versions of the libraries that render it, the installed
fonts and SOURCE_DATE_EPOCH. When none of these changed and the file on disk is
the one the build wrote, the artifact is not built again. This module imports
nothing heavy, so a build with nothing to do answers in a fraction of a second.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from briefgen.errors import ContentError, display_path
from briefgen.files import atomic_output, read_project_file
from briefgen.limits import MAX_STATE_BYTES, MAX_YAML_BYTES
from briefgen.project.paths import ARCHIVE_VARIABLE

#: Libraries whose version changes what an artifact looks like.
RENDERING_PACKAGES = (
    "weasyprint",
    "pydyf",
    "tinycss2",
    "fonttools",
    "python-docx",
    "lxml",
    "matplotlib",
    "opencc",
    "jinja2",
    "markdown-it-py",
    "babel",
    "pydantic",
    "ruamel.yaml",
)


@dataclass(frozen=True)
class Job:
    """One artifact of the build matrix."""

    brief: str
    audience: str
    lang: str
    format: str

    def target(self, out: Path) -> Path:
        return out / self.audience / f"{self.brief}.{self.lang}.{self.format}"

    @property
    def edition(self) -> tuple[str, str, str]:
        """Jobs of one edition share their HTML and charts: only the format differs."""
        return (self.brief, self.audience, self.lang)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _hash_files(digest, root: Path, paths: list[Path]) -> None:
    """Names and contents; a link or special file by what it is, never read (it may be a
    FIFO that would hang, or lead outside: the load refuses it, with its location)."""
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(b"\0")
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            digest.update(sha256_file(path).encode())
        else:
            link = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
            digest.update(f"special {stat.S_IFMT(info.st_mode)} {link}".encode())
        digest.update(b"\0")


def _archived_text_digest(folder: Path | None, name: str) -> str:
    """The digest of one archived text, or what stands in its place; only a regular
    file inside the archive folder is read (as project/evidence.py reads it)."""
    if folder is None or not folder.is_dir():
        return "no archive"
    path = (folder / name).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return "absent"
    return sha256_file(path)


def _files_under(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return [
        path
        for path in folder.rglob("*")
        if not path.is_dir() and not path.name.startswith(".") and "__pycache__" not in path.parts
    ]


def package_versions(names: tuple[str, ...]) -> dict[str, str]:
    """The installed version of each package, "absent" where it is not installed.

    Read from the names of the `*.dist-info` folders on sys.path: importlib.metadata
    parses each package's METADATA with the email package, 40 ms of every `check`
    and no-op build. A package found no other way is asked of importlib.metadata.
    """
    found = _dist_info_versions()
    versions = {}
    for name in names:
        version = found.get(_normalized(name))
        versions[name] = version if version is not None else _metadata_version(name)
    return versions


def _normalized(name: str) -> str:
    """A distribution's name as its dist-info folder spells it (PEP 503, then 427)."""
    return re.sub(r"[-_.]+", "_", name).lower()


@functools.cache
def _dist_info_versions() -> dict[str, str]:
    """{normalized name: version} of the dist-info folders on sys.path, first one winning,
    as the import system would find them."""
    versions: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = sorted(item.name for item in os.scandir(entry or "."))
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info") and "-" in folder:
                name, version = folder.removesuffix(".dist-info").rsplit("-", 1)
                versions.setdefault(_normalized(name), version)
    return versions


def _metadata_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


@functools.cache
def package_digest() -> str:
    """briefgen's own code: the whole package, subpackages included (a module moved
    into a subfolder still counts as code that shapes the artifacts)."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parents[1]
    _hash_files(
        digest, package, sorted(p for p in package.rglob("*.py") if "__pycache__" not in p.parts)
    )
    return digest.hexdigest()


@functools.cache
def environment_fingerprint() -> str:
    """The tool's code, its rendering libraries, the fonts, SOURCE_DATE_EPOCH."""
    digest = hashlib.sha256(package_digest().encode())
    for name, version in package_versions(RENDERING_PACKAGES).items():
        digest.update(f"{name}=={version}\n".encode())
    if shutil.which("fc-list"):
        fonts = subprocess.run(
            ["fc-list", "--format", "%{file}|%{family}\n"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        for line in sorted(line for line in fonts.splitlines() if "Noto" in line):
            file = line.split("|", 1)[0]
            try:
                stat = os.stat(file)
            except OSError:
                continue
            digest.update(f"{line}|{stat.st_size}|{int(stat.st_mtime)}\n".encode())
    digest.update(f"SOURCE_DATE_EPOCH={os.environ.get('SOURCE_DATE_EPOCH', '')}".encode())
    return digest.hexdigest()


class Fingerprints:
    """Digests of everything each artifact is made from."""

    def __init__(self, root: Path):
        self.root = root
        self._archive: str | None = None

    def archive_digest(self) -> str:
        """The archived source texts the register names, as the evidence check reads them:
        a changed, added or removed text changes every job (its build checks the evidence)."""
        if self._archive is None:
            digest = hashlib.sha256()
            folder, names = self._archived_names()
            digest.update(f"{ARCHIVE_VARIABLE}={os.environ.get(ARCHIVE_VARIABLE, '')}\0".encode())
            for name in names:
                digest.update(f"{name}\0{_archived_text_digest(folder, name)}\0".encode())
            self._archive = digest.hexdigest()
        return self._archive

    def _archived_names(self) -> tuple[Path | None, list[str]]:
        """The archive folder and the `file:` of each source; nothing when the register
        cannot be read (the load then reports it, with its location)."""
        from briefgen.project.safeyaml import parse

        path = self.root / "content" / "sources.yaml"
        try:
            raw = read_project_file(path, path.parent, MAX_YAML_BYTES)
            data, problems = parse(path, raw.decode("utf-8"))
        except (OSError, ValueError, ContentError):
            return None, []
        if problems or not isinstance(data, dict):
            return None, []
        configured = os.environ.get(ARCHIVE_VARIABLE) or data.get("archive")
        sources = data.get("sources")
        if not isinstance(configured, str) or not isinstance(sources, dict):
            return None, []
        names = {
            entry["file"]
            for entry in sources.values()
            if isinstance(entry, dict) and isinstance(entry.get("file"), str)
        }
        return (self.root / configured).resolve(), sorted(names)

    def job_inputs(self, job: Job) -> list[Path]:
        content = self.root / "content"
        templates = self.root / "templates"
        files = [content / f"{job.brief}.yaml", content / "sources.yaml", content / "zh-Hans.yaml"]
        files = [path for path in files if os.path.lexists(path)]
        files += _files_under(content / "data")  # shared datasets any brief may use
        files += _files_under(templates / "base")
        files += _files_under(templates / "audiences" / job.audience)
        if job.format == "docx":
            files += _files_under(templates / "docx")
        return files

    def job_digest(self, job: Job) -> str:
        digest = hashlib.sha256(environment_fingerprint().encode())
        digest.update(json.dumps(asdict(job), sort_keys=True).encode())
        _hash_files(digest, self.root, self.job_inputs(job))
        digest.update(self.archive_digest().encode())
        return digest.hexdigest()

    def plan_key(self, filters: dict) -> str:
        """What the job list depends on: the audiences, the briefs' names, the filters."""
        digest = hashlib.sha256(environment_fingerprint().encode())
        audiences = list((self.root / "templates" / "audiences").glob("*/audience.yaml"))
        _hash_files(digest, self.root, audiences)
        names = sorted(path.name for path in (self.root / "content").glob("*.yaml"))
        digest.update(json.dumps([names, filters], sort_keys=True).encode())
        return digest.hexdigest()


_ARTIFACT = {"inputs": str, "bytes": int, "sha256": str}
_JOB = {"brief", "audience", "lang", "format"}


def _state_shape(data: object) -> bool:
    """Whether `data` is a state as BuildState writes it (or empty)."""
    if data == {}:
        return True
    if not isinstance(data, dict) or set(data) - {"artifacts", "plans"}:
        return False
    artifacts, plans = data.get("artifacts", {}), data.get("plans", {})
    return (
        isinstance(artifacts, dict)
        and all(
            isinstance(entry, dict)
            and all(isinstance(entry.get(key), kind) for key, kind in _ARTIFACT.items())
            for entry in artifacts.values()
        )
        and isinstance(plans, dict)
        and all(
            isinstance(jobs, list)
            and all(
                isinstance(job, dict)
                and set(job) == _JOB
                and all(isinstance(value, str) for value in job.values())
                for job in jobs
            )
            for jobs in plans.values()
        )
    )


class BuildState:
    """`<out>/.cache/state.json`: the digest each artifact was built from."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out / ".cache" / "state.json"
        try:
            raw = read_project_file(self.path, self.path.parent, MAX_STATE_BYTES)
            self.data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError, ContentError):  # missing, a FIFO, not JSON
            self.data = {}
        if not _state_shape(self.data):
            # valid JSON of another shape (hand-edited, another version): start afresh
            print(
                f"{display_path(self.path)}: warning: the build state is not in the shape this "
                "version writes; discarded, so everything is rebuilt",
                file=sys.stderr,
            )
            self.data = {}
        self.data.setdefault("artifacts", {})
        self.data.setdefault("plans", {})

    def cached_plan(self, key: str) -> list[Job] | None:
        jobs = self.data["plans"].get(key)
        return [Job(**job) for job in jobs] if jobs is not None else None

    def remember_plan(self, key: str, jobs: list[Job]) -> None:
        self.data["plans"] = {key: [asdict(job) for job in jobs]}  # keep only the latest

    def up_to_date(self, job: Job, digest: str) -> bool:
        target = job.target(self.out)
        entry = self.data["artifacts"].get(self._key(job))
        return (
            entry is not None
            and entry["inputs"] == digest
            and target.is_file()
            and target.stat().st_size == entry["bytes"]
            and sha256_file(target) == entry["sha256"]
        )

    def record(self, job: Job, digest: str) -> None:
        target = job.target(self.out)
        self.data["artifacts"][self._key(job)] = {
            "inputs": digest,
            "bytes": target.stat().st_size,
            "sha256": sha256_file(target),
        }

    def save(self) -> None:
        with atomic_output(self.path) as temporary:
            temporary.write_text(json.dumps(self.data, indent=1, sort_keys=True), encoding="utf-8")

    def _key(self, job: Job) -> str:
        return str(job.target(self.out).relative_to(self.out))
