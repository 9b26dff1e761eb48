"""The DOCX package: the reference document opened, its parts, properties, the zip.

The reference document gives styles, page set-up, numbering, settings and the
font table; its body, its notes and whatever properties its authoring tool left
(`docProps/app.xml` naming "Microsoft Macintosh Word", page and word counts of
the sample body) are replaced. The package is written reproducibly: entries in
sorted order with fixed timestamps, dates from the brief, so the same HTML
gives the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part

from briefgen.errors import BriefgenError
from briefgen.files import write_zip
from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.reference import sanitised_reference

APP_PART = "/docProps/app.xml"
APP_TYPE = "application/vnd.openxmlformats-officedocument.extended-properties+xml"
APP_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"
#: The longest text Word's core properties hold.
PROPERTY_LIMIT = 255


def open_reference(reference: Path) -> DocumentObject:
    """The reference document with its body cleared (its final section settings stay)."""
    if not reference.is_file():
        raise BriefgenError(
            f"{reference}: no reference document "
            "(run `.venv/bin/python scripts/make_reference_docx.py` to create it)"
        )
    package = sanitised_reference(reference)  # reference.py: parts checked, no links out
    try:
        document = Document(package)
    except Exception as error:  # python-docx raises several kinds for a bad file
        raise BriefgenError(f"{reference}: not a Word document ({error})") from None
    ox.clear(document.element.body, keep="sectPr")
    return document


def save_reproducibly(document: DocumentObject, target: Path | io.BytesIO) -> None:
    """Save with entries in sorted order and fixed timestamps: same document, same bytes."""
    buffer = io.BytesIO()
    document.save(buffer)
    buffer.seek(0)
    with zipfile.ZipFile(buffer) as source:
        entries = [(name, source.read(name)) for name in source.namelist()]
    write_zip(target, entries)


def edit_xml_part(document: DocumentObject, reltype: str, edit: Callable) -> None:
    """Parse the part the document relates to by `reltype` with python-docx's parser
    (so our element classes apply), let `edit` change its root, store it back."""
    for rel in document.part.rels.values():
        if rel.reltype == reltype and not rel.is_external:
            part = rel.target_part
            root = getattr(part, "element", None)
            if root is None:
                root = ox.parse_part(part.blob)
                edit(root)
                part._blob = ox.serialize(root)
            else:
                edit(root)
            return


def font_table(document: DocumentObject, edit: Callable) -> None:
    edit_xml_part(document, RT.FONT_TABLE, edit)


# -- pictures --------------------------------------------------------------------


def data_url(value: str) -> tuple[str, bytes]:
    """The media type and bytes of a `data:` URL (base64); ValueError otherwise."""
    match = re.fullmatch(r"data:([\w.+/-]+)(?:;[^,;]*)*;base64,(.*)", value.strip(), re.S)
    if not match:
        raise ValueError("not a base64 data: URL")
    try:
        return match.group(1), base64.b64decode(match.group(2), validate=True)
    except binascii.Error as error:
        raise ValueError(f"bad base64 ({error})") from None


def add_svg_part(document: DocumentObject, svg: bytes) -> str:
    """An SVG picture part; return its relationship id from the document."""
    package = document.part.package
    existing = {str(part.partname) for part in package.iter_parts()}
    number = 1
    while f"/word/media/vector{number}.svg" in existing:
        number += 1
    part = Part(PackURI(f"/word/media/vector{number}.svg"), "image/svg+xml", svg, package)
    return document.part.relate_to(part, RT.IMAGE)


# -- properties ------------------------------------------------------------------


@dataclass
class Properties:
    """What the HTML's head says about the document."""

    title: str = ""
    subject: str = ""
    keywords: str = ""
    author: str = ""
    organisation: str = ""
    created: str | None = None
    language: str = ""  #: the Word language tag: en-GB, zh-HK, zh-CN


def fit(name: str, value: str, warnings: list[str], template: str) -> str:
    """A core property within Word's 255 characters: keywords lose their last entries,
    other texts are shortened (with a warning)."""
    if len(value) <= PROPERTY_LIMIT:
        return value
    if name == "keywords":
        kept = value[: PROPERTY_LIMIT + 1].rsplit(",", 1)[0]
        return kept if len(kept) <= PROPERTY_LIMIT else value[:PROPERTY_LIMIT]
    warnings.append(f"{template}: the {name} is longer than Word's {PROPERTY_LIMIT} characters")
    return value[: PROPERTY_LIMIT - 1] + "…"


def created(value: str | None, warnings: list[str], template: str) -> dt.datetime:
    """The brief's date (dcterms.created), not the time of the build."""
    if value:
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            raise BriefgenError(
                f"{template}: meta dcterms.created {value!r} is not an ISO date"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    warnings.append(
        f'{template}: no <meta name="dcterms.created">; the DOCX is dated '
        + ("SOURCE_DATE_EPOCH" if epoch else "1 January 1980")
    )
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    return dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def set_properties(
    document: DocumentObject, props: Properties, warnings: list[str], template: str
) -> None:
    """docProps/core.xml from the HTML's head; docProps/app.xml naming briefgen and the
    organisation, with no counts (only a layout knows pages and lines)."""
    core = document.core_properties
    core.title = fit("title", props.title, warnings, template)
    core.subject = fit("subject", props.subject, warnings, template)
    core.keywords = fit("keywords", props.keywords, warnings, template)
    core.author = fit("author", props.author, warnings, template)
    core.language = props.language
    core.last_modified_by = core.comments = core.category = ""
    core.revision = 1
    core.created = core.modified = created(props.created, warnings, template)
    blob = ox.app_properties("briefgen", props.organisation)
    package = document.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype == APP_REL:
            del package.rels[rel_id]
    package.relate_to(Part(PackURI(APP_PART), APP_TYPE, blob, package), APP_REL)
