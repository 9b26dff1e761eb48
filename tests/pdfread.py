"""Read a built PDF back the way a reader's tools would: text, fonts, notes, outline."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

from briefgen.inspect import pdf_fonts

MARKER = re.compile(r"^(\d+)\. $")


@dataclass
class PageText:
    text: str
    #: footnote numbers called on the page (small superscript digits in the body)
    calls: list[int] = field(default_factory=list)
    #: footnote numbers whose note is set at the foot of the page
    notes: dict[int, str] = field(default_factory=dict)


class ReadPdf:
    def __init__(self, path: Path):
        self.path = path
        self.reader = PdfReader(path)
        self.pages = [self._read_page(page) for page in self.reader.pages]

    @staticmethod
    def _read_page(page) -> PageText:
        runs: list[tuple[str, float, float]] = []

        def visit(text, cm, tm, font, size):
            if text.strip():
                runs.append((text, size, tm[5]))

        text = page.extract_text(visitor_text=visit)
        result = PageText(text)

        def is_call(index: int) -> bool:
            """A call: digits much smaller than the text beside it (before or after,
            as a call can open a line), raised a little above that text's baseline.
            This tells it from a chart's tick labels."""
            text, size, y = runs[index]
            if not text.strip().isdigit():
                return False
            for neighbour in (index - 1, index + 1):
                if 0 <= neighbour < len(runs):
                    _, other_size, other_y = runs[neighbour]
                    if size < 0.75 * other_size and other_y - 0.5 * other_size < y < other_y:
                        return True
            return False

        current: int | None = None
        last_y = 0.0
        for index, (text, size, y) in enumerate(runs):
            marker = MARKER.match(text)
            if marker:
                current = int(marker.group(1))
                result.notes[current] = ""
            elif is_call(index):
                result.calls.append(int(text.strip()))
                current = None
            elif current is not None and last_y <= y <= last_y + 2.5 * size:
                # a note's next run, on its line or the line below
                previous = result.notes[current][-1:]
                wrapped = y != last_y and previous.isascii() and text[:1].isascii()
                result.notes[current] += (" " if wrapped else "") + text
            else:
                current = None  # the running header or footer, after the notes
            last_y = y
        return result

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)

    def notes(self) -> dict[int, str]:
        found: dict[int, str] = {}
        for page in self.pages:
            found.update(page.notes)
        return found

    def fonts(self) -> dict[str, bool]:
        """Every font used, and whether its program is embedded (as release verification
        reads it)."""
        return pdf_fonts(self.reader)

    def outline_titles(self) -> list[str]:
        return outline_titles(self.reader)


def outline_titles(reader) -> list[str]:
    """The bookmarks' titles of a pypdf reader, in order, nested ones included."""
    titles: list[str] = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles
