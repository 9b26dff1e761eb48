"""Writing files so that a reader never finds half of one."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: The suffix of an artifact being written (`.mini.en.pdf.k2x9.part`).
PARTIAL_SUFFIX = ".part"


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, moved over it only if the block succeeds.

    A failed or interrupted build leaves the previous file where it was, and
    no `.part` file behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=PARTIAL_SUFFIX, dir=target.parent
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


def remove_partial_files(folder: Path) -> list[Path]:
    """Delete the temporary files of `atomic_output` left below `folder`.

    A worker process that is killed (not interrupted) gets no chance to delete its
    own: after an interrupted or failed parallel build the parent sweeps them.
    """
    removed = []
    for path in folder.rglob(f".*{PARTIAL_SUFFIX}") if folder.is_dir() else []:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
