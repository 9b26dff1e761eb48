"""Text preparation for print: the small typography WeasyPrint's line breaker and
the YAML cannot give on their own.

It works on the rendered HTML of one edition, on text nodes only, and adds only
markup (spans) and zero-width break controls (U+200B, and U+2060 in pdf_lines),
which Pango draws as nothing, so the PDF's text layer stays what the brief says
(searchable, copyable, read aloud as written):

- clreq line breaking (W3C *Requirements for Chinese Text Layout*): a note call
  is bound to the characters before it and the closing marks after it (a call
  never drags `。` to a line start); numbers stay with their units (`2024年`,
  `第19位`); a paragraph's last two characters stay together (no lone character).
- Unicode's line breaking never breaks beside a curly quote (class QU), so
  `的“Ensemble”项目` was one unbreakable unit and the line before it was set in
  holes; clreq lets a line break before an opening quote and after a closing one,
  so a zero-width space marks those breaks between Chinese and a quote.
- Adjacent full-width punctuation (`」：`, `），`, `》（`) is compressed with the
  font's `halt` feature on one of the two marks.
- English (Chicago): straight quotes become curly ones, number ranges and
  `Hong Kong–Shenzhen` take an en dash.

Only the PDF uses it: Word applies its own kinsoku rules to the DOCX.
"""

from __future__ import annotations

import html
import re

#: Han characters (CJK ideographs and their extensions and compatibility forms).
HAN_CHARS = r"\u3400-\u9fff\uf900-\ufaff"
#: What a Chinese font sets full-width: Han, CJK punctuation, kana, full-width forms.
FULL_WIDTH_CHARS = "\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"
CLOSING = "，。、；：？！）」』》〉】〕"
OPENING = "（「『《〈【〔"
UNITS = "年月日位個个家名項项間间宗億亿萬万倍元歲岁次條条份人週周季號号%％"

#: A number with its unit, or an ordinal (`第19位`), kept on one line.
NUMBER_UNIT = re.compile(rf"第?\d[\d,.]*\s?[{UNITS}]+")
NUMBER_AT_END = re.compile(rf"第?\d[\d,.]*\s?[{UNITS}]+$")
#: A joining symbol (`人工智能+金融`, `Z/Yen`, `業務／產品`, `2025–2027`) with what it joins:
#: no break on either side of it, and none before it (clreq: it never starts a line).
JOINERS = "+\uff0b/\uff0f\u00b7\u30fb\u2027&\u2013"
JOINED = re.compile(rf"(?=([{HAN_CHARS}A-Za-z0-9][{JOINERS}]+[{HAN_CHARS}A-Za-z0-9]?))")
#: A paragraph's last two characters and the marks after them (with a joined word
#: before them: `人工智能+金融」` ends as `能+金融」`).
LAST_TWO = re.compile(rf"(?:[{HAN_CHARS}A-Za-z0-9][{JOINERS}]+)?[{HAN_CHARS}]{{2}}[{CLOSING}]*$")
#: Where clreq allows a break beside a curly quote in Chinese text and Unicode does not.
QUOTE_BREAK = re.compile(
    rf"(?<=[{HAN_CHARS}{CLOSING}])(?=[\u201c\u2018])|(?<=[\u201d\u2019])(?=[{HAN_CHARS}{OPENING}])"
)
#: Break controls written into the text (U+200B here, U+2060 by pdf_lines): zero width,
#: drawn as nothing; what reads the text as text (the PDF's bookmarks) takes them out.
BREAK_CONTROLS = "\u200b\u2060"
ADDRESS = re.compile(r"\S*(?:://|www\.)\S*")
#: Curly quotes, full-width in Chinese text (zh-Hans writes “” where zh-Hant writes 「」).
QUOTE_OPENING = "\u201c\u2018"
QUOTE_CLOSING = "\u201d\u2019"
#: Two full-width marks in a row: the first is set half-width (an opening pair: the second).
#: A quote counts only beside a Chinese mark, so English text is never touched; the
#: zero-width space QUOTE_BREAK put between them does not part them.
PUNCTUATION_PAIR = re.compile(
    rf"[{CLOSING}{QUOTE_CLOSING}](?=\u200b?[{CLOSING}{OPENING}])"
    rf"|[{CLOSING}](?=\u200b?[{QUOTE_OPENING}])"
    rf"|(?<=[{OPENING}{QUOTE_OPENING}])[{OPENING}]|(?<=[{OPENING}])[{QUOTE_OPENING}]"
)
#: A closing bracket after a Latin run (「Ensemble」, （HKMA）, zh-Hans “DART”支柱) is set
#: half-width: full width, 「Ensemble」 is too wide for the end of a narrow line, which
#: is then stretched into holes (clreq's push-in would squeeze this mark). The opening
#: one keeps its width: at a line start, half-width would set it past the margin.
LATIN_BRACKET = re.compile(
    rf"(?<=[A-Za-z.])(?:[」』）]|[{QUOTE_CLOSING}](?=\u200b|[{HAN_CHARS}{CLOSING}{OPENING}]))"
)
#: A straight quote, by whether it opens, as a curly one.
CURLY = {
    ('"', True): "\u201c",
    ('"', False): "\u201d",
    ("'", True): "\u2018",
    ("'", False): "\u2019",
}
RANGE = re.compile(r"(?<![\d-])(\d{1,4})-(\d{1,4})(?![\d-])")
TAG = re.compile(r"(<[^>]+>)")
CALL_START = re.compile(r'<(span) class="footnote"|<(sup) class="note-ref"')
#: The end of a passage or of a run inside one (a heading's language span, a link).
BLOCK_END = re.compile(r"</(p|dd|dt|li|td|th|figcaption|caption|h[1-6]|span|a)>")
PASSAGE_END = re.compile(r"</(p|dd|dt|li|td|th|figcaption|caption|h[1-6])>")
INLINE_END = re.compile(r"</(span|a|sup|em|strong|b|i)>")
PASSAGE_START = re.compile(r"<(p|dd|dt|li|td|th|figcaption|caption|h[1-6])[\s>]")


def prepare(document: str) -> str:
    """The edition's HTML with print typography applied to its body."""
    head, marker, body = document.partition("<body")
    if not marker:
        return document
    tokens = TAG.split(marker + body)
    quotes = QuoteState()
    for index in range(0, len(tokens), 2):  # English first: calls then take curly quotes
        if index and PASSAGE_START.match(tokens[index - 1]):
            quotes.previous = " "
        text = _english(html.unescape(tokens[index]), quotes)
        tokens[index] = html.escape(text, quote=False)
    tokens = _bind_calls(tokens)
    neighbours = _neighbours(tokens)
    out = []
    for index, token in enumerate(tokens):
        if index % 2 == 1:  # a tag
            out.append(token)
            continue
        closing_next = index + 1 < len(tokens) and BLOCK_END.match(tokens[index + 1])
        before, after = neighbours[index]
        out.append(_text(token, bool(closing_next), _ends_passage(tokens, index), before, after))
    return head + "".join(out)


def _neighbours(tokens: list[str]) -> dict[int, tuple[str, str]]:
    """For each text token, the characters just before and after it in its passage:
    `〉` then `。` may sit in two elements (a cited title, then the sentence's end) and
    still be a pair of marks that clreq sets in 1.5 em."""
    found: dict[int, list[str]] = {index: ["", ""] for index in range(0, len(tokens), 2)}
    for order, side in ((range(0, len(tokens)), 0), (range(len(tokens) - 1, -1, -1), 1)):
        seen = ""
        for index in order:
            token = tokens[index]
            if index % 2 == 1:
                if PASSAGE_START.match(token) or PASSAGE_END.match(token) or "<br" in token:
                    seen = ""
                continue
            found[index][side] = seen
            text = html.unescape(token)
            if text:
                seen = text[-1] if side == 0 else text[0]
    return {index: (pair[0], pair[1]) for index, pair in found.items()}


class QuoteState:
    """The character before the current text node, for quotes that start a node."""

    def __init__(self) -> None:
        self.previous = " "


def _ends_passage(tokens: list[str], index: int) -> bool:
    """Whether the text at `tokens[index]` is the last of its passage (only closing
    inline tags and empty text follow, up to the passage's end tag)."""
    for after in range(index + 1, len(tokens)):
        token = tokens[after]
        if after % 2 == 0:
            if token.strip():
                return False
        elif PASSAGE_END.match(token):
            return True
        elif not INLINE_END.match(token):
            return False
    return False


def _text(
    escaped: str, bind_end: bool, passage_end: bool = False, before: str = "", after: str = ""
) -> str:
    """One text token typeset; `before` and `after` are the passage's characters on
    either side of it (see _neighbours)."""
    if not escaped:
        return escaped
    text = QUOTE_BREAK.sub("\u200b", html.unescape(escaped))
    tail = ""
    if bind_end and (match := LAST_TWO.search(text)):
        text, tail = text[: match.start()], text[match.start() :]
    if not tail:
        return _marked(text, passage_end, before, after)
    bound = _marked(tail, passage_end, text[-1:] or before, after)
    return _marked(text, False, before, tail[:1]) + f'<span class="nobr">{bound}</span>'


def _marked(text: str, passage_end: bool = False, before: str = "", after: str = "") -> str:
    """Escaped text with number-unit bindings and compressed punctuation pairs; a
    passage's last closing mark is set half-width too (clreq allows it at a line end,
    and its blank half ends the passage anyway), so a bound tail such as `發布²⁰。`
    fits the line before instead of leaving that line to be stretched into holes."""
    out = []
    position = 0
    spans = _merged(
        [(m.start(), m.end()) for m in NUMBER_UNIT.finditer(text)]
        + [m.span(1) for m in JOINED.finditer(text) if not _in_address(text, m.start())]
    )
    spans += [
        (start, end, "halt")
        for pattern in (PUNCTUATION_PAIR, LATIN_BRACKET)
        for start, end in _matches(pattern, text, before, after)
    ]
    last = len(text.rstrip()) - 1
    if passage_end and last >= 0 and text[last] in CLOSING:
        spans.append((last, last + 1, "halt"))
    spans = sorted(set(spans))
    for start, end, kind in spans:
        if start < position:  # a mark inside a number-unit run: leave it
            continue
        out.append(html.escape(text[position:start], quote=False))
        out.append(f'<span class="{kind}">{html.escape(text[start:end], quote=False)}</span>')
        position = end
    out.append(html.escape(text[position:], quote=False))
    return "".join(out)


def _matches(pattern: re.Pattern, text: str, before: str, after: str) -> list[tuple[int, int]]:
    """Spans of `pattern` in `text`, its lookarounds seeing the neighbouring characters."""
    window = before + text + after
    shift = len(before)
    return [
        (m.start() - shift, m.end() - shift)
        for m in pattern.finditer(window)
        if shift <= m.start() and m.end() <= shift + len(text)
    ]


def _in_address(text: str, index: int) -> bool:
    """Whether `index` falls in a web address (its slashes are break points)."""
    return any(m.start() <= index < m.end() for m in ADDRESS.finditer(text))


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """Overlapping no-break runs (`2024/2025年`, `A/B/C`) joined into one."""
    out: list[tuple[int, int, str]] = []
    for start, end in sorted(spans):
        if out and start < out[-1][1]:
            out[-1] = (out[-1][0], max(end, out[-1][1]), "nobr")
        else:
            out.append((start, end, "nobr"))
    return out


def _english(text: str, quotes: QuoteState) -> str:
    """Curly quotes and en dashes; Chinese text has neither straight quotes nor ranges
    of this form, so the text's language does not need to be known."""
    if "://" in text:  # an address: its characters are not typography
        return text
    chars = []
    previous = quotes.previous
    for char in text:
        if char in "\"'":
            opening = previous.isspace() or previous in "([{\u2014\u2013/"
            char = CURLY[char, opening]
        chars.append(char)
        previous = char
    if text:
        quotes.previous = previous
    result = "".join(chars)
    result = RANGE.sub("\\1\u2013\\2", result)
    return result.replace("Hong Kong-Shenzhen", "Hong Kong\u2013Shenzhen")


def _bind_calls(tokens: list[str]) -> list[str]:
    """Wrap each note call with the one or two characters before it and the closing
    marks after it in a no-break span (clreq: a call never starts a line)."""
    out = list(tokens)
    index = 1
    while index < len(out):
        match = CALL_START.match(out[index])
        if not match or index < 1:
            index += 2
            continue
        name = match.group(1) or match.group(2)
        end = _closing(out, index, name)
        before = html.unescape(out[index - 1])
        keep = 2 if re.search(rf"[{HAN_CHARS}]{{2}}$", before) else 1
        if number := NUMBER_AT_END.search(before):  # `1,200家` + call: the whole figure
            keep = max(keep, len(number.group()))
        if not before or before[-1].isspace():
            keep = 0
        after = html.unescape(out[end + 1]) if end + 1 < len(out) else ""
        marks = len(after) - len(after.lstrip(CLOSING + ".,;:!?)\u201d\u2019"))
        out[index - 1] = html.escape(before[: len(before) - keep], quote=False)
        # A note reference (the bilingual Chinese column) is a plain <sup>: the hair
        # space CSS gives a footnote call is written here (`4,694` + 10 ≠ `4,69410`).
        space = "\u200a" if name == "sup" else ""
        out[index] = (
            '<span class="nobr">' + html.escape(before[len(before) - keep :] + space, quote=False)
        ) + out[index]
        out[end] = out[end] + _closing_marks(after[:marks], out, end) + "</span>"
        if end + 1 < len(out):
            out[end + 1] = html.escape(after[marks:], quote=False)
        index = end + 2
    return out


def _closing_marks(marks: str, tokens: list[str], end: int) -> str:
    """The marks after a call, escaped; the passage's last one half-width (see `_marked`)."""
    rest = html.unescape(tokens[end + 1]) if end + 1 < len(tokens) else ""
    last_of_passage = not rest[len(marks) :].strip() and _ends_passage(tokens, end + 1)
    if marks and marks[-1] in CLOSING and last_of_passage:
        return (
            html.escape(marks[:-1], quote=False)
            + f'<span class="halt">{html.escape(marks[-1], quote=False)}</span>'
        )
    return html.escape(marks, quote=False)


def _closing(tokens: list[str], start: int, name: str) -> int:
    """The index of the tag closing the element opened at `tokens[start]`."""
    depth = 0
    for index in range(start, len(tokens), 2):
        tag = tokens[index]
        if tag.startswith(f"<{name}") and not tag.endswith("/>"):
            depth += 1
        elif tag == f"</{name}>":
            depth -= 1
            if depth == 0:
                return index
    return start
