"""Citations: `[@source-id]` (optionally `[@id, "quote"]`) becomes a note or a
numbered reference, in the style the audience chooses (`citations:`).

- notes: a footnote, written as an inline `<span class="footnote">` at the place
  of the call. WeasyPrint floats it to the foot of the page (CSS `float:
  footnote`) and numbers it; the DOCX writer turns the same span into a Word
  footnote. Both number in document order, so the two formats agree. The first
  note of a source is its full reference, later ones a short form (publisher or
  author, short title). A paragraph's (or list item's) citations are one note,
  at the last of them, naming each source once; consecutive list items citing the
  same sources share one note (no "ibid." chains).
- notes-with-quotes: the same, each reference followed by the quotes its
  citations carry, so a reader sees the evidence without opening the source.
- source-list: no footnotes; `[n]` links to the n-th entry of the list of
  sources at the end (`<a href="#sources">[n]</a>`, in the DOCX writer's vocabulary).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

from briefgen.edition.i18n import Messages, partial_date
from briefgen.project.model import (
    CITATION_GROUP,
    FIGURE_REFERENCE,
    Source,
    SourceRegister,
    citation_items,
)

#: One citation group, merged: (source id, the quotes cited from it) in order.
Group = list[tuple[str, list[str]]]


def merge(items: list[tuple[str, str | None]]) -> Group:
    """Citation items as a group: each source once, with all the quotes cited from it."""
    merged: dict[str, list[str]] = {}
    for source_id, quote in items:
        quotes = merged.setdefault(source_id, [])
        if quote and quote not in quotes:
            quotes.append(quote)
    return list(merged.items())


def _title(source: Source, lang: str, messages: Messages, short: bool) -> str:
    title = (source.short_title or source.title) if short else source.title
    if short or source.language == lang or source.language[:2] == lang[:2] == "zh":
        # One script of Chinese read in the other: the same title, converted.
        return messages.t("title_quoted", lang, title=title.get(lang))
    return messages.t(
        "title_translated", lang, title=title.get(source.language), translation=title.get(lang)
    )


def format_source(source: Source, lang: str, messages: Messages, short: bool = False) -> str:
    """One source in the reader's language, as far as the source states it: outlet,
    publisher, author, title, kind, date (and what the date is of). The short form
    (notes after the first) is the outlet, publisher or author, and the short title."""
    parts: list[str] = []
    if source.outlet:
        parts.append(messages.t("outlet", lang, name=source.outlet.get(lang)))
    if source.publisher:
        parts.append(source.publisher.get(lang))
    author = source.author.get(lang) if source.author else None
    if author and not (short and parts):
        parts.append(author)
    if short:
        return messages.t("list_separator", lang).join(
            [*parts[:1], _title(source, lang, messages, True)]
        )
    parts.append(_title(source, lang, messages, False))
    parts.append(messages.t(f"kind_{source.kind}", lang))
    if source.date:
        date = partial_date(source.date, lang)
        parts.append(messages.t(f"date_{source.date_of}", lang, date=date))
    else:
        parts.append(messages.t("date_unknown", lang))
    return messages.t("list_separator", lang).join(parts)


class Citer:
    """Formats citation groups for one document in one language, in one style."""

    def __init__(
        self, register: SourceRegister, messages: Messages, lang: str, style: str = "notes"
    ):
        self.register = register
        self.messages = messages
        self.lang = lang
        self.style = style
        #: Notes set so far.
        self.count = 0
        #: Source ids in order of first citation (the numbers of the source list).
        self.cited: list[str] = []

    def footnote(self, source_ids: list[str]) -> Markup:
        """A citation of whole sources (a key figure's, a table's)."""
        return self.call([(source_id, []) for source_id in source_ids])

    def source_line(self, source_id: str) -> str:
        """A source named under a table or chart: in full the first time, then short."""
        short = source_id in self.cited
        if not short:
            self.cited.append(source_id)
        return format_source(self.register.sources[source_id], self.lang, self.messages, short)

    def call(self, group: Group) -> Markup:
        """The inline HTML of one citation group: a note, or a reference to the list."""
        first = [source_id for source_id, _ in group if source_id not in self.cited]
        self.cited.extend(first)
        if self.style == "source-list":
            numbers = ", ".join(str(self.cited.index(source_id) + 1) for source_id, _ in group)
            space = "\u00a0" if self.lang == "en" else ""
            return Markup('{}<a href="#sources">[{}]</a>').format(space, numbers)
        self.count += 1
        return self.note(group, first)

    def note(self, group: Group, first: list[str]) -> Markup:
        return Markup('<span class="footnote" data-sources="{}">{}</span>').format(
            " ".join(source_id for source_id, _ in group), self.note_text(group, first, self.lang)
        )

    def note_text(self, group: Group, first: list[str], lang: str, quotes: bool = True) -> str:
        """A note in `lang`: a full reference for a source cited for the first time,
        a short one after; with notes-with-quotes, each followed by its quotes."""
        texts = []
        for source_id, cited_quotes in group:
            source = self.register.sources[source_id]
            text = format_source(source, lang, self.messages, short=source_id not in first)
            if quotes and cited_quotes and self.style == "notes-with-quotes":
                text = self.messages.t(
                    "quoted", lang, reference=text, quotes=self.quotes(cited_quotes, lang)
                )
            texts.append(text)
        join = self.messages.t("citation_join", lang)
        return join.join(texts) + self.messages.t("citation_end", lang)

    def quotes(self, quotes: list[str], lang: str) -> str:
        return self.messages.t("list_separator", lang).join(
            self.messages.t("quote", lang, quote=quote) for quote in quotes
        )

    def sources_list(self) -> list[Markup]:
        """Every source cited, in full, in order of first citation."""
        return [
            Markup(escape(format_source(self.register.sources[i], self.lang, self.messages)))
            + self.messages.t("citation_end", self.lang)
            for i in self.cited
        ]


class SharedNoteCiter(Citer):
    """The notes of a bilingual edition: one set, each note naming its sources in
    every language of the edition once (and its quotes, in the source's words, once)."""

    def __init__(
        self,
        register: SourceRegister,
        messages: Messages,
        languages: tuple[str, ...],
        style: str = "notes",
    ):
        super().__init__(register, messages, languages[0], style)
        self.languages = languages

    def note(self, group: Group, first: list[str]) -> Markup:
        texts = [self.note_text(group, first, lang, quotes=False) for lang in self.languages]
        quoted = [quote for _, quotes in group for quote in quotes]
        if quoted and self.style == "notes-with-quotes":
            texts.append(self.quotes(quoted, self.lang))
        # Keyed (`data-note`) so that the other column's calls can be numbered in
        # document order once the edition is rendered (`render.number_note_calls`).
        return Markup('<span class="footnote" data-sources="{}" data-note="{}">{}</span>').format(
            " ".join(source_id for source_id, _ in group), self.count, " ".join(texts)
        )

    def sources_list(self) -> list[Markup]:
        end = {lang: self.messages.t("citation_end", lang) for lang in self.languages}
        return [
            Markup(" ").join(
                Markup(escape(format_source(self.register.sources[i], lang, self.messages)))
                + end[lang]
                for lang in self.languages
            )
            for i in self.cited
        ]


class NoteReferenceCiter(Citer):
    """The other column of a bilingual edition: it calls the notes the first column
    sets. Each call names its note by key (`data-note`); the number it shows is
    set after rendering, from where the note stands in the document
    (`render.number_note_calls`), so a template that reorders sections keeps them right."""

    def note(self, group: Group, first: list[str]) -> Markup:
        return Markup('<sup class="note-ref" data-sources="{}" data-note="{}">{}</sup>').format(
            " ".join(source_id for source_id, _ in group), self.count, self.count
        )


def _joined(groups: list[Group]) -> Group:
    """Groups as one: each source once, in order of first citation, with all its quotes."""
    return merge([(i, q) for group in groups for i, quotes in group for q in quotes or [None]])


def collapse(texts: list[str]) -> list[str]:
    """One paragraph's (or one list's) texts with one note per paragraph or list item,
    as Chicago's note style allows: its citations become one, at the last of them,
    naming each source once (with all its quotes). Consecutive list items that cite
    the same sources share one note, at the last of them."""
    found = [list(CITATION_GROUP.finditer(text)) for text in texts]
    merged: list[Group | None] = [
        _joined([merge(citation_items(match.group(1))) for match in matches]) if matches else None
        for matches in found
    ]
    for k in range(len(texts) - 1):
        this, after = merged[k], merged[k + 1]
        if this and after and [i for i, _ in this] == [i for i, _ in after]:
            merged[k + 1], merged[k] = _joined([this, after]), None
    result = []
    for text, matches, group in zip(texts, found, merged, strict=True):
        for number, match in reversed(list(enumerate(matches))):
            if group is not None and number == len(matches) - 1:
                call = "[" + "; ".join(_item(i, quotes) for i, quotes in group) + "]"
                text = text[: match.start()] + call + text[match.end() :]
            else:
                text = text[: match.start()].rstrip() + text[match.end() :]
        result.append(text)
    return result


def _item(source_id: str, quotes: list[str]) -> str:
    return "; ".join(f'@{source_id}, "{quote}"' for quote in quotes) or f"@{source_id}"


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: `[@a]`, `[@a; @b]`, `[@a, "quote"]` at the current position."""
    if state.src[state.pos : state.pos + 2] != "[@":
        return False
    match = CITATION_GROUP.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"group": merge(citation_items(match.group(1)))}
    state.pos = match.end()
    return True


def _figure_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: `{=dataset.category[.series]}`, a figure from the data block."""
    if state.src[state.pos : state.pos + 2] != "{=":
        return False
    match = FIGURE_REFERENCE.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("figure_reference", "", 0)
        token.meta = {"dataset": match.group(1), "reference": match.group(2)}
    state.pos = match.end()
    return True


def markdown_renderer() -> MarkdownIt:
    """CommonMark with raw HTML shown as text, Pandoc-style citations and figure references."""
    md = MarkdownIt("commonmark", {"html": False, "typographer": False})
    md.inline.ruler.before("link", "citation", _citation_rule)
    md.inline.ruler.before("link", "figure_reference", _figure_rule)

    def render_citation(self, tokens, idx, options, env) -> str:
        return str(env["citer"].call(tokens[idx].meta["group"]))

    def render_figure(self, tokens, idx, options, env) -> str:
        meta = tokens[idx].meta
        return str(escape(env["figure"](meta["dataset"], meta["reference"])))

    md.add_render_rule("citation", render_citation)
    md.add_render_rule("figure_reference", render_figure)
    return md


class InlineMarkdown:
    """Renders one paragraph's Markdown (inline only): citations become notes or
    references and figure references the figure itself, formatted for the reader's
    language."""

    def __init__(self, citer: Citer, figure: Callable[[str, str], str]):
        self.citer = citer
        self.figure = figure
        self.md = markdown_renderer()

    def __call__(self, text: str) -> Markup:
        return self.unit([text])[0]

    def unit(self, texts: list[str]) -> list[Markup]:
        """The texts of one paragraph or list, their repeated citations made one note."""
        env = {"citer": self.citer, "figure": self.figure}
        # Spaces before a footnote call would show as a gap before the number.
        cleaned = [re.sub(r"\s+(?=\[@)", "", text.strip()) for text in texts]
        return [Markup(self.md.renderInline(text, env)) for text in collapse(cleaned)]
