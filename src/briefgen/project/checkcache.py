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

import datetime as dt
import functools
import hashlib
import json
import os
from pathlib import Path

from briefgen.engine.incremental import (
    _files_under,
    _hash_files,
    environment_fingerprint,
    package_versions,
)
from briefgen.errors import Problem
from briefgen.files import atomic_output
from briefgen.limits import MAX_STATE_BYTES
from briefgen.project.paths import Project

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


class EditionCache:
    """Each edition's render and DOCX-vocabulary problems, by a digest of what shapes
    them: its brief, the register, the phrase list, the shared datasets, every
    template (messages, audience settings and styles live there) and the tool. After
    one brief is edited, only that brief's editions are rendered again."""

    def __init__(self, project: Project):
        self.project = project
        self.path = cache_file(project).with_name("editions.json")
        shared = _tool_digest()
        content = project.content
        files = [content / "sources.yaml", content / "zh-Hans.yaml"]
        files = [path for path in files if os.path.lexists(path)]
        files += _all_files(content / "data") + _all_files(project.templates)
        _hash_files(shared, project.root, files)
        self.shared = shared.hexdigest()
        self.stored = self._read()
        self.used: dict[str, list[dict]] = {}

    def _read(self) -> dict[str, list[dict]]:
        try:
            if self.path.stat().st_size > MAX_STATE_BYTES:
                return {}
            entry = json.loads(self.path.read_text(encoding="utf-8"))
            if entry.get("format") != FORMAT or not isinstance(entry.get("editions"), dict):
                return {}
            return entry["editions"]
        except (OSError, ValueError, AttributeError):
            return {}

    def key(self, brief: str, audience: str, lang: str) -> str:
        digest = hashlib.sha256(f"{self.shared}\n{brief}\n{audience}\n{lang}\n".encode())
        brief_file = self.project.content / f"{brief}.yaml"
        _hash_files(digest, self.project.root, [brief_file] if brief_file.exists() else [])
        return digest.hexdigest()

    def get(self, brief: str, audience: str, lang: str) -> list[Problem] | None:
        key = self.key(brief, audience, lang)
        problems = _problems(self.stored.get(key))
        if problems is not None:
            self.used[key] = self.stored[key]
        return problems

    def put(self, brief: str, audience: str, lang: str, problems: list[Problem]) -> None:
        self.used[self.key(brief, audience, lang)] = [_item(p) for p in problems]

    def save(self) -> None:
        """Keep the editions of this run only, so the file does not grow with each edit."""
        _write(self.path, {"format": FORMAT, "editions": self.used})


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
    """Write a cache file whole or not at all; a cache that cannot be written is only slower."""
    try:
        with atomic_output(path) as temporary:
            temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
    except OSError:
        pass


def lookup(project: Project, key: str) -> list[Problem] | None:
    """The stored problems for `key`, or None (no entry, another key, or unreadable)."""
    try:
        path = cache_file(project)
        if path.stat().st_size > MAX_STATE_BYTES:
            return None
        entry = json.loads(path.read_text(encoding="utf-8"))
        if entry.get("format") != FORMAT or entry.get("key") != key:
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

    seen: dict = {}
    editions = EditionCache(project)
    problems = check_project(project, today, max_age_days, seen=seen, editions=editions)
    editions.save()
    if "archive" in seen and not any(TIME_LIMIT in p.message for p in problems):
        store(project, key, seen["archive"], problems)  # a time-out depends on the load
    return problems
