"""Sanitise a reference.docx before python-docx opens it.

A reference document may come from outside the team, and parts of it are
copied into every DOCX built. So it is treated as untrusted input:

- zip members are checked by their declared sizes and compression ratio before
  any is unpacked, and the total is bounded (a 1 MB file holding a 1 GiB part is
  refused at once, not after filling memory);
- only the parts a reference needs are taken: styles, numbering, theme, fonts
  table, settings (without `w:attachedTemplate`), headers and footers with their
  images, footnote separators, document properties and the main document (whose
  body the writer clears); macros, embedded objects, custom XML are dropped;
- a relationship to anything outside the package (`TargetMode="External"`,
  such as an attached template on a server that Word would fetch on opening)
  is refused with a located error naming the file, the part and its line;
- so is a field that reads another file or URL (INCLUDEPICTURE, INCLUDETEXT,
  LINK, DDE…), a fetch on opening that needs no relationship at all.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from briefgen.errors import ContentError, Problem
from briefgen.files import read_project_file
from briefgen.limits import MAX_REFERENCE_BYTES, MAX_REFERENCE_RATIO, MAX_REFERENCE_UNPACKED

#: The parts a reference document may contribute.
KEPT_PARTS = re.compile(
    r"\[Content_Types\]\.xml|_rels/\.rels|docProps/(core|app)\.xml"
    r"|word/(document|styles|stylesWithEffects|numbering|fontTable|settings|webSettings"
    r"|footnotes|endnotes|header\d*|footer\d*)\.xml"
    r"|word/theme/theme\d*\.xml|word/media/[\w.-]+\.(png|jpe?g|gif|emf|wmf)"
    r"|word/_rels/(document|settings|footnotes|endnotes|header\d*|footer\d*)\.xml\.rels"
)
#: Parts smaller than this are not held to the compression ratio (short runs of
#: repeated markup compress well and are harmless).
RATIO_FLOOR = 1_000_000

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Fields whose instruction makes Word read a file or URL, in a part or on updating.
FETCHING_FIELDS = re.compile(
    r"\b(INCLUDEPICTURE|INCLUDETEXT|INCLUDE|LINK|DDE|DDEAUTO|IMPORT|RD)\b", re.IGNORECASE
)
#: Parts whose text can hold fields.
FIELD_PARTS = re.compile(r"word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml")
_HINT = "make the reference in Word from templates/docx/reference.docx, without links out"


def sanitised_reference(path: Path) -> io.BytesIO:
    """The reference document at `path`, reduced to the parts a reference needs."""
    root = next((p for p in path.parents if p.name == "templates"), path.parent)
    data = read_project_file(path, root, MAX_REFERENCE_BYTES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refused(
            path, "not a Word document (not a zip package)", "save it as .docx"
        ) from None
    kept = [info for info in members if KEPT_PARTS.fullmatch(info.filename)]
    total = 0
    for info in kept:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_FLOOR and ratio > MAX_REFERENCE_RATIO:
            raise _refused(
                path,
                f"part {info.filename} unpacks {ratio:,.0f} times its packed size "
                f"(limit {MAX_REFERENCE_RATIO})",
                _HINT,
            )
        if total > MAX_REFERENCE_UNPACKED:
            raise _refused(
                path,
                f"its parts unpack to more than {MAX_REFERENCE_UNPACKED:,} bytes "
                f"(at {info.filename})",
                _HINT,
            )
    names = {info.filename for info in kept}
    parts: dict[str, bytes] = {}
    for info in kept:
        try:
            with archive.open(info) as member:
                content = member.read(info.file_size + 1)  # never more than it declared
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
            raise _refused(path, f"part {info.filename} cannot be unpacked", _HINT) from None
        parts[info.filename] = content
    for name, content in list(parts.items()):
        if name.endswith(".rels"):
            parts[name] = _relationships(path, name, content, names)
        elif name == "word/settings.xml":
            parts[name] = _settings(path, name, content)
        elif FIELD_PARTS.fullmatch(name):
            _refuse_fetching_fields(path, name, content)
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in parts.items():
            package.writestr(name, content)
    output.seek(0)
    return output


def _parse(path: Path, name: str, content: bytes) -> etree._Element:
    try:
        return etree.fromstring(content, _PARSER)
    except etree.XMLSyntaxError as error:
        line = error.position[0] if error.position else 1
        raise _refused(path, f"part {name} is not well-formed XML (line {line})", _HINT) from None


def _relationships(path: Path, name: str, content: bytes, names: set[str]) -> bytes:
    """A .rels part without relationships to dropped parts; an external one is an error."""
    tree = _parse(path, name, content)
    # word/_rels/document.xml.rels relates targets relative to word/
    folder = posixpath.dirname(posixpath.dirname(name))
    for relationship in list(tree.iter(f"{_RELS}Relationship")):
        if relationship.get("TargetMode", "Internal") != "Internal":
            kind = relationship.get("Type", "").rsplit("/", 1)[-1] or "relationship"
            raise _refused(
                path,
                f"part {name} (line {relationship.sourceline}) has an external {kind} "
                "relationship, which Word would fetch from outside the document",
                _HINT,
            )
        target = posixpath.normpath(posixpath.join(folder, relationship.get("Target", "")))
        if target.lstrip("/") not in names:
            relationship.getparent().remove(relationship)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _refuse_fetching_fields(path: Path, name: str, content: bytes) -> None:
    """A field such as INCLUDEPICTURE "http://…" is an error: Word would fetch it."""
    tree = _parse(path, name, content)
    instructions = [(e.get(f"{_W}instr", ""), e.sourceline) for e in tree.iter(f"{_W}fldSimple")]
    # a complex field's instruction may be split over runs: joined up to its next fldChar
    current: list | None = None
    for element in tree.iter(f"{_W}fldChar", f"{_W}instrText"):
        if element.tag == f"{_W}instrText":
            current = current or ["", element.sourceline]
            current[0] += element.text or ""
        elif current is not None:
            instructions.append((current[0], current[1]))
            current = None
    if current is not None:
        instructions.append((current[0], current[1]))
    for instruction, line in instructions:
        found = FETCHING_FIELDS.search(instruction)
        if found:
            raise _refused(
                path,
                f"part {name} (line {line}) has the field {found.group(1).upper()}, which "
                "Word would fetch from outside the document",
                _HINT,
            )


def _settings(path: Path, name: str, content: bytes) -> bytes:
    """Settings without an attached template (a .dotm Word would look for)."""
    tree = _parse(path, name, content)
    for element in list(tree.iter(f"{_W}attachedTemplate")):
        element.getparent().remove(element)
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", standalone=True)


def _refused(path: Path, message: str, hint: str) -> ContentError:
    return ContentError([Problem(path, 1, 1, message, hint)])
