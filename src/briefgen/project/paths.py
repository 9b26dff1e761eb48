"""Where a project's inputs live."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: `briefgen check` warns about facts whose as_of date is older than this.
MAX_AGE_DAYS = 365


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
