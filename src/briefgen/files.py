"""Reading project files safely; writing files so that a reader never finds half of one.

Every file the tool reads comes through `read_project_file`: resolved to its real
path, it must lie inside the folder it belongs to (a symbolic link out of the
project is refused, so `/etc/passwd` can never reach a document); it must be a
regular file (a FIFO or device would hang or never end) and no larger than its
limit, both checked on the open descriptor before a byte is read. Errors name
the file and never quote it: an outside file's content must not leak into a
message either.
"""

from __future__ import annotations

import errno
import math
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from briefgen.errors import ContentError, Problem, display_path, not_utf8

#: The suffix of an artifact being written (`.mini.en.pdf.k2x9.part`).
PARTIAL_SUFFIX = ".part"


class UnsafeFile(ContentError):
    """A file refused before reading: outside its folder, not a regular file, too large.

    `reason` and `hint` let a caller report it where the file was named (a
    `logo:` line) instead of at the file itself.
    """

    def __init__(self, path: Path, reason: str, hint: str):
        self.path, self.reason, self.hint = path, reason, hint
        super().__init__([Problem(path, 1, 1, reason, hint)])


#: The folders of a project that files are read from.
PROJECT_FOLDERS = ("content", "templates")


def is_inside(path: Path | str, folder: Path | str) -> bool:
    """Whether `path`, symbolic links resolved, lies inside `folder` (also resolved)."""
    real = os.path.realpath(path)
    root = os.path.realpath(folder)
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def _anchored(path: Path, folder: Path) -> bool:
    """Whether `path` lies in the project folder (content/, templates/) above `folder`,
    that folder taken where it stands: a linked audience folder, or a linked
    templates/ itself, leads outside the project even if the file is inside the link."""
    for candidate in [folder, *folder.parents]:
        if candidate.name in PROJECT_FOLDERS:
            anchor = os.path.join(os.path.realpath(candidate.parent), candidate.name)
            real = os.path.realpath(path)
            return real.startswith(anchor + os.sep)
    return True


def read_project_file(path: Path, allowed_root: Path, max_bytes: int) -> bytes:
    """The bytes of `path`, which must be a regular file of at most `max_bytes` inside
    `allowed_root` once symbolic links are resolved; else `UnsafeFile`."""
    path = Path(path)
    where = display_path(Path(allowed_root))
    if not os.path.lexists(path):
        raise UnsafeFile(path, "file not found", "create it or fix the name")
    if not (is_inside(path, allowed_root) and _anchored(path, Path(allowed_root))):
        raise UnsafeFile(
            path,
            f"the file lies outside {where}/ (through a symbolic link or `..`), so it is not read",
            f"copy the file into {where}/ instead of linking to it",
        )
    real = os.path.realpath(path)
    try:
        # O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever.
        handle = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except FileNotFoundError:
        raise UnsafeFile(path, "file not found", "create it or fix the name") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnsafeFile(path, "the file changed while it was read", "build again") from None
        reason = f"cannot read the file ({error.strerror})"
        raise UnsafeFile(path, reason, "check its permissions") from None
    try:
        info = os.fstat(handle)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            raise UnsafeFile(path, f"{kind}, so it is not read", "replace it with an ordinary file")
        if info.st_size > max_bytes:
            raise UnsafeFile(
                path,
                f"the file is {info.st_size:,} bytes, more than the limit of {max_bytes:,}",
                "make it smaller; docs/limits.md lists the limits",
            )
        chunks, total = [], 0
        while total <= max_bytes:  # a file that grows while it is read is still bounded
            chunk = os.read(handle, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > max_bytes:
            raise UnsafeFile(
                path,
                f"the file is more than the limit of {max_bytes:,} bytes",
                "make it smaller; docs/limits.md lists the limits",
            )
        return b"".join(chunks)
    finally:
        os.close(handle)


def read_project_text(path: Path, allowed_root: Path, max_bytes: int) -> str:
    """`read_project_file` decoded as UTF-8; text in another encoding is a located error."""
    raw = read_project_file(path, allowed_root, max_bytes)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ContentError([not_utf8(path, raw, error)]) from None


def read_image(path: Path, allowed_root: Path) -> bytes:
    """An image file read as `read_project_file` does, refused when it is not an image
    or has more than MAX_IMAGE_PIXELS (read from its header, before it is decoded)."""
    import io
    import warnings

    from PIL import Image

    from briefgen.limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS

    data = read_project_file(path, allowed_root, MAX_IMAGE_BYTES)
    if path.suffix.lower() == ".svg":
        return data
    too_large = UnsafeFile(
        path,
        f"the image has more than the limit of {MAX_IMAGE_PIXELS:,} pixels",
        "scale it down (a logo needs no more than 2000 pixels across)",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Pillow's own bomb warning: we say it better
            with Image.open(io.BytesIO(data)) as image:  # reads the header only
                width, height = image.size
    except Image.DecompressionBombError:
        raise too_large from None
    except Exception:
        raise UnsafeFile(
            path, "not an image Pillow can read", "use a PNG, JPEG or SVG file"
        ) from None
    if width * height > MAX_IMAGE_PIXELS:
        raise UnsafeFile(
            path,
            f"the image is {width} x {height} pixels, more than the limit of "
            f"{MAX_IMAGE_PIXELS:,} pixels",
            "scale it down (a logo needs no more than 2000 pixels across)",
        )
    return data


def write_failure(target: Path, error: OSError) -> str:
    """One line naming the artifact, the folder or file that failed, and what to do."""
    where = Path(error.filename) if error.filename else target.parent
    hint = {
        errno.ENOSPC: "free some space on that disk, or build elsewhere with --out",
        errno.EDQUOT: "free some space on that disk, or build elsewhere with --out",
        errno.EACCES: "make the folder writable, or build elsewhere with --out",
        errno.EROFS: "build elsewhere with --out",
        errno.EPERM: "make the folder writable, or build elsewhere with --out",
    }.get(error.errno or 0, "check the output folder")
    return (
        f"{display_path(target)}: error: cannot write it ({error.strerror or error} "
        f"at {display_path(where)}) ({hint})"
    )


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path beside `target`, moved over it only if the block succeeds.

    A failed or interrupted build leaves the previous file where it was, and
    no `.part` file behind.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    # The writer's process id in the name: a later build sweeps only the partial
    # files of processes that are gone (killed with -9), never a running build's.
    handle, temporary = tempfile.mkstemp(
        prefix=f".{target.name}.{os.getpid()}.", suffix=PARTIAL_SUFFIX, dir=target.parent
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


def remove_partial_files(folder: Path, stale_before: float | None = None) -> list[Path]:
    """Delete the temporary files of `atomic_output` left below `folder`.

    A worker process that is killed (not interrupted) gets no chance to delete its
    own: after an interrupted or failed build the parent sweeps them. With
    `stale_before` (a time), only files older than that whose writing process is
    gone: what a `kill -9` left behind, swept when the next build starts, without
    touching a concurrent build's.
    """
    removed = []
    for path in folder.rglob(f".*{PARTIAL_SUFFIX}") if folder.is_dir() else []:
        try:
            info = path.lstat()
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        if stale_before is not None and (info.st_mtime >= stale_before or _writer_alive(path.name)):
            continue
        path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def remove_own_partial_files(folder: Path) -> list[Path]:
    """After an interrupted or failed build: the partial files of this process and of
    its workers (stopped by then), never those of a concurrent build still writing."""
    return remove_partial_files(folder, stale_before=math.inf)


def _writer_alive(name: str) -> bool:
    """Whether the process named in a partial file's name (`.a.pdf.<pid>.x.part`) runs."""
    match = re.search(r"\.(\d+)\.[^.]+\.part$", name)
    if not match or int(match.group(1)) == os.getpid():
        return False
    pid = int(match.group(1))
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # it exists, but belongs to someone else
        pass
    try:  # a zombie (dead, not yet reaped: common in containers) writes nothing more
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


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
    import zipfile  # here: `check`, which writes no zip, starts faster without it

    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(target, "w", method) as archive:
        for name, data in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = method
            info.create_system = 3  # Unix, so that the mode below is read
            info.external_attr = ZIP_MODE << 16
            archive.writestr(info, data)
