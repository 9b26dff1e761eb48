"""Evidence: every figure a cited sentence states is in what it cites.

For every sentence (or list item) of a brief, in every authored language:

- each figure it states (`parity.extract`: numbers, percentages, amounts, ranks,
  years and dates, normalised across languages) must occur in a quote of one of
  its citations (`[@id, "the source's words"]`) or, for a citation without a
  quote, in the archived text of the cited source;
- each quote must occur in the archived text of its source (whitespace and the
  width of punctuation do not matter; `…` separates fragments found in order);
- a figure in a sentence without a citation is an error, unless the text is the
  author's own assessment (a paragraph's `assessment: true`, the brief's
  `assessment:` list), which may state no figure at all.

The archive is the folder the register's `archive:` names (or the environment
variable BRIEFGEN_SOURCE_ARCHIVE). A clone may lack it: then nothing is verified
and one warning says how many citations could not be.
"""

from __future__ import annotations

import contextvars
import functools
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from briefgen.errors import Problem
from briefgen.project.document import Document
from briefgen.project.load import parse_yaml
from briefgen.project.model import (
    AUTHORED_LANGUAGES,
    CITATION_GROUP,
    FIGURE_REFERENCE,
    Brief,
    Bullets,
    Paragraph,
    SourceRegister,
    Text,
    citation_items,
)
from briefgen.project.parity import Figure, extract, normalise
from briefgen.project.paths import ARCHIVE_VARIABLE, Project

#: A source text larger than this is not read (an archive holds articles, not books).
MAX_SOURCE_BYTES = 2_000_000

#: Where an English sentence ends: . ! ? before a space, except after an abbreviation.
_ABBREVIATIONS = "".join(
    rf"(?<!\b{word}\.)"
    for word in ("No", "Nos", "e.g", "i.e", "Mr", "Ms", "Dr", "St", "vs", "[A-Z]")
)
_SENTENCE_END = re.compile(r"(?<=[.!?])" + _ABBREVIATIONS + r"\s+|(?<=[。！？])")
_CALL = re.compile(r"\x00(\d+)\x00")
_CALL_WITH_SPACE = re.compile(r"\s*\x00\d+\x00")


@dataclass
class Stats:
    """What the check saw in one brief (`briefgen check --evidence`)."""

    citations: int = 0
    figures: int = 0
    figures_verified: int = 0
    quotes: int = 0
    quotes_verified: int = 0
    unverifiable: int = 0  #: citations whose source text is not in the archive

    @property
    def lost(self) -> int:
        return self.unverifiable


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, Stats] = field(default_factory=dict)

    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "error"]

    def warnings(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.severity == "warning"]

    def table(self) -> str:
        """Per brief: citations, figures, figures verified, quotes verified."""
        header = ("brief", "citations", "figures", "verified", "quotes", "verified", "unverifiable")
        rows = [
            (name, s.citations, s.figures, s.figures_verified, s.quotes, s.quotes_verified, s.lost)
            for name, s in sorted(self.stats.items())
        ]
        widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
        lines = [
            "  ".join(
                str(cell).ljust(width) if i == 0 else str(cell).rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
            for row in [header, *rows]
        ]
        return "\n".join(lines)


class Archive:
    """The archived texts of the registered sources, read once each, normalised."""

    def __init__(self, folder: Path | None, register: SourceRegister):
        self.folder = folder
        self.register = register
        self._texts: dict[str, str | None] = {}
        self._figures: dict[str, list[Figure]] = {}

    @property
    def present(self) -> bool:
        return self.folder is not None and self.folder.is_dir()

    def text(self, source_id: str) -> str | None:
        """The source's text, or None when the archive or the file is missing."""
        if source_id not in self._texts:
            self._texts[source_id] = self._read(source_id)
        return self._texts[source_id]

    def _read(self, source_id: str) -> str | None:
        source = self.register.sources.get(source_id)
        if source is None or source.file is None or not self.present:
            return None
        assert self.folder is not None
        folder = self.folder.resolve()
        path = (folder / source.file).resolve()
        # Only a regular file inside the archive folder, of a sane size.
        if not path.is_relative_to(folder) or not path.is_file():
            return None
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8", errors="replace")

    def figures(self, source_id: str) -> list[Figure] | None:
        text = self.text(source_id)
        if text is None:
            return None
        if source_id not in self._figures:
            self._figures[source_id] = extract(text, spelled=True, source=True)
        return self._figures[source_id]

    def describe(self, source_id: str) -> str:
        source = self.register.sources.get(source_id)
        return source.file if source is not None and source.file else "no archived text"


def archive_folder(project: Project, register: SourceRegister) -> Path | None:
    """The folder of archived source texts: the environment's, else the register's."""
    configured = os.environ.get(ARCHIVE_VARIABLE) or register.archive
    if not configured:
        return None
    return (project.root / configured).resolve()


_CORNER_QUOTES = str.maketrans({"「": '"', "」": '"', "『": "'", "』": "'"})


@functools.lru_cache(maxsize=256)  # each source text is squashed once, not once per quote
def _squash(text: str) -> str:
    """A text for finding a quote in a source: normalised, without whitespace, folded."""
    return re.sub(r"\s+", "", normalise(text).translate(_CORNER_QUOTES)).casefold()


def quote_in(quote: str, source_text: str) -> bool:
    """Whether a quote occurs in a source; `…` or `...` separates fragments in order."""
    haystack = _squash(source_text)
    start = 0
    for fragment in re.split(r"…|\.\.\.", quote):
        needle = _squash(fragment)
        if not needle:
            continue
        found = haystack.find(needle, start)
        if found < 0:
            return False
        start = found + len(needle)
    return True


@dataclass
class Sentence:
    text: str  #: without its citations
    citations: list[tuple[str, str | None]]


def sentences(text: str) -> list[Sentence]:
    """A text's sentences, each with the citations it carries."""
    groups: list[list[tuple[str, str | None]]] = []

    def hide(match: re.Match) -> str:
        groups.append(citation_items(match.group(1)))
        return f"\x00{len(groups) - 1}\x00"

    hidden = CITATION_GROUP.sub(hide, text)
    found: list[Sentence] = []
    for part in _SENTENCE_END.split(hidden):
        leading = re.match(r"(?:\s*\x00\d+\x00)+", part)
        if found and leading:  # "… hub. [@x] Next …": the call ends the sentence before
            calls = _CALL.findall(leading.group(0))
            found[-1].citations.extend(item for n in calls for item in groups[int(n)])
            part = part[leading.end() :]
        cited = [item for number in _CALL.findall(part) for item in groups[int(number)]]
        plain = _CALL_WITH_SPACE.sub("", part).strip()  # "hub [@x]." reads "hub."
        if plain or cited:
            found.append(Sentence(plain, cited))
    return found


@dataclass
class Unit:
    """One text to check: where it is, what it says, whether it is an assessment."""

    path: list[str | int]
    text: str
    assessment: bool = False
    #: Citations that cover the whole text (a key figure's or a dataset's `source`).
    sources: list[str] = field(default_factory=list)


def units(brief: Brief) -> Iterator[Unit]:
    """Every text of a brief that can state a figure, in every authored language."""
    for lang in AUTHORED_LANGUAGES:
        for index, text in enumerate(brief.summary):
            yield Unit(["summary", index, lang], text.get(lang))
        for index, text in enumerate(brief.plain_summary or []):
            yield Unit(["plain_summary", index, lang], text.get(lang))
        for index, item in enumerate(brief.assessment):
            yield Unit(["assessment", index, lang], item.get(lang), assessment=True)
        for index, figure in enumerate(brief.key_figures):
            for part in ("value", "label"):
                text = getattr(figure, part).get(lang)
                yield Unit(["key_figures", index, part, lang], text, sources=[figure.source])
        for s, section in enumerate(brief.sections):
            for b, block in enumerate(section.blocks):
                where: list[str | int] = ["sections", s, "blocks", b]
                if isinstance(block, Paragraph):
                    for key in ("paragraph", "plain"):
                        wording: Text | None = getattr(block, key)
                        if wording is not None:
                            yield Unit([*where, key, lang], wording.get(lang), block.assessment)
                elif isinstance(block, Bullets):
                    for key in ("bullets", "plain"):
                        for k, item in enumerate(getattr(block, key) or []):
                            yield Unit([*where, key, k, lang], item.get(lang))
        for name, dataset in brief.data.items():
            texts: list[tuple[list[str | int], Text]] = [
                (["categories", i], category) for i, category in enumerate(dataset.categories)
            ]
            if dataset.note:
                texts.append((["note"], dataset.note))
            for k, series in enumerate(dataset.series):
                for v, value in enumerate(series.values):
                    where = ["data", name, "series", k, "values", v]
                    if isinstance(value, Text):
                        texts.append((where[2:], value))
                    elif lang == "en":  # a number is the same in every language
                        yield Unit(where, _number(value), sources=[dataset.source])
            for where, text in texts:
                yield Unit(["data", name, *where, lang], text.get(lang), sources=[dataset.source])


class Checker:
    """Checks the units of one brief against the archive."""

    def __init__(self, document: Document, brief: Brief, archive: Archive):
        self.document = document
        self.brief = brief
        self.archive = archive
        self.stats = Stats()
        self.problems: list[Problem] = []
        self._lines = document.text.splitlines()  # the text the tree was parsed from

    def run(self) -> None:
        for unit in units(self.brief):
            self.unit(unit)

    def resolve(self, text: str) -> str:
        """`{=dataset.key}` as the figure it names (45%, 1), so it is checked too."""

        def value(match: re.Match) -> str:
            dataset = self.brief.data.get(match.group(1))
            try:
                number, unit = dataset.value(match.group(2)) if dataset else (None, "")
            except KeyError:
                return " "
            if number is None:
                return " "
            return _number(number) + ("%" if unit == "percent" else "")

        return FIGURE_REFERENCE.sub(value, text)

    def unit(self, unit: Unit) -> None:
        for sentence in sentences(self.resolve(unit.text)):
            citations = [*sentence.citations, *((i, None) for i in unit.sources)]
            figures = extract(sentence.text, spelled=True)
            self.stats.citations += len(sentence.citations)
            for source_id, quote in sentence.citations:
                if quote is not None:
                    self.quote(unit, source_id, quote)
            if unit.assessment:
                for figure in figures:
                    self.error(
                        unit,
                        figure,
                        f"the author's assessment states the figure '{figure.text}': "
                        f"{_shown(sentence.text)}",
                        "an assessment states no figures; put the figure in a cited sentence",
                    )
                continue
            if not figures:
                continue
            if not citations:
                for figure in figures:
                    self.stats.figures += 1
                    self.error(
                        unit,
                        figure,
                        f"the figure '{figure.text}' has no citation: {_shown(sentence.text)}",
                        "cite the source that states it, [@id], or mark the paragraph "
                        "`assessment: true` and state no figure",
                    )
                continue
            self.figures(unit, sentence, figures, citations)

    def figures(
        self,
        unit: Unit,
        sentence: Sentence,
        figures: list[Figure],
        citations: list[tuple[str, str | None]],
    ) -> None:
        pools: list[list[Figure]] = []
        tried: list[str] = []
        unknown = False
        for source_id, quote in citations:
            if quote is not None:
                pools.append(extract(quote, spelled=True, source=True))
                tried.append(f'{source_id} (quote "{_cut(quote, 30)}")')
                continue
            found = self.archive.figures(source_id)
            if found is None:
                unknown = True
                tried.append(f"{source_id} (no archived text)")
                continue
            pools.append(found)
            tried.append(f"{source_id} ({self.archive.describe(source_id)})")
        for figure in figures:
            self.stats.figures += 1
            if any(figure.found_in(pool) for pool in pools):
                self.stats.figures_verified += 1
            elif not unknown:
                self.error(
                    unit,
                    figure,
                    f"the figure '{figure.text}' is not in what the sentence cites: "
                    f"{_shown(sentence.text)} (tried: {', '.join(dict.fromkeys(tried))})",
                    'quote the passage that states it, [@id, "…"], or cite the source that '
                    "states it",
                )
        if unknown:
            self.stats.unverifiable += 1

    def quote(self, unit: Unit, source_id: str, quote: str) -> None:
        self.stats.quotes += 1
        text = self.archive.text(source_id)
        if text is None:
            return
        if quote_in(quote, text):
            self.stats.quotes_verified += 1
            return
        self.error(
            unit,
            Figure(quote),
            f"the quote \"{_cut(quote, 60)}\" is not in source '{source_id}' "
            f"({self.archive.describe(source_id)})",
            "copy the passage exactly from the archived text; mark a gap with …",
        )

    def error(self, unit: Unit, figure: Figure, message: str, hint: str) -> None:
        line, col = self.locate(unit.path, figure.text)
        self.problems.append(Problem(self.document.path, line, col, message, hint))

    def locate(self, path: list[str | int], needle: str) -> tuple[int, int]:
        """The line and column of `needle` in the text at `path` (a folded text spans
        lines), or of the text itself: never in another text, such as the other
        language's below it, and never inside a longer number ('1' in '12')."""
        line, col = self.document.locate(path)
        needle = needle.strip()[:20]
        if not needle:
            return line, col
        pattern = re.compile(
            (r"(?<![\d.,])" if needle[0].isdigit() else "")
            + re.escape(needle)
            + (r"(?![\d,]|\.\d)" if needle[-1].isdigit() else "")
        )
        for number in self._extent(line):
            found = pattern.search(self._lines[number], col - 1 if number == line - 1 else 0)
            if found:
                return number + 1, found.start() + 1
        return line, col

    def _extent(self, line: int) -> range:
        """The lines (0-based) of the scalar whose value starts on `line`: that line
        and those after it that are blank or indented deeper than its key."""
        first = self._lines[line - 1]
        key = len(first) - len(first.lstrip(" -"))
        end = line
        while end < len(self._lines):
            text = self._lines[end]
            if text.strip() and len(text) - len(text.lstrip(" ")) <= key:
                break
            end += 1
        return range(line - 1, end)


def _number(value: float) -> str:
    """A figure as digits: 1200, 2.1 (never 1.2e+06)."""
    return str(int(value)) if value == int(value) else repr(value)


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def _shown(sentence: str) -> str:
    return f'"{_cut(" ".join(sentence.split()), 90)}"'


class KeptOutcomes(Protocol):
    """Each brief's outcome from an earlier run (checkcache.EvidenceCache)."""

    def get(self, brief: str, archive: Path | None) -> tuple[list[Problem], Stats] | None: ...

    def put(self, brief: str, archive: Path | None, problems: list[Problem], stats: Stats): ...


#: Where `check` keeps each brief's outcome, so that after one edit one brief is checked.
kept_outcomes: contextvars.ContextVar[KeptOutcomes | None] = contextvars.ContextVar(
    "kept_outcomes", default=None
)


def check_evidence(project: Project, register: SourceRegister, briefs: dict[str, Brief]) -> Report:
    """Check every brief's figures and quotes against the archived sources."""
    report = Report()
    archive = Archive(archive_folder(project, register), register)
    kept = kept_outcomes.get()
    for name, brief in sorted(briefs.items()):
        outcome = kept.get(name, archive.folder) if kept is not None else None
        if outcome is None:
            document, _ = parse_yaml(project.content / f"{name}.yaml")
            if document is None:
                continue
            checker = Checker(document, brief, archive)
            checker.run()
            outcome = checker.problems, checker.stats
            if kept is not None:
                kept.put(name, archive.folder, *outcome)
        report.problems.extend(outcome[0])
        report.stats[name] = outcome[1]
    unverifiable = sum(stats.unverifiable for stats in report.stats.values())
    if unverifiable:
        report.problems.append(_archive_warning(project, archive, register, unverifiable))
    return report


def _archive_warning(
    project: Project, archive: Archive, register: SourceRegister, count: int
) -> Problem:
    path = project.content / "sources.yaml"
    document, _ = parse_yaml(path)
    line, col = document.locate(["archive"]) if document is not None else (1, 1)
    if not archive.present:
        missing = f"the source archive {archive.folder or '(none configured)'} is missing"
        hint = f"set `archive:` in sources.yaml or {ARCHIVE_VARIABLE} to the folder of texts"
    else:
        absent = [i for i, source in register.sources.items() if archive.text(i) is None]
        missing = f"no archived text for {', '.join(absent)}"
        hint = "give each source a `file:` in the archive folder"
    return Problem(
        path, line, col, f"{missing}: {count} citation(s) could not be verified", hint, "warning"
    )
