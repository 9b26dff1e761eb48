"""Reading artifacts back: what a reader's tools would find in a PDF or a DOCX.

Release verification and the tests ask the same questions of a built file (does
every page have text, is every font embedded, does the DOCX hold a real
footnote); the answers are computed here, once.
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from pypdf import PdfReader

#: The WordprocessingML namespace, as ElementTree spells a tag in it.
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def pdf_pages(path: Path) -> int:
    return len(PdfReader(path).pages)


def pdf_fonts(reader: PdfReader) -> dict[str, bool]:
    """Every font a PDF's pages (and the forms they draw) use, and whether its program
    is embedded in the file (a Type 3 font's glyphs always are)."""
    fonts: dict[str, bool] = {}
    seen: set[int] = set()
    for page in reader.pages:
        _collect_fonts(page.get("/Resources"), fonts, seen)
    return fonts


def check_artifact(path: Path, fmt: str, pages: int | None) -> list[str]:
    """Problems found reading one artifact back (none: it is sound)."""
    try:
        return check_pdf(path, pages) if fmt == "pdf" else check_docx(path)
    except Exception as error:  # any failure to read is a finding, not a crash
        return [f"cannot be read as {fmt.upper()} ({type(error).__name__}: {error})"]


def check_pdf(path: Path, pages: int | None) -> list[str]:
    """Problems of a PDF: unreadable, the wrong number of pages, a blank page, a font
    not embedded."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    problems = []
    reader = PdfReader(path, strict=True)
    if len(reader.pages) != pages:
        problems.append(f"{len(reader.pages)} pages, manifest.json says {pages}")
    if not reader.pages:
        problems.append("has no pages")
    blank = [n for n, page in enumerate(reader.pages, 1) if not page.extract_text().strip()]
    if blank:
        problems.append(f"no text on page(s) {', '.join(map(str, blank))}")
    fonts = pdf_fonts(reader)
    if not fonts:
        problems.append("uses no font")
    loose = sorted(name for name, embedded in fonts.items() if not embedded)
    if loose:
        problems.append(f"font(s) not embedded: {', '.join(loose)}")
    return problems


def _collect_fonts(resources, fonts: dict[str, bool], seen: set[int]) -> None:
    """The fonts of a resource dictionary and of the forms it draws, and whether each
    font's program is in the file (a Type 3 font's glyphs always are)."""
    resources = resources.get_object() if resources is not None else None
    if not resources:
        return
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        name = str(font.get("/BaseFont", font.get("/Name", "(unnamed)")))
        if font.get("/Subtype") == "/Type3":
            fonts[name] = True
            continue
        owner = font
        if "/DescendantFonts" in font:
            owner = font["/DescendantFonts"][0].get_object()
        descriptor = owner.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor is not None else {}
        embedded = any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
        fonts[name] = fonts.get(name, True) and embedded
    for xobject in (resources.get("/XObject") or {}).values():
        reference = getattr(xobject, "idnum", None)
        if reference is not None:
            if reference in seen:
                continue
            seen.add(reference)
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form":
            _collect_fonts(xobject.get("/Resources"), fonts, seen)


def check_docx(path: Path) -> list[str]:
    """Problems of a DOCX: a broken zip, a missing part, no text, no real footnote."""
    problems = []
    with zipfile.ZipFile(path) as package:
        broken = package.testzip()
        if broken:
            problems.append(f"{broken}: fails its CRC check")
        names = set(package.namelist())
        for part in ("[Content_Types].xml", "word/document.xml", "word/footnotes.xml"):
            if part not in names:
                problems.append(f"has no {part}")
        # An edition citing by numbered references to its source list calls no note.
        calls_notes = True
        if "word/document.xml" in names:
            body = ElementTree.fromstring(package.read("word/document.xml")).find(f"{W}body")
            if body is None or not "".join(t.text or "" for t in body.iter(f"{W}t")).strip():
                problems.append("word/document.xml has no text")
            calls_notes = body is not None and body.find(f".//{W}footnoteReference") is not None
        if "word/footnotes.xml" in names and calls_notes:
            notes = ElementTree.fromstring(package.read("word/footnotes.xml"))
            real = [
                note
                for note in notes.iter(f"{W}footnote")
                if note.get(f"{W}type") in (None, "normal")
                and "".join(t.text or "" for t in note.iter(f"{W}t")).strip()
            ]
            if not real:
                problems.append("word/footnotes.xml has no footnote with text")
    return problems
