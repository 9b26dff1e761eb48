"""HTML to PDF with WeasyPrint: A4, tagged (PDF/UA-1), fonts embedded and subset.

WeasyPrint may only read files under the project's asset folders: a template
that points at the network or at `/etc/passwd` gets a refusal, not the file.
"""

from __future__ import annotations

import logging
import mimetypes
from pathlib import Path

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from briefgen.errors import BriefgenError
from briefgen.files import read_project_file
from briefgen.limits import MAX_ASSET_BYTES
from briefgen.writers.assets import FONT_HINT, allowed_file, missing_fonts
from briefgen.writers.pdf_fonts import FontShrinker
from briefgen.writers.pdf_lines import EvenLines
from briefgen.writers.pdf_makeup import fit_figures, lone_last_page
from briefgen.writers.typography import BREAK_CONTROLS, prepare
from briefgen.writers.weasyprint_fixes import (
    justify_between_characters,
    keep_footnotes_with_their_calls,
    tighter_styles,
)


class AssetFetcher(URLFetcher):
    """Serves `file:` URLs below the allowed folders and `data:` URLs; refuses the rest.

    The path is decoded (`%2e%2e` is `..`) and resolved (`..` and symbolic links
    followed) before it is compared with the allowed folders, and the file fetched
    is the resolved one: what was checked is what is read.
    """

    def __init__(self, allowed_roots: list[Path]):
        super().__init__(allowed_protocols={"file", "data"})
        self.allowed_roots = [root.resolve() for root in allowed_roots]
        self.refused: list[str] = []

    def allowed_file(self, url: str) -> Path | None:
        """The local file `url` names, if it lies below an allowed folder."""
        return allowed_file(url, self.allowed_roots)

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        if url.lower().startswith("data:"):
            return super().fetch(url, headers)
        path = self.allowed_file(url)
        if path is not None:  # read as every project file is: a regular file, bounded
            root = next(root for root in self.allowed_roots if path.is_relative_to(root))
            body = read_project_file(path, root, MAX_ASSET_BYTES)
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), body, {"Content-Type": kind})
        self.refused.append(url)
        raise ValueError(f"refused to fetch {url}: only files under the project's asset folders")


class WarningCollector(logging.Handler):
    """Keeps WeasyPrint's warnings so the build can report them instead of losing them."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def require_fonts(html: str, template: str) -> None:
    """Every font a stylesheet asks for first must be installed: a missing CJK font is
    an error, never a page of empty boxes."""
    missing = missing_fonts(html)
    if missing:
        fonts = ", ".join(missing)
        raise BriefgenError(f"{template}: font(s) not installed: {fonts} ({FONT_HINT})")


def without_break_controls(document) -> None:
    """The bookmarks are the headings' text: the break controls typography.py and
    pdf_lines wrote for the line breaker would otherwise reach the outline, where a
    reader (and a search of the outline) gets `“金融科技2030”\u200b概览`."""
    table = dict.fromkeys(map(ord, BREAK_CONTROLS))
    for page in document.pages:
        page.bookmarks[:] = [
            (level, label.translate(table), *rest) for level, label, *rest in page.bookmarks
        ]


def write_pdf(
    html: str,
    base_url: Path,
    allowed_roots: list[Path],
    target: Path,
    shrink_fonts: bool | FontShrinker = True,
    make_up: bool = True,
) -> list[str]:
    """Render `html` to the PDF file `target`; return warnings worth showing the user.
    With `shrink_fonts` (off only to measure it), the CJK fonts keep just the glyphs
    drawn (see pdf_fonts); pass a FontShrinker to read what it did."""
    keep_footnotes_with_their_calls()
    justify_between_characters()
    html = prepare(html)  # clreq bindings, punctuation compression, curly quotes
    fetcher = AssetFetcher(allowed_roots)
    collector = WarningCollector()
    # WeasyPrint's own warnings, and those of the passes here that stand down
    loggers = [logging.getLogger("weasyprint"), logging.getLogger("briefgen.writers")]
    for logger in loggers:
        logger.addHandler(collector)
    try:
        source = HTML(string=html, base_url=str(base_url) + "/", url_fetcher=fetcher)
        options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}
        document, layout = source.render(**options), dict(options)
        lines = EvenLines(source)
        if make_up:  # loose Chinese lines rebroken in the layouts that follow
            lines.bind(document)
        # Without `make_up` (the preview's quick first draft), the first layout is kept.
        for style in tighter_styles() if make_up and lone_last_page(document) else []:
            # the end of a section alone on the last page: set tighter, least change first
            stylesheets = [CSS(string=style)]
            tighter = source.render(stylesheets=stylesheets, **options)
            if len(tighter.pages) < len(document.pages):
                document, layout = tighter, {**options, "stylesheets": stylesheets}
                if not lone_last_page(document):  # else one step tighter still
                    break
        if make_up:
            document = fit_figures(source, document, **layout)  # on the pages as they will be
            document = lines.settle(document, **layout)  # no Chinese line in holes
        finisher = shrink_fonts if isinstance(shrink_fonts, FontShrinker) else None
        if shrink_fonts is True:
            finisher = FontShrinker()
        without_break_controls(document)
        document.write_pdf(target, finisher=finisher, **options)
    finally:
        for logger in loggers:
            logger.removeHandler(collector)
    warnings = [
        f"refused to fetch {url}: a document may use only files under templates/ "
        "(no network, nothing outside the project); the PDF was built without it"
        for url in dict.fromkeys(fetcher.refused)
    ]
    warnings += [message for message in collector.messages if "refused to fetch" not in message]
    return warnings
