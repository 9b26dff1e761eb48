"""Every registered source's `file:` is in the archive of source texts.

Why: a `file:` that names nothing passed check, and the citation it backs could
not be verified by anyone. The archive is the folder the environment variable
BRIEFGEN_SOURCE_ARCHIVE or the register's `archive:` names (relative to the
project). Without an archive folder nothing is checked here: a clone may lack it.
"""

from __future__ import annotations

from collections.abc import Iterator

from briefgen.errors import Problem, display_path
from briefgen.project.document import Document
from briefgen.project.model import SourceRegister
from briefgen.project.paths import Project


def missing_files(
    project: Project, document: Document | None, register: SourceRegister | None
) -> Iterator[Problem]:
    """A warning at each `file:` that is not in the archive folder, naming the folder."""
    from briefgen.project.evidence import archive_folder  # evidence reads with the loader

    if document is None or register is None:
        return
    folder = archive_folder(project, register)
    if folder is None or not folder.is_dir():  # a clone without the archive: evidence warns
        return
    for source_id, source in register.sources.items():
        name = source.file
        if not name:
            continue
        path = (folder / name).resolve()
        if path.is_relative_to(folder) and path.is_file():
            continue
        problem = document.problem(
            ["sources", source_id, "file"],
            f"source '{source_id}': no file '{name}' in the archive {display_path(folder)}",
            "archive the source's text there under that name, or correct `file:`",
        )
        yield Problem(
            problem.path, problem.line, problem.col, problem.message, problem.hint, "warning"
        )
