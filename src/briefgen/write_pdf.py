"""HTML to PDF with WeasyPrint: A4, tagged (PDF/UA-1), fonts embedded and subset.

WeasyPrint may only read files under the project's asset folders: a template
that points at the network or at `/etc/passwd` gets a refusal, not the file.
"""

from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from .errors import BriefgenError
from .weasyprint_fixes import keep_footnotes_with_their_calls

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


class AssetFetcher(URLFetcher):
    """Serves `file:` URLs below the allowed folders and `data:` URLs; refuses the rest."""

    def __init__(self, allowed_roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_roots = [root.resolve() for root in allowed_roots]
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url.removeprefix("file://").split("?")[0]).resolve()
            if any(path.is_relative_to(root) for root in self.allowed_roots):
                return super().fetch(url, headers)
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url}: only files under the project's asset folders")


class WarningCollector(logging.Handler):
    """Keeps WeasyPrint's warnings so the build can report them instead of losing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@functools.cache
def installed_font_families() -> frozenset[str]:
    """Font families fontconfig knows, lower-cased."""
    if not shutil.which("fc-list"):
        return frozenset()
    listing = subprocess.run(
        ["fc-list", "--format", "%{family}\n"], capture_output=True, text=True, check=False
    ).stdout
    return frozenset(
        name.strip().lower() for line in listing.splitlines() for name in line.split(",") if name
    )


def require_fonts(html: str, template: str) -> None:
    """Every font a stylesheet asks for first must be installed: a missing CJK font is
    an error, never a page of empty boxes."""
    installed = installed_font_families()
    wanted: set[str] = set()
    for declaration in re.findall(r"font-family:\s*([^;}]+)", html):
        first = declaration.split(",")[0].strip().strip("\"'")
        if first.lower() not in GENERIC_FAMILIES:
            wanted.add(first)
    missing = sorted(family for family in wanted if family.lower() not in installed)
    if missing:
        raise BriefgenError(
            f"{template}: font(s) not installed: {', '.join(missing)} "
            "(run `sh scripts/setup-system.sh`, which installs fonts-noto-core and fonts-noto-cjk)"
        )


def write_pdf(html: str, base_url: Path, allowed_roots: list[Path], target: Path) -> list[str]:
    """Render `html` to the PDF file `target`; return warnings worth showing the user."""
    keep_footnotes_with_their_calls()
    fetcher = AssetFetcher(allowed_roots)
    collector = WarningCollector()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collector)
    try:
        document = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher)
        document.write_pdf(target, pdf_variant="pdf/ua-1", pdf_tags=True)
    finally:
        logger.removeHandler(collector)
    warnings = [f"refused to fetch {url}" for url in fetcher.refused]
    warnings += [message for message in collector.messages if "refused to fetch" not in message]
    return warnings
