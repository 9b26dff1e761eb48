"""Compiled templates kept between runs, sealed, in build/.cache/templates/.

Jinja compiles each template to Python code, and every audience's environment
compiles the base templates again: about 0.2 s of a `check` or a build after an
edit, for templates that did not change. Jinja's own bytecode cache would keep
the code, but loads it with `marshal` from any file it finds, and build/.cache/
may come with a project from outside the team; code from there must never run.
So the code is kept only in sealed files (sealed.py: an HMAC with a key that
never leaves this user's cache folder) and keyed by the template's source, name
and file, the tool's code and the Python version.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import sys
from pathlib import Path
from types import CodeType

from briefgen.sealed import prune, read_sealed, write_sealed

#: Changes when the stored format does.
FORMAT = "briefgen-template-code-1"
#: A compiled template is a few times its source; sources are bounded far below this.
MAX_CODE_BYTES = 20_000_000
#: Entries kept; the oldest beyond this are removed.
MAX_ENTRIES = 512


@functools.cache
def code_fingerprint() -> str:
    """The package's own code, Jinja's version and the Python that runs it."""
    import jinja2

    from briefgen.engine.incremental import package_digest

    return hashlib.sha256(
        f"{FORMAT}\n{sys.implementation.cache_tag}\njinja2=={jinja2.__version__}\n"
        f"{package_digest()}\n".encode()
    ).hexdigest()


class CodeCache:
    """Compiled template code of one project, read back only when sealed by this user."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._pruned = False  # once per cache: a glob of the folder is not free

    def _file(self, source: str, name: str | None, filename: str | None, defer: bool) -> Path:
        digest = hashlib.sha256(f"{code_fingerprint()}\n{name}\n{filename}\n{defer}\n".encode())
        digest.update(source.encode("utf-8", "surrogatepass"))
        return self.folder / f"{digest.hexdigest()}.code"

    def get(self, source: str, name: str | None, filename: str | None, defer: bool):
        body = read_sealed(self._file(source, name, filename, defer), MAX_CODE_BYTES)
        if body is None:
            return None
        try:
            code = marshal.loads(body)
        except (ValueError, EOFError, TypeError):
            return None
        return code if isinstance(code, CodeType) else None

    def put(
        self, source: str, name: str | None, filename: str | None, defer: bool, code: CodeType
    ) -> None:
        write_sealed(self._file(source, name, filename, defer), marshal.dumps(code))
        if not self._pruned:
            prune(self.folder, "*.code", MAX_ENTRIES)
            self._pruned = True
