"""Citations: `[@source-id]` in Markdown becomes a footnote naming the source.

A footnote is written as an inline `<span class="footnote">` at the place of the
call. WeasyPrint floats it to the foot of the page (CSS `float: footnote`) and
numbers it; the DOCX writer turns the same span into a Word footnote. Both
number in document order, so the two formats agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markupsafe import Markup, escape

from briefgen.edition.i18n import Messages, partial_date
from briefgen.project.model import CITATION_GROUP, FIGURE_REFERENCE, Source, SourceRegister


def format_source(source: Source, lang: str, messages: Messages) -> str:
    """One source in the reader's language: publisher, author, title, kind, date."""
    parts: list[str] = []
    if source.publisher:
        parts.append(source.publisher.get(lang))
    if source.author:
        parts.append(source.author.get(lang))
    own_title = source.title.get(source.language)
    if source.language == lang or (source.language[:2] == lang[:2] == "zh"):
        # One script of Chinese read in the other: the same title, converted.
        parts.append(messages.t("title_quoted", lang, title=source.title.get(lang)))
    else:
        parts.append(
            messages.t(
                "title_translated", lang, title=own_title, translation=source.title.get(lang)
            )
        )
    parts.append(messages.t(f"kind_{source.kind}", lang))
    if source.date:
        date = partial_date(source.date, lang)
        parts.append(messages.t(f"date_{source.date_role}", lang, date=date))
    else:
        parts.append(messages.t("undated", lang))
    return messages.t("list_separator", lang).join(parts)


class Citer:
    """Formats citation groups as footnotes for one document in one language."""

    def __init__(self, register: SourceRegister, messages: Messages, lang: str):
        self.register = register
        self.messages = messages
        self.lang = lang
        self.count = 0
        #: Source ids in order of first citation.
        self.cited: list[str] = []

    def note_text(self, source_ids: list[str]) -> str:
        join = self.messages.t("citation_join", self.lang)
        texts = [
            format_source(self.register.sources[i], self.lang, self.messages) for i in source_ids
        ]
        return join.join(texts) + self.messages.t("citation_end", self.lang)

    def footnote(self, source_ids: list[str]) -> Markup:
        """The inline HTML of one footnote (the call is generated where it stands)."""
        self.count += 1
        self.cited.extend(i for i in source_ids if i not in self.cited)
        return Markup('<span class="footnote" data-sources="{}">{}</span>').format(
            " ".join(source_ids), self.note_text(source_ids)
        )


class SharedNoteCiter(Citer):
    """The footnotes of a bilingual edition: one note per citation, naming the
    source in every language of the edition."""

    def __init__(self, register: SourceRegister, messages: Messages, languages: tuple[str, ...]):
        super().__init__(register, messages, languages[0])
        self.languages = languages

    def note_text(self, source_ids: list[str]) -> str:
        texts = []
        for lang in self.languages:
            join = self.messages.t("citation_join", lang)
            sources = [
                format_source(self.register.sources[i], lang, self.messages) for i in source_ids
            ]
            texts.append(join.join(sources) + self.messages.t("citation_end", lang))
        return " ".join(texts)

    def footnote(self, source_ids: list[str]) -> Markup:
        """The note, keyed (`data-note`) so that the other column's calls can be
        numbered in document order once the edition is rendered."""
        self.count += 1
        self.cited.extend(i for i in source_ids if i not in self.cited)
        return Markup('<span class="footnote" data-sources="{}" data-note="{}">{}</span>').format(
            " ".join(source_ids), self.count, self.note_text(source_ids)
        )


class NoteReferenceCiter(Citer):
    """The other column of a bilingual edition: it calls the notes the first column
    sets. Each call names its note by key (`data-note`); the number it shows is
    set after rendering, from where the note stands in the document
    (`render.number_note_calls`), so a template that reorders sections keeps them right."""

    def footnote(self, source_ids: list[str]) -> Markup:
        self.count += 1
        self.cited.extend(i for i in source_ids if i not in self.cited)
        return Markup('<sup class="note-ref" data-sources="{}" data-note="{}">{}</sup>').format(
            " ".join(source_ids), self.count, self.count
        )


def _citation_rule(state: StateInline, silent: bool) -> bool:
    """markdown-it inline rule: `[@a]` or `[@a; @b]` at the current position."""
    if state.src[state.pos : state.pos + 2] != "[@":
        return False
    match = CITATION_GROUP.match(state.src, state.pos)
    if not match:
        return False
    if not silent:
        token = state.push("citation", "", 0)
        token.meta = {"ids": [part.strip().lstrip("@") for part in match.group(1).split(";")]}
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
        return str(env["citer"].footnote(tokens[idx].meta["ids"]))

    def render_figure(self, tokens, idx, options, env) -> str:
        meta = tokens[idx].meta
        return str(escape(env["figure"](meta["dataset"], meta["reference"])))

    md.add_render_rule("citation", render_citation)
    md.add_render_rule("figure_reference", render_figure)
    return md


class InlineMarkdown:
    """Renders one paragraph's Markdown (inline only): citations become footnotes and
    figure references the figure itself, formatted for the reader's language."""

    def __init__(self, citer: Citer, figure: Callable[[str, str], str]):
        self.citer = citer
        self.figure = figure
        self.md = markdown_renderer()

    def __call__(self, text: str) -> Markup:
        # Spaces before a footnote call would show as a gap before the number.
        text = re.sub(r"\s+(?=\[@)", "", text.strip())
        return Markup(self.md.renderInline(text, {"citer": self.citer, "figure": self.figure}))
