"""`briefgen check` remembers its answer between runs, like the build's no-op path.

The answer (every problem, as plain JSON) is stored in build/.cache/check/ under a
digest of exactly what shapes it: the bytes of every file under content/ and
templates/, the archived source texts the evidence check reads, the tool's code,
library versions and fonts (`incremental.environment_fingerprint`, plus the
libraries that parse and validate), the `BRIEFGEN_*` environment, the date and
the age limit. When that digest is unchanged the stored problems are printed
without importing the loader, the templates or lxml; any change re-runs the whole
check. A corrupt or foreign cache file is ignored (and replaced).

This module imports nothing heavy, so a repeated check answers in a fraction of
a second.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.engine.incremental import (
    _files_under,
    _hash_files,
    environment_fingerprint,
    package_versions,
)
from briefgen.errors import Problem
from briefgen.limits import MAX_STATE_BYTES
from briefgen.project.paths import Project
from briefgen.sealed import read_sealed, write_sealed

if TYPE_CHECKING:
    from briefgen.project.evidence import Stats

#: Changes when the stored format does; an entry of another format is ignored.
FORMAT = "briefgen-check-1"
#: Libraries that parse and validate (the rendering ones are in the fingerprint).
CHECKING_PACKAGES = ("ruamel.yaml", "pydantic", "jinja2", "markdown-it-py", "babel")


def cache_file(project: Project) -> Path:
    return project.root / "build" / ".cache" / "check" / "problems.json"


@functools.cache
def _tool_id() -> str:
    """The tool's code, its libraries and fonts, as one digest."""
    digest = hashlib.sha256(f"{FORMAT}\n{environment_fingerprint()}\n".encode())
    for name, version in package_versions(CHECKING_PACKAGES).items():
        digest.update(f"{name}=={version}\n".encode())
    return digest.hexdigest()


def _tool_digest():  # -> a hashlib sha256 object
    """A digest begun with the tool and the BRIEFGEN_* settings (read afresh each time)."""
    digest = hashlib.sha256(_tool_id().encode())
    for name in sorted(os.environ):
        if name.startswith("BRIEFGEN_"):
            digest.update(f"{name}={os.environ[name]}\n".encode())
    return digest


def inputs_digest(project: Project, today: dt.date, max_age_days: int) -> str:
    """The digest of the project's files, the tool, the environment, the date and limit."""
    digest = _tool_digest()
    digest.update(f"today={today.isoformat()} max_age_days={max_age_days}\n".encode())
    for folder in (project.content, project.templates):
        _hash_files(digest, project.root, _all_files(folder))
    return digest.hexdigest()


def archive_digest(folder: str | None) -> str:
    """The archived source texts (names and bytes); "none" without an archive folder."""
    if folder is None or not Path(folder).is_dir():
        return f"none {folder}"
    digest = hashlib.sha256()
    _hash_files(digest, Path(folder), _files_under(Path(folder)))
    return digest.hexdigest()


def _all_files(folder: Path) -> list[Path]:
    """Every file below `folder`, hidden ones too: the loader may read (or refuse) any."""
    if not folder.is_dir():
        return []
    return [path for path in folder.rglob("*") if path.is_symlink() or not path.is_dir()]


class _KeptByBrief:
    """Outcomes of one part of the check, each under a digest of its brief's file, the
    `shared` files every brief reads and the tool, in one sealed file. Only the
    entries used in a run are saved, so the file does not grow with each edit."""

    def __init__(self, project: Project, name: str, shared: list[Path]):
        self.project = project
        self.path = cache_file(project).with_name(f"{name}.json")
        digest = _tool_digest()
        _hash_files(digest, project.root, [path for path in shared if os.path.lexists(path)])
        self.shared = digest.hexdigest()
        entries = (_read(self.path) or {}).get("entries")
        self.stored: dict = entries if isinstance(entries, dict) else {}
        self.used: dict = {}
        self._briefs: dict[str, str] = {}  #: each brief file's digest

    def key(self, brief: str, *parts: str) -> str:
        if brief not in self._briefs:  # read once: a brief has a dozen editions
            digest = hashlib.sha256()
            brief_file = self.project.content / f"{brief}.yaml"
            _hash_files(digest, self.project.root, [brief_file] if brief_file.exists() else [])
            self._briefs[brief] = digest.hexdigest()
        joined = "\n".join([self.shared, brief, self._briefs[brief], *parts, ""])
        return hashlib.sha256(joined.encode()).hexdigest()

    def save(self) -> None:
        _write(self.path, {"format": FORMAT, "entries": self.used})

    def _problems(self, key: str) -> list[Problem] | None:
        problems = _problems(self.stored.get(key))
        if problems is not None:
            self.used[key] = self.stored[key]
        return problems

    def _keep(self, key: str, problems: list[Problem]) -> None:
        self.used[key] = [_item(p) for p in problems]


def _register_and_data(project: Project) -> list[Path]:
    """What every brief's rule book and evidence read besides the brief itself."""
    return [project.content / "sources.yaml", *_all_files(project.content / "data")]


class EditionCache(_KeptByBrief):
    """Each edition's render and DOCX-vocabulary problems, by a digest of what shapes
    them: its brief, the register, the phrase list, the shared datasets, every
    template (messages, audience settings and styles live there) and the tool. After
    one brief is edited, only that brief's editions are rendered again."""

    def __init__(self, project: Project):
        content = project.content
        shared = [content / "sources.yaml", content / "zh-Hans.yaml"]
        shared += _all_files(content / "data") + _all_files(project.templates)
        super().__init__(project, "editions", shared)

    def get(self, brief: str, audience: str, lang: str) -> list[Problem] | None:
        return self._problems(self.key(brief, audience, lang))

    def put(self, brief: str, audience: str, lang: str, problems: list[Problem]) -> None:
        self._keep(self.key(brief, audience, lang), problems)


class RulesCache(_KeptByBrief):
    """Each brief's rule-book problems (rules.brief_problems), by a digest of the brief,
    the register, the shared datasets and the tool (rules.KeptProblems)."""

    def __init__(self, project: Project):
        super().__init__(project, "rules", _register_and_data(project))

    def get(self, brief: str) -> list[Problem] | None:
        return self._problems(self.key(brief))

    def put(self, brief: str, problems: list[Problem]) -> None:
        self._keep(self.key(brief), problems)


class EvidenceCache(_KeptByBrief):
    """Each brief's evidence check (evidence.py), by a digest of the brief, the register,
    the shared datasets, the archived texts and the tool (evidence.KeptOutcomes)."""

    def __init__(self, project: Project):
        super().__init__(project, "evidence", _register_and_data(project))
        self._archives: dict[Path | None, str] = {}

    def _key(self, brief: str, archive: Path | None) -> str:
        if archive not in self._archives:
            self._archives[archive] = archive_digest(str(archive) if archive else None)
        return self.key(brief, self._archives[archive])

    def get(self, brief: str, archive: Path | None) -> tuple[list[Problem], Stats] | None:
        from briefgen.project.evidence import Stats

        key = self._key(brief, archive)
        entry = self.stored.get(key)
        problems = _problems(entry.get("problems")) if isinstance(entry, dict) else None
        try:
            stats = Stats(**entry["stats"]) if problems is not None else None
        except (TypeError, KeyError):
            return None
        if stats is None or problems is None:
            return None
        self.used[key] = entry
        return problems, stats

    def put(self, brief: str, archive: Path | None, problems: list[Problem], stats: Stats):
        entry = {"problems": [_item(p) for p in problems], "stats": dataclasses.asdict(stats)}
        self.used[self._key(brief, archive)] = entry


def _item(problem: Problem) -> dict:
    return {
        "path": str(Path(problem.path).absolute()),
        "line": problem.line,
        "col": problem.col,
        "message": problem.message,
        "hint": problem.hint,
        "severity": problem.severity,
    }


def _problems(items: object) -> list[Problem] | None:
    """Problems read back from JSON; None for anything that is not a list of them."""
    if not isinstance(items, list):
        return None
    try:
        return [
            Problem(
                Path(item["path"]),
                int(item["line"]),
                int(item["col"]),
                str(item["message"]),
                str(item["hint"]),
                str(item["severity"]),
            )
            for item in items
        ]
    except (ValueError, TypeError, KeyError):
        return None


def _write(path: Path, entry: dict) -> None:
    """Write a sealed cache file (sealed.py) whole or not at all."""
    write_sealed(path, json.dumps(entry, ensure_ascii=False).encode("utf-8"))


def _read(path: Path) -> dict | None:
    """A cache file's entry of this FORMAT; None if missing, not sealed by us, or foreign."""
    body = read_sealed(path, MAX_STATE_BYTES)
    try:
        entry = json.loads(body) if body is not None else None
    except ValueError:
        return None
    return entry if isinstance(entry, dict) and entry.get("format") == FORMAT else None


def lookup(project: Project, key: str) -> list[Problem] | None:
    """The stored problems for `key`, or None (no entry, another key, or unreadable)."""
    entry = _read(cache_file(project))
    try:
        if entry is None or entry.get("key") != key:
            return None
        if archive_digest(entry["archive"]) != entry["archive_digest"]:
            return None
        return _problems(entry["problems"])
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def store(project: Project, key: str, archive: str | None, problems: list[Problem]) -> None:
    """Remember `problems` for `key`; a cache that cannot be written is only slower."""
    entry = {
        "format": FORMAT,
        "key": key,
        "archive": archive,
        "archive_digest": archive_digest(archive),
        "problems": [_item(p) for p in problems],
    }
    _write(cache_file(project), entry)


def cached_check(project: Project, today: dt.date, max_age_days: int) -> list[Problem]:
    """`check_project`'s problems, from the cache when nothing that shapes them changed."""
    key = inputs_digest(project, today, max_age_days)
    found = lookup(project, key)
    if found is not None:
        return found
    from briefgen.edition.sandbox import TIME_LIMIT
    from briefgen.project.check import check_project
    from briefgen.project.evidence import kept_outcomes
    from briefgen.project.parsecache import remembering
    from briefgen.project.rules import kept_problems

    seen: dict = {}
    editions, evidence, rules = EditionCache(project), EvidenceCache(project), RulesCache(project)
    tokens = kept_outcomes.set(evidence), kept_problems.set(rules)
    try:
        with remembering(cache_file(project).parent.with_name("parsed"), _tool_id()):
            problems = check_project(project, today, max_age_days, seen=seen, editions=editions)
    finally:
        kept_outcomes.reset(tokens[0])
        kept_problems.reset(tokens[1])
    for kept in (editions, evidence, rules):
        kept.save()
    if "archive" in seen and not any(TIME_LIMIT in p.message for p in problems):
        store(project, key, seen["archive"], problems)  # a time-out depends on the load
    return problems
