"""Writing files so that a reader never finds half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, moved over it only if the block succeeds.

    A failed or interrupted build leaves the previous file where it was, and
    no `.part` file behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".part", dir=target.parent
    )
    os.close(handle)
    temporary_path = Path(temporary)
    # mkstemp creates the file private (0600); an artifact is an ordinary file.
    umask = os.umask(0)
    os.umask(umask)
    temporary_path.chmod(0o666 & ~umask)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)
