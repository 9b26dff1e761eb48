"""Cache files this user's briefgen wrote, told apart from files that came with a project.

The caches under build/.cache/ hold parsed YAML, compiled templates and check
answers. A project folder may come from outside the team (a zip, a pull
request), build/.cache/ with it: a forged parse would let the build print what
the YAML does not say, and compiled template code (marshal) would run. So every
cache file is sealed with an HMAC keyed by a secret that never leaves this
user's own cache folder (`$XDG_CACHE_HOME/briefgen/cache.key`, mode 0600). A
file that does not open with a valid seal is ignored like a missing one; if the
key cannot be kept, nothing is cached and the tool is only slower.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import os
import stat
from pathlib import Path

from briefgen.files import atomic_output

_KEY_BYTES = 32
_MAC_BYTES = 32


def key_file() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "briefgen" / "cache.key"


@functools.cache
def _key() -> bytes | None:
    """This user's secret, made on first use; None when it cannot be read or kept safely."""
    path = key_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            _make_key(path)
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        with os.fdopen(descriptor, "rb") as source:
            info = os.fstat(source.fileno())
            # Someone else's key, or one others can read, proves nothing.
            if not stat.S_ISREG(info.st_mode) or info.st_uid != os.getuid():
                return None
            if info.st_mode & 0o077:
                return None
            key = source.read(_KEY_BYTES + 1)
    except OSError:
        return None
    return key if len(key) == _KEY_BYTES else None


def _make_key(path: Path) -> None:
    """Write a new key whole, then link it into place: a run killed half way, or two
    first runs at once, never leave an empty or torn key (which would turn caching
    off for good). The first link wins; the other run reads the winner's key."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as out:
            out.write(os.urandom(_KEY_BYTES))
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def _mac(key: bytes, name: str, body: bytes) -> bytes:
    """The seal covers the file's name too: a sealed parse or compiled template renamed
    to another entry's name (the key of other content) does not open."""
    return hmac.new(key, name.encode() + b"\0" + body, hashlib.sha256).digest()


def seal(body: bytes, name: str) -> bytes | None:
    """`body` with its seal for the file `name` in front; None when no key can be kept."""
    key = _key()
    if key is None:
        return None
    return _mac(key, name, body) + body


def unseal(blob: bytes, name: str) -> bytes | None:
    """The body of a blob sealed for the file `name`, or None if this user's briefgen
    did not write it there."""
    key = _key()
    if key is None or len(blob) < _MAC_BYTES:
        return None
    mac, body = blob[:_MAC_BYTES], blob[_MAC_BYTES:]
    return body if hmac.compare_digest(mac, _mac(key, name, body)) else None


def read_sealed(path: Path, max_bytes: int) -> bytes | None:
    """A sealed cache file's body; None if missing, too large, unreadable or not ours."""
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(descriptor, "rb") as source:
        try:
            info = os.fstat(source.fileno())
            if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes:
                return None
            blob = source.read(max_bytes + 1)
        except OSError:
            return None
    return unseal(blob, path.name)


def write_sealed(path: Path, body: bytes) -> None:
    """Write a sealed cache file whole or not at all; a cache that cannot be written is
    only slower, so failures are silent."""
    blob = seal(body, path.name)
    if blob is None:
        return
    try:
        with atomic_output(path) as temporary:
            temporary.write_bytes(blob)
    except OSError:
        pass


def prune(folder: Path, pattern: str, keep: int) -> None:
    """Remove all but the `keep` newest cache files matching `pattern`, so that a cache
    keyed by content does not grow with every edit."""
    try:
        entries = sorted(folder.glob(pattern), key=lambda path: path.stat().st_mtime)
        for stale in entries[:-keep]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass
