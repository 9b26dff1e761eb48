"""Read a built DOCX back the way Word sees it: parts, paragraphs, footnotes, fields."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, raw_yaml
from docx.oxml.ns import nsmap
from lxml import etree

W = nsmap["w"]  #: python-docx's, the one the writer uses too
NS = {prefix: nsmap[prefix] for prefix in ("w", "wp", "r", "a")}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


class ReadDocx:
    def __init__(self, path: Path | bytes):
        source = path if isinstance(path, Path) else __import__("io").BytesIO(path)
        with zipfile.ZipFile(source) as package:
            self.names = package.namelist()
            self.parts = {name: package.read(name) for name in self.names}
        self.document = self.xml("word/document.xml")
        self.styles = self.xml("word/styles.xml")
        self.settings = self.xml("word/settings.xml")
        self.footnotes = (
            self.xml("word/footnotes.xml") if "word/footnotes.xml" in self.parts else None
        )
        self.style_names = {
            style.get(w("styleId")): style.find(w("name")).get(w("val"))
            for style in self.styles.iter(w("style"))
        }

    def xml(self, name: str) -> etree._Element:
        return etree.fromstring(self.parts[name])

    @property
    def body(self) -> etree._Element:
        return self.document.find(w("body"))

    def style_of(self, paragraph: etree._Element) -> str:
        style = paragraph.find(f"{w('pPr')}/{w('pStyle')}")
        return self.style_names.get(style.get(w("val")) if style is not None else None, "Normal")

    def notes(self) -> dict[str, etree._Element]:
        """Footnotes by id, separators excluded."""
        assert self.footnotes is not None, "no word/footnotes.xml"
        return {
            note.get(w("id")): note
            for note in self.footnotes.iter(w("footnote"))
            if note.get(w("type")) in (None, "normal")
        }

    def references(self) -> list[str]:
        """Footnote ids in the order the text calls them."""
        return [ref.get(w("id")) for ref in self.document.iter(w("footnoteReference"))]

    def note_texts(self) -> list[str]:
        """The footnotes' texts, in the order they are called, their own numbers left out."""
        notes = self.notes()
        return [text_of(notes[note_id]).strip() for note_id in self.references()]

    def paragraphs(self) -> list[etree._Element]:
        """Every paragraph of the body, in tables too, in reading order."""
        return list(self.body.iter(w("p")))

    def headings(self) -> list[tuple[str, str]]:
        wanted = ("Title", "TOC Heading", "heading 1", "heading 2", "heading 3")
        return [
            (self.style_of(p), text_of(p)) for p in self.paragraphs() if self.style_of(p) in wanted
        ]

    def instructions(self, root: etree._Element | None = None) -> list[str]:
        root = self.document if root is None else root
        found, current = [], None
        for element in root.iter(w("fldChar"), w("instrText")):
            if element.tag == w("instrText"):
                current = (current or "") + (element.text or "")
            elif element.get(w("fldCharType")) in ("separate", "end") and current is not None:
                found.append(current.strip())
                current = None
        return found

    def entries(self, kind: str) -> list[tuple[str, etree._Element]]:
        """The TC fields of one kind (`\\f kind`), in document order, as Word's
        `TOC \\f kind` lists them: (entry text, the paragraph the field stands in)."""
        pattern = re.compile(rf'TC "((?:[^"\\]|\\.)*)" \\f {kind}\b.*')
        found = []
        for paragraph in self.paragraphs():
            for instruction in self.instructions(paragraph):
                match = pattern.fullmatch(instruction)
                if match:
                    found.append((re.sub(r"\\(.)", r"\1", match.group(1)), paragraph))
        return found


def text_of(element: etree._Element, numbers: dict[str, int] | None = None) -> str:
    """The text a reader sees: w:t and field results; footnote calls as their numbers
    when `numbers` maps footnote ids to numbers (else left out)."""
    parts = []
    for node in element.iter(w("t"), w("footnoteReference"), w("tab"), w("br")):
        if node.tag == w("t"):
            parts.append(node.text or "")
        elif node.tag == w("footnoteReference") and numbers is not None:
            parts.append(str(numbers[node.get(w("id"))]))
        elif node.tag in (w("tab"), w("br")) and node.getparent().tag == w("r"):
            parts.append(" ")
    return "".join(parts)


def pandoc_ast(path: Path) -> dict:
    """The DOCX as pandoc reads it (its JSON AST): a second, independent reader."""
    import json

    import pypandoc

    return json.loads(pypandoc.convert_file(str(path), "json", format="docx"))


def pandoc_text(node) -> str:
    """The text of pandoc inlines or blocks, notes left out."""
    parts: list[str] = []

    def walk(item) -> None:
        if isinstance(item, dict):
            kind = item.get("t")
            if kind == "Str":
                parts.append(item["c"])
            elif kind in ("Space", "SoftBreak", "LineBreak"):
                parts.append(" ")
            elif kind != "Note":
                walk(item.get("c"))
        elif isinstance(item, list):
            for child in item:
                walk(child)

    walk(node)
    return "".join(parts)


def pandoc_find(node, kind: str, inside: tuple[str, ...] = ()) -> list[tuple[dict, tuple]]:
    """Every element of type `kind` with the types of the elements around it."""
    found: list[tuple[dict, tuple]] = []

    def walk(item, around: tuple) -> None:
        if isinstance(item, dict):
            if item.get("t") == kind:
                found.append((item, around))
            walk(item.get("c"), (*around, item.get("t")) if item.get("t") else around)
        elif isinstance(item, list):
            for child in item:
                walk(child, around)

    walk(node, inside)
    return found


# -- shared by the DOCX tests (test_docx.py, test_docx_writer.py) ------------------

CJK = re.compile(r"[\u3400-\u9fff]")
REFERENCE = ROOT / "templates" / "docx" / "reference.docx"
MESSAGES = raw_yaml(ROOT / "templates" / "base" / "messages.yaml")


def squash(text: str) -> str:
    """Text compared across formats: no whitespace (PDF line breaks fall anywhere), no case
    (the PDF sets the edition line in capitals)."""
    return re.sub(r"\s+", "", text).casefold()


def content(brief: str) -> dict:
    return raw_yaml(ROOT / "content" / f"{brief}.yaml")


def section_titles(brief: str, lang: str) -> list[str]:
    return [
        MESSAGES["summary"][lang],
        MESSAGES["key_figures"][lang],
        *(section["title"][lang] for section in content(brief)["sections"]),
    ]


def toc_entries(read: ReadDocx, style: str) -> list[tuple[str, str]]:
    """(text, link target) of each filled-in entry of a contents list."""
    return [
        (text_of(p), p.find(w("hyperlink")).get(w("anchor")))
        for p in read.paragraphs()
        if read.style_of(p) == style
    ]


def libreoffice(files: list[Path], out: Path) -> Path:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.fail("LibreOffice (soffice) is missing: run `sh scripts/setup-system.sh --test`")
    profile = Path(tempfile.mkdtemp(prefix="lo-profile-"))
    try:
        result = subprocess.run(
            [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--convert-to", "pdf", "--outdir", str(out), *map(str, files)],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out
