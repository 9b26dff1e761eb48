"""Writing files so that a reader never finds half of one."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

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


#: The earliest date a zip entry can carry: a package does not depend on when it was made.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
ZIP_MODE = 0o100644  #: a regular file, rw-r--r--


def write_zip(
    target: Path | IO[bytes], entries: Iterable[tuple[str, bytes]], *, compress: bool = True
) -> None:
    """A zip whose bytes depend only on `entries`: sorted by name, fixed dates, mode 0644.

    `compress=False` stores the entries, so that no zlib version can change the bytes
    (release archives); DOCX packages are deflated, as Word writes them.
    """
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(target, "w", method) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = method
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = ZIP_MODE << 16
            archive.writestr(info, data)
