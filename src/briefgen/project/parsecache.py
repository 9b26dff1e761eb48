"""Parsed YAML kept between runs, so `check` after one edit parses one file, not all.

ruamel's round-trip parser is pure Python: the shipped project's twelve files
take about 0.2 s, most of the time `check` has after an edit. A parse is kept as
JSON (never pickle: loading a pickle runs code), sealed (sealed.py) and keyed by
the file's path and bytes and the tool's code, in build/.cache/parsed/. Reading
one back rebuilds the same tree: the same mappings and lists with the same line
and column of every key, value and item, the same scalar types. A file whose
tree holds anything this format cannot rebuild exactly (a `<<:` merge, a tag, a
timestamp, a hexadecimal number) is simply parsed every time.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarfloat import ScalarFloat
from ruamel.yaml.scalarint import ScalarInt
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from briefgen.errors import Problem
from briefgen.limits import MAX_STATE_BYTES
from briefgen.sealed import prune, read_sealed, write_sealed

#: Changes when the stored format does.
FORMAT = "briefgen-parsed-1"
#: Entries kept; the oldest beyond this are removed, so edits do not pile up.
MAX_ENTRIES = 256

_TEXTS: dict[type, str] = {str: "", FoldedScalarString: ">", LiteralScalarString: "|"}
_TEXT_TYPES = {tag: kind for kind, tag in _TEXTS.items()}


class Unkept(Exception):
    """A value the format cannot rebuild exactly."""


def encode(value: Any) -> Any:
    """A JSON-able tree that `decode` turns back into `value`; raises Unkept."""
    kind = type(value)
    if kind in _TEXTS:
        return value if kind is str else {_TEXTS[kind]: str(value)}
    if kind is bool or kind is int or kind is float or value is None:
        return value
    if kind is ScalarInt:  # a number written with underscores or leading zeros
        return {"i": int(value)}
    if kind is ScalarFloat:  # every decimal: a chart's values, a share
        return {"f": [float(value), {name.lstrip("_"): v for name, v in vars(value).items()}]}
    if kind is dt.date:
        return {"d": value.isoformat()}
    if kind is CommentedMap:
        if getattr(value, "merge", None) or _tagged(value):
            raise Unkept
        pairs = []
        for key, item in value.items():
            where = value.lc.data.get(key) if value.lc.data else None
            if where is None or isinstance(key, CommentedMap | CommentedSeq):
                raise Unkept
            pairs.append([encode(key), encode(item), *where[:4]])
        return {"m": pairs, "at": [value.lc.line, value.lc.col]}
    if kind is CommentedSeq:
        if _tagged(value):
            raise Unkept
        items = []
        for index, item in enumerate(value):
            where = value.lc.data.get(index) if value.lc.data else None
            if where is None:
                raise Unkept
            items.append([encode(item), *where[:2]])
        return {"s": items, "at": [value.lc.line, value.lc.col]}
    raise Unkept


def _tagged(node: CommentedMap | CommentedSeq) -> bool:
    tag = getattr(node, "tag", None)
    return getattr(tag, "value", None) is not None


def decode(tree: Any) -> Any:
    """The value `encode` made `tree` from; raises ValueError (or Key/TypeError) on a bad tree."""
    if isinstance(tree, dict):
        if "m" in tree:
            node = CommentedMap()
            node._yaml_set_line_col(*tree["at"])
            for key, item, *where in tree["m"]:
                key = decode(key)
                node[key] = decode(item)
                node.lc.add_kv_line_col(key, [int(n) for n in where])
            return node
        if "s" in tree:
            node = CommentedSeq()
            node._yaml_set_line_col(*tree["at"])
            for index, (item, line, col) in enumerate(tree["s"]):
                node.append(decode(item))
                node.lc.add_kv_line_col(index, [int(line), int(col)])
            return node
        (tag, text), *rest = tree.items()
        if rest:
            raise ValueError("one tag per value")
        if tag == "i":
            return ScalarInt(int(text))
        if tag == "f":
            number, written = text
            return ScalarFloat(float(number), **written)
        if tag == "d":
            return dt.date.fromisoformat(text)
        return _TEXT_TYPES[tag](str(text))
    if isinstance(tree, list):
        raise ValueError("a bare list")
    return tree


class ParseCache:
    """Parsed files of one project in build/.cache/parsed/, keyed by tool, path and bytes."""

    def __init__(self, folder: Path, tool: str):
        self.folder = folder
        self.tool = tool
        self._pruned = False  # once per run: a glob of the folder is not free

    def _file(self, path: Path, raw: bytes) -> Path:
        digest = hashlib.sha256(f"{FORMAT}\n{self.tool}\n{path.absolute()}\n".encode())
        digest.update(raw)
        return self.folder / f"{digest.hexdigest()}.json"

    def get(self, path: Path, raw: bytes) -> tuple[Any, list[Problem]] | None:
        body = read_sealed(self._file(path, raw), MAX_STATE_BYTES)
        if body is None:
            return None
        try:
            entry = json.loads(body)
            problems = [Problem(Path(p[0]), *p[1:]) for p in entry["problems"]]
            return decode(entry["data"]), problems
        except (ValueError, TypeError, KeyError, AttributeError):
            return None

    def put(self, path: Path, raw: bytes, data: Any, problems: list[Problem]) -> None:
        try:
            tree = encode(data)
        except Unkept:
            return
        kept = [[str(p.path), p.line, p.col, p.message, p.hint, p.severity] for p in problems]
        body = json.dumps({"data": tree, "problems": kept}, ensure_ascii=False)
        write_sealed(self._file(path, raw), body.encode("utf-8"))
        if not self._pruned:
            prune(self.folder, "*.json", MAX_ENTRIES)
            self._pruned = True


#: The cache parse_yaml consults, set for the length of one check (checkcache.py).
current: contextvars.ContextVar[ParseCache | None] = contextvars.ContextVar(
    "parse_cache", default=None
)


@contextlib.contextmanager
def remembering(folder: Path, tool: str) -> Iterator[None]:
    """Within the block, parsed files are read from and kept in `folder`."""
    token = current.set(ParseCache(folder, tool))
    try:
        yield
    finally:
        current.reset(token)
