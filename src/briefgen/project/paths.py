"""Where a project's inputs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from briefgen.errors import BriefgenError

#: `briefgen check` warns about facts whose as_of date is older than this.
MAX_AGE_DAYS = 365

#: Overrides the source register's `archive:` folder of archived source texts.
ARCHIVE_VARIABLE = "BRIEFGEN_SOURCE_ARCHIVE"


@dataclass(frozen=True)
class Project:
    """A briefing project: `content/` and `templates/` below one folder."""

    root: Path

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    def audience_dir(self, audience: str) -> Path:
        return self.templates / "audiences" / audience

    def docx_reference(self, audience: str) -> Path:
        """The audience's own reference.docx (its Word styles) if it has one, else the base."""
        own = self.audience_dir(audience) / "reference.docx"
        return own if own.is_file() else self.templates / "docx" / "reference.docx"


def find_root(start: Path) -> Path:
    """The project folder: the nearest one up from `start` with content/ and templates/."""
    for folder in [start, *start.parents]:
        if (folder / "content").is_dir() and (folder / "templates").is_dir():
            return folder
    raise BriefgenError(
        f"{start}: no project here (a folder with content/ and templates/); "
        "run briefgen from the project or pass --project"
    )
