"""What the PDF writer may read and which fonts it needs, without importing WeasyPrint.

`briefgen check` asks the same questions of an edition's HTML as the PDF writer
does (would this reference be fetched, is this font installed) and must stay
fast, so the answers live here and `writers/pdf.py` imports them.
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

GENERIC_FAMILIES = {"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"}


def allowed_file(url: str, roots: list[Path]) -> Path | None:
    """The local file `url` names, resolved, if it lies below one of `roots` (resolved)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in {"", "localhost"}:
        return None
    try:
        # (urllib.request.url2pathname on POSIX is unquote; importing it costs 10 ms)
        path = Path(unquote(parts.path)).resolve()
    except (OSError, ValueError):
        return None
    if any(path.is_relative_to(root) for root in roots):
        return path
    return None


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


def missing_fonts(html: str) -> list[str]:
    """The font families a stylesheet asks for first that are not installed."""
    installed = installed_font_families()
    wanted: set[str] = set()
    for declaration in re.findall(r"font-family:\s*([^;}]+)", html):
        first = declaration.split(",")[0].strip().strip("\"'")
        if first.lower() not in GENERIC_FAMILIES:
            wanted.add(first)
    return sorted(family for family in wanted if family.lower() not in installed)


#: What to do about a missing font.
FONT_HINT = "run `sh scripts/setup-system.sh`, which installs fonts-noto-core and fonts-noto-cjk"
