"""Inline HTML (text, emphasis, links, footnotes, caption labels) to Word runs.

Two steps, as Pandoc's writers take them: `InlineReader` turns an element's
inline content into tokens (characters with their formatting, footnotes, line
breaks, fields) and collapses whitespace as a browser does; `RunWriter` turns
tokens into runs. Runs carry only what differs from their paragraph style:
bold, italic, a character style (links, code, caption labels, note calls) and,
for text in another language than the document's, that language. Fonts and
the document's languages live on the styles (see `styles.py`).
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.part import Part
from lxml import etree

from briefgen.writers.docx import oxml as ox
from briefgen.writers.docx.styles import StyleSheet, language_of
from briefgen.writers.docx.vocabulary import refusal

WHITESPACE = " \t\n\r\f"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


@dataclass(frozen=True)
class Fmt:
    """Character formatting that inline elements switch on."""

    bold: bool = False
    italic: bool = False
    code: bool = False
    label: bool = False
    href: str | None = None
    lang: str | None = None  #: an inline element's own `lang`


@dataclass
class Chars:
    text: str
    fmt: Fmt


@dataclass
class Footnote:
    element: etree._Element
    lang: str | None = None


@dataclass
class LineBreak:
    pass


@dataclass
class NoteRef:
    """A second call of a footnote already set (the bilingual edition's Chinese column)."""

    number: int
    fmt: Fmt


@dataclass
class Field:
    instruction: str
    result: str
    fmt: Fmt


Token = Chars | Footnote | LineBreak | Field | NoteRef


@dataclass
class InlineContext:
    in_footnote: bool = False
    seq: str | None = None  #: inside a caption: the kind of caption ("Table", "Figure")


def wide(char: str) -> bool:
    """A Chinese (or Japanese) character, between which a line break vanishes (CSS Text 3)."""
    if "\u1100" <= char <= "\u11ff" or "\u3130" <= char <= "\u318f" or "\uac00" <= char <= "\ud7a3":
        return False  # Hangul keeps its spaces
    return unicodedata.east_asian_width(char) in ("W", "F")


def _is_char(item: object) -> bool:
    return isinstance(item, tuple)


def _strip_leading(sequence):
    """Drop spaces at the start and after line breaks."""
    result = []
    for item in sequence:
        if _is_char(item) and item[0] == " " and (not result or isinstance(result[-1], LineBreak)):
            continue
        result.append(item)
    return result


def collapse_whitespace(tokens: Sequence[Token]) -> list[Token]:
    """Collapse whitespace as a browser does (CSS `white-space: normal`).

    Runs of spaces, tabs and line breaks become one space; a run holding a line
    break between two Chinese characters disappears; spaces at the start and end
    of the paragraph and around a <br> go. Footnote calls and fields count as
    visible content.
    """
    items: list = []
    for token in tokens:
        if isinstance(token, Chars):
            items.extend((char, token.fmt) for char in _CONTROL.sub("", token.text))
        else:
            items.append(token)
    collapsed: list = []
    index = 0
    while index < len(items):
        item = items[index]
        if not (_is_char(item) and item[0] in WHITESPACE):
            collapsed.append(item)
            index += 1
            continue
        end, segment_break = index, False
        while end < len(items) and _is_char(items[end]) and items[end][0] in WHITESPACE:
            segment_break |= items[end][0] in "\n\r"
            end += 1
        before = collapsed[-1] if collapsed else None
        after = items[end] if end < len(items) else None
        between_wide = _is_char(before) and _is_char(after) and wide(before[0]) and wide(after[0])
        if not (segment_break and between_wide):
            collapsed.append((" ", item[1]))
        index = end
    collapsed = list(reversed(_strip_leading(reversed(_strip_leading(collapsed)))))
    out: list[Token] = []
    for item in collapsed:
        if _is_char(item):
            char, fmt = item
            if out and isinstance(out[-1], Chars) and out[-1].fmt == fmt:
                out[-1].text += char
            else:
                out.append(Chars(char, fmt))
        else:
            out.append(item)
    return out


def visible_text(element: etree._Element) -> str:
    """The text of an element as it reads in the line: footnote texts left out."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child.tag, str) and "footnote" not in (child.get("class") or "").split():
            parts.append(visible_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def text_of(tokens: Sequence[Token]) -> str:
    return "".join(t.text if isinstance(t, Chars) else "" for t in tokens)


def seq_name(label: str) -> str:
    """The name of a caption sequence from its label's word: "Table " -> Table, 圖 -> 圖."""
    return re.sub(r"\W+", "_", label.strip()).strip("_")


def classes(element: etree._Element) -> list[str]:
    return (element.get("class") or "").split()


Refuse = Callable[..., Exception]


class InlineReader:
    """Inline HTML to tokens. Its vocabulary is the table `HANDLERS`: (tag, class) ->
    the method that reads it."""

    def __init__(self, template: str, refuse: Refuse, warnings: list[str]):
        self.template = template
        self.refuse = refuse
        self.warnings = warnings
        self.links: list[str] = []  #: internal link targets, checked at the end
        self.counters: dict[str, int] = {}  #: caption sequence -> captions so far
        self.sequences: dict[str, str] = {}  #: kind of caption -> first sequence name

    def inline(self, element: etree._Element, fmt: Fmt, context: InlineContext) -> list[Token]:
        """The inline content of `element`, whitespace collapsed."""
        return collapse_whitespace(self.tokens(element, fmt, context))

    def tokens(self, element: etree._Element, fmt: Fmt, context: InlineContext) -> list[Token]:
        tokens: list[Token] = [Chars(element.text, fmt)] if element.text else []
        for child in element:
            if isinstance(child.tag, str):
                tokens.extend(self.element(child, fmt, context))
            if child.tail:
                tokens.append(Chars(child.tail, fmt))
        return tokens

    def element(self, element: etree._Element, fmt: Fmt, context: InlineContext) -> list[Token]:
        own = language_of(element.get("lang"))
        if own:
            fmt = replace(fmt, lang=own)
        names = classes(element)
        why = refusal(element.tag, names)  # the table `check` reads too
        if why:
            raise self.refuse(element, why)
        handler = self.HANDLERS.get((element.tag, names[0] if names else None))
        if handler is None:
            raise self.refuse(element, "cannot stand here: it is not inline")
        return handler(self, element, fmt, context)

    def _styled(self, **switch: bool):
        def read(self, element, fmt, context):
            return self.tokens(element, replace(fmt, **switch), context)

        return read

    def _break(self, element, fmt, context) -> list[Token]:
        return [LineBreak()]

    def _link(self, element, fmt, context) -> list[Token]:
        href = (element.get("href") or "").strip()
        if href.startswith("#") and len(href) > 1:
            self.links.append(href[1:])
        elif not re.match(r"(https?:|mailto:)", href):
            raise self.refuse(element, f"links to {href!r}; only #id, http(s): and mailto:")
        return self.tokens(element, replace(fmt, href=href), context)

    def _footnote(self, element, fmt, context) -> list[Token]:
        if context.in_footnote:
            raise self.refuse(element, "is a footnote inside a footnote")
        return [Footnote(element, fmt.lang)]

    def _note_ref(self, element, fmt, context) -> list[Token]:
        number = (element.text or "").strip()
        if len(element) or not number.isdigit():
            raise self.refuse(element, "should hold only the number of a footnote")
        return [NoteRef(int(number), fmt)]

    def _plain(self, element, fmt, context) -> list[Token]:
        return self.tokens(element, fmt, context)  # text in another language, or none

    def _label(self, element, fmt, context) -> list[Token]:
        label_fmt = replace(fmt, label=True)
        if context.seq and len(element) == 0:
            return self.caption_label(element.text or "", label_fmt, context.seq)
        return self.tokens(element, label_fmt, context)

    HANDLERS: ClassVar[dict[tuple[str, str | None], Callable]] = {}

    def caption_label(self, text: str, fmt: Fmt, kind: str) -> list[Token]:
        """ "Table 1" -> "Table " + a SEQ Table field showing 1, "表1" -> "表" + SEQ 表:
        Word renumbers captions when tables move and lists them in a table of
        figures. The label's word names the sequence, as in Word's own captions,
        so each language counts its own tables (the bilingual edition)."""
        match = re.fullmatch(r"(.*?)(\d+)(\D*)", text, re.S)
        if not match:
            self.warnings.append(f"{self.template}: caption label {text!r} has no number")
            return [Chars(text, fmt)]
        prefix, number, suffix = match.groups()
        sequence = seq_name(prefix) or kind
        self.sequences.setdefault(kind, sequence)
        self.counters[sequence] = self.counters.get(sequence, 0) + 1
        if int(number) != self.counters[sequence]:
            self.warnings.append(
                f"{self.template}: caption {text.strip()!r} is {sequence} "
                f"{self.counters[sequence]} in document order; Word will renumber it"
            )
        return [
            Chars(prefix, fmt),
            Field(f"SEQ {sequence} \\* ARABIC", number, fmt),
            Chars(suffix, fmt),
        ]


InlineReader.HANDLERS = {
    ("strong", None): InlineReader._styled(None, bold=True),
    ("b", None): InlineReader._styled(None, bold=True),
    ("em", None): InlineReader._styled(None, italic=True),
    ("i", None): InlineReader._styled(None, italic=True),
    ("code", None): InlineReader._styled(None, code=True),
    ("br", None): InlineReader._break,
    ("a", None): InlineReader._link,
    ("span", "footnote"): InlineReader._footnote,
    ("sup", "note-ref"): InlineReader._note_ref,
    ("span", None): InlineReader._plain,
    ("span", "label"): InlineReader._label,
}


class RunWriter:
    """Tokens to runs, in the body, a table cell or a note; footnotes into their part."""

    def __init__(
        self,
        styles: StyleSheet,
        reader: InlineReader,
        footnotes: ox.CT_Footnotes,
        footnotes_part: Part,
        bookmark: Callable[[str], str],
        next_id: Callable[[], int],
    ):
        self.styles = styles
        self.reader = reader
        self.footnotes = footnotes
        self.footnotes_part = footnotes_part
        self.bookmark = bookmark  #: HTML id -> bookmark name
        self.next_id = next_id  #: a fresh bookmark id
        self.note_calls: list[etree._Element] = []  #: the run calling each note, in order

    def emit(self, paragraph: etree._Element, tokens: Sequence[Token], part: Part) -> None:
        """Append the runs of `tokens` to `paragraph` (hyperlinks wrap their runs)."""
        link: etree._Element | None = None
        link_href: str | None = None
        for token in tokens:
            href = token.fmt.href if isinstance(token, Chars | Field) else None
            if href != link_href:
                link, link_href = None, href
                if href:
                    if href.startswith("#"):
                        link = ox.hyperlink(anchor=self.bookmark(href[1:]))
                    else:
                        rel = part.relate_to(href, RT.HYPERLINK, is_external=True)
                        link = ox.hyperlink(relationship_id=rel)
                    paragraph.append(link)
            target = link if link is not None else paragraph
            for run in self.token_runs(token):
                target.append(run)

    def run(self, text: str | None, fmt: Fmt | None = None, char_style: str | None = None):
        """A run with only what differs from its paragraph style."""
        fmt = fmt or Fmt()
        if char_style is None:
            name = "Code" if fmt.code else "Hyperlink" if fmt.href else None
            name = name or ("Caption Label" if fmt.label else None)
            char_style = self.styles.style_id(name, "character") if name else None
        run = ox.new_run(text, char_style)
        if fmt.bold:
            ox.rpr(run).get_or_add_b()
        if fmt.italic:
            ox.rpr(run).get_or_add_i()
        self.styles.mark_language(run, fmt.lang)
        return run

    def token_runs(self, token: Token) -> list[etree._Element]:
        if isinstance(token, Chars):
            return [self.run(token.text, token.fmt)]
        if isinstance(token, LineBreak):
            return [ox.break_run()]
        if isinstance(token, Field):
            return self.field(token.instruction, self.run(token.result, token.fmt))
        if isinstance(token, NoteRef):
            return self.note_reference(token)
        return [self.footnote(token)]

    def field(self, instruction: str, result: etree._Element) -> list[etree._Element]:
        """The runs of a field showing `result`; its other runs are formatted like it."""
        runs = ox.field_runs(instruction, [result])
        properties = result.find(ox.w("rPr"))
        for run in runs:
            if run is not result and properties is not None:
                run.insert(0, copy.deepcopy(properties))
        return runs

    def note_reference(self, token: NoteRef) -> list[etree._Element]:
        """Footnote `number` called again: a NOTEREF field to a bookmark on its first
        call, showing the number as a footnote number (Word's cross-reference)."""
        result = self.run(str(token.number), token.fmt, self.styles.note_mark())
        if not 0 < token.number <= len(self.note_calls):
            self.reader.warnings.append(
                f"{self.reader.template}: a call of footnote {token.number} before the note is set"
            )
            return [result]
        call = self.note_calls[token.number - 1]
        name = f"_RefNote{token.number}"
        if ox.bookmark_before(call) != name:
            ox.add_bookmark(self.next_id(), name, call)
        return self.field(f"NOTEREF {name} \\f \\h", result)

    def footnote(self, note: Footnote) -> etree._Element:
        """Write the note into footnotes.xml; return the run that calls it."""
        note_id, paragraph = ox.add_footnote(
            self.footnotes, self.styles.style_id("footnote text"), self.styles.note_mark()
        )
        tokens = self.reader.inline(note.element, Fmt(lang=note.lang), InlineContext(True))
        if not text_of(tokens).strip():
            raise self.reader.refuse(note.element, "is an empty footnote")
        self.emit(paragraph, tokens, self.footnotes_part)
        call = ox.footnote_reference_run(note_id, self.styles.note_mark())
        self.styles.mark_language(call, note.lang)
        self.note_calls.append(call)
        return call
