"""A parsed YAML file that remembers where each key and item stood.

YAML is read with ruamel.yaml's round-trip loader (through `safeyaml`, which
builds no arbitrary Python objects and bounds what a file may expand to), so a
path such as `sections.2.title.zh-Hant` becomes `content/x.yaml:41:7`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from briefgen.errors import ContentError, Problem, not_utf8
from briefgen.files import UnsafeFile, read_project_file
from briefgen.limits import MAX_YAML_BYTES
from briefgen.project import parsecache, safeyaml


@dataclass(frozen=True)
class Document:
    """A parsed YAML file: its data and where it came from."""

    path: Path
    data: Any
    #: The file's text, for what only the text tells (a value YAML read as a comment).
    text: str = field(default="", repr=False, compare=False)

    def locate(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the deepest node of `path` that exists."""
        node = self.data
        line, col = 1, 1
        for key in path:
            if isinstance(node, CommentedMap) and key in node:
                if key not in (node.lc.data or {}) and not _merged(node, key):
                    break  # added after parsing (a shared dataset): no line of its own here
                line, col = mapping_position(node, key, "value")
                line, col = line + 1, col + 1
                node = node[key]
            elif isinstance(node, CommentedSeq) and isinstance(key, int) and key < len(node):
                line, col = node.lc.item(key)
                line, col = line + 1, col + 1
                node = node[key]
            else:
                # A missing key: point at the mapping that should hold it.
                if isinstance(node, CommentedMap | CommentedSeq) and node.lc.line is not None:
                    line, col = node.lc.line + 1, node.lc.col + 1
                break
        return line, col

    def locate_key(self, path: Sequence[str | int]) -> tuple[int, int]:
        """1-based line and column of the last key of `path` itself (not its value)."""
        parent = self.data
        try:
            for key in path[:-1]:
                parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return self.locate(path)
        if isinstance(parent, CommentedMap) and path[-1] in parent:
            line, col = mapping_position(parent, path[-1], "key")
            return line + 1, col + 1
        return self.locate(path)

    def problem(self, path: Sequence[str | int], message: str, hint: str = "") -> Problem:
        line, col = self.locate(path)
        return Problem(self.path, line, col, message, hint)


def _merged(node: CommentedMap, key: Any) -> bool:
    """Whether `key` came into `node` through a `<<:` merge."""
    for source in getattr(node, "merge", []):
        source = source[1] if isinstance(source, tuple) else source  # by ruamel version
        if isinstance(source, CommentedMap) and key in source:
            return True
    return False


def mapping_position(node: CommentedMap, key: Any, part: str) -> tuple[int, int]:
    """0-based line and column of a key (or its value) in `node`. A key merged in with
    `<<:` has no position of its own in ruamel: it is found in the mapping it came from."""
    try:
        return getattr(node.lc, part)(key)
    except KeyError:
        for source in getattr(node, "merge", []):
            source = source[1] if isinstance(source, tuple) else source  # by ruamel version
            if isinstance(source, CommentedMap) and key in source:
                return mapping_position(source, key, part)
        return node.lc.line or 0, node.lc.col or 0


def read_yaml(path: Path) -> Document:
    """Parse one YAML file safely; any problem becomes a located ContentError."""
    document, problems = parse_yaml(path)
    if problems or document is None:
        raise ContentError(problems)
    return document


def parse_yaml(path: Path, allowed: Path | None = None) -> tuple[Document | None, list[Problem]]:
    """One YAML file and its problems: unreadable, not UTF-8, syntax, size, characters.

    The file must lie in `allowed` (its own folder by default; see files.py).
    The document is None when nothing usable could be read.
    """
    try:
        raw = read_project_file(path, allowed or path.parent, MAX_YAML_BYTES)
    except UnsafeFile as error:
        return None, error.problems
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        return None, [not_utf8(path, raw, error)]
    remembered = _parsed.get((path, raw))
    if remembered is not None:  # the loader and the evidence check read the same briefs
        return remembered[0], list(remembered[1])
    data, problems = _parse(path, raw, text)
    result = _document(path, data, problems, text)
    if len(_parsed) >= _PARSED_MAX:
        _parsed.pop(next(iter(_parsed)))
    _parsed[(path, raw)] = result
    return result[0], list(result[1])


#: Parsed files by path and bytes (the oldest forgotten first): a file is parsed once
#: per process however many checks read it. Documents are read, never changed.
_parsed: dict[tuple[Path, bytes], tuple[Document | None, list[Problem]]] = {}
_PARSED_MAX = 64


def _parse(path: Path, raw: bytes, text: str) -> tuple[Any, list[Problem]]:
    """safeyaml's parse, or the one kept from an earlier run (parsecache.py)."""
    cache = parsecache.current.get()
    kept = cache.get(path, raw) if cache is not None else None
    if kept is not None:
        return kept
    data, problems = safeyaml.parse(path, text)
    if cache is not None and data is not None:
        cache.put(path, raw, data, problems)
    return data, problems


def _document(
    path: Path, data: Any, problems: list[Problem], text: str
) -> tuple[Document | None, list]:
    if problems and data is None:
        return None, problems
    if data is None:
        return None, [Problem(path, 1, 1, "the file is empty", "add the content's keys")]
    return Document(path, data, text), problems
