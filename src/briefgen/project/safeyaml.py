"""Reading YAML that may be broken or hostile: bounded, and free of characters XML refuses.

ruamel.yaml's round-trip loader builds no Python objects beyond mappings, lists
and scalars, so loading is safe in that sense. What it does not bound is size:
a "billion laughs" document nests aliases so that a few hundred bytes expand to
10^9 values, which every later walk (validation, citation checks) would expand.
`BoundedComposer` counts the values a document expands to while composing it and
refuses it past `MAX_VALUES`, with the line of the offending collection; it also
refuses nesting deeper than `MAX_DEPTH` (instead of a RecursionError).

Characters that XML 1.0 cannot hold (C0 control characters other than tab, line
feed and carriage return; U+FFFE, U+FFFF; lone surrogates) would crash the DOCX
writer much later. They are reported here, each with its line and column: raw
ones from the file's text, escaped ones (`"\\x07"`, `"\\ud800"`) from the values.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.composer import Composer, ComposerError, MaxDepthExceededError
from ruamel.yaml.constructor import ConstructorError, DuplicateKeyError, RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import AliasEvent
from ruamel.yaml.nodes import MappingNode, SequenceNode

from briefgen.errors import Problem
from briefgen.project import fastyaml
from briefgen.project.bounds import limit_problems, scalars_with_positions

#: Values (mapping keys, mapping values, list items, scalars) a document may expand to,
#: aliases counted at every use. The largest brief has a few thousand.
MAX_VALUES = 100_000
#: Characters of text a document may expand to, aliases counted at every use
#: (a long text repeated through aliases is the other way to blow up). Briefs have ~30,000.
MAX_CHARACTERS = 5_000_000
#: How deeply mappings and lists may nest.
MAX_DEPTH = 50

#: What XML 1.0 (and so DOCX) cannot hold.
XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
#: What a YAML file may not contain unescaped (YAML 1.2 "printable"); includes XML_UNSAFE.
YAML_UNPRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)

#: A YAML double-quoted escape: `\x07`, `\u0007`, `\U00000007` or one character.
_ESCAPE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_SINGLE_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "v": "\x0b", "f": "\x0c", "e": "\x1b"}

_HINT = "delete it: documents cannot hold control characters, which often come from copy-paste"


class TooLarge(MarkedYAMLError):
    """A document that expands to more values than MAX_VALUES, or an alias to itself."""


class BoundedComposer(Composer):
    """ruamel's composer, counting what each node expands to once aliases are followed."""

    def __init__(self, loader: Any = None) -> None:
        super().__init__(loader)
        self.warn_double_anchors = False  # valid YAML; nothing for an author to fix
        #: id(node) -> (values, characters) it expands to
        self.expanded: dict[int, tuple[int, int]] = {}

    def compose_document(self) -> Any:
        self.expanded = {}
        return super().compose_document()

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.parser.peek_event()
        node = super().compose_node(parent, index)
        if isinstance(event, AliasEvent):
            size = self.expanded.get(id(node))
            if size is None:
                raise TooLarge(
                    None, None, f"the alias *{event.anchor} refers to itself", event.start_mark
                )
        else:
            if isinstance(node, MappingNode):
                children = [child for pair in node.value for child in pair]
            elif isinstance(node, SequenceNode):
                children = node.value
            else:
                children = []
            sizes = [self.expanded[id(child)] for child in children]
            own = len(node.value) if isinstance(node.value, str) else 0
            size = (1 + sum(n for n, _ in sizes), own + sum(c for _, c in sizes))
            self.expanded[id(node)] = size
        if size[0] > MAX_VALUES or size[1] > MAX_CHARACTERS:
            limit = f"{MAX_VALUES:,} values"
            if size[0] <= MAX_VALUES:
                limit = f"{MAX_CHARACTERS:,} characters"
            raise TooLarge(
                None,
                None,
                f"this expands to more than {limit} through aliases (*name)",
                event.start_mark,
            )
        return node


class LocatedConstructor(RoundTripConstructor):
    """ruamel's round-trip constructor; a value it cannot build is a located error.

    (`2025-13-45` looks like a date to YAML; building it raises a bare ValueError.)
    """

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except MarkedYAMLError:
            raise
        except (ValueError, TypeError, OverflowError) as error:
            raise ConstructorError(
                None, None, f"cannot read {str(node.value)[:40]!r}: {error}", node.start_mark
            ) from None


def parse(path: Path, text: str) -> tuple[Any, list[Problem]]:
    """The data of one YAML text, and the problems that stop it being used.

    Syntax errors, excess size and raw unprintable characters stop parsing (no data);
    escaped characters that XML cannot hold are reported with the data.
    """
    raw = [
        _character_problem(path, text, match.start(), match.group())
        for match in YAML_UNPRINTABLE.finditer(text)
    ]
    if raw:
        return None, raw
    yaml = YAML(typ="rt")
    yaml.Composer = BoundedComposer
    yaml.Constructor = LocatedConstructor
    yaml.max_depth = MAX_DEPTH
    try:
        root = fastyaml.compose(text, yaml.resolver, MAX_VALUES, MAX_CHARACTERS, MAX_DEPTH)
        data = yaml.load(text) if root is None else yaml.constructor.construct_document(root)
    except MaxDepthExceededError as error:
        return None, [
            _marked(path, error, f"nested more than {MAX_DEPTH} levels deep", "flatten it")
        ]
    except TooLarge as error:
        return None, [
            _marked(path, error, error.problem or "too large", "write the values out, not aliases")
        ]
    except DuplicateKeyError as error:
        return None, [_marked(path, error, str(error.problem), "keep one of them")]
    except ComposerError as error:  # e.g. an undefined alias
        return None, [
            _marked(path, error, f"YAML error: {error.problem}", "define the &anchor first")
        ]
    except ConstructorError as error:  # a value YAML recognises but cannot build
        return None, [
            _marked(
                path,
                error,
                str(error.problem),
                "write dates as YYYY-MM-DD; quote a text that only looks like a value",
            )
        ]
    except MarkedYAMLError as error:
        what = error.problem or error.context or "invalid YAML"
        return None, [
            _marked(path, error, f"YAML syntax error: {what}", "check indentation and quoting")
        ]
    except (YAMLError, ValueError, TypeError, RecursionError) as error:  # without a position
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, [Problem(path, 1, 1, f"YAML error: {first}", "check the file")]
    limits = list(limit_problems(path, data))
    if limits:  # nothing more is done with a document past a limit (that is the point)
        return None, limits
    return data, list(_escaped_problems(path, text, data))


def _marked(path: Path, error: MarkedYAMLError, message: str, hint: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return Problem(path, line, col, message, hint)


#: What YAML counts as a line break (ruamel's marks count lines by these).
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _line_col(text: str, offset: int) -> tuple[int, int]:
    breaks = [match.end() for match in _BREAK.finditer(text, 0, offset)]
    line_start = breaks[-1] if breaks else 0
    return len(breaks) + 1, offset - line_start + 1


def describe_character(char: str) -> str:
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"a lone surrogate {code} (half of a character)"
    if char in "\ufffe\uffff":
        return f"the non-character {code}"
    if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
        return f"the control character {code}"
    return f"the character {code}"


def _character_problem(path: Path, text: str, offset: int, char: str) -> Problem:
    line, col = _line_col(text, offset)
    return Problem(path, line, col, f"{describe_character(char)} is not allowed", _HINT)


def _escaped_problems(path: Path, text: str, data: Any):
    """Escaped characters that XML cannot hold, in keys and values, at their escape."""
    for (line, col), value in _strings_with_positions(data):
        count = len(XML_UNSAFE.findall(value))
        if not count:
            continue
        start = _offset(text, line, col)
        for match in _ESCAPE.finditer(text, start):
            char = _unescape(match.group(1))
            if char and XML_UNSAFE.fullmatch(char):
                at_line, at_col = _line_col(text, match.start())
                hint = _HINT
                if "\ud800" <= char <= "\udfff":
                    hint = "write a character beyond U+FFFF as \\U0001F600, not as two \\u escapes"
                yield Problem(
                    path,
                    at_line,
                    at_col,
                    f"{describe_character(char)} (written {match.group()}) is not allowed",
                    hint,
                )
                count -= 1
                if not count:
                    break
        else:  # not found as an escape (should not happen): point at the value
            yield Problem(path, line + 1, col + 1, "the text holds a control character", _HINT)


def _strings_with_positions(node: Any):
    """(0-based line, column) and text of every string key and value in `node`."""
    return ((at, value) for at, value in scalars_with_positions(node) if isinstance(value, str))


def _offset(text: str, line: int, col: int) -> int:
    """The offset of 0-based (line, col) in `text` (any YAML line break)."""
    start = 0
    for match in itertools.islice(_BREAK.finditer(text), line):
        start = match.end()
    return start + col


def _unescape(escape: str) -> str:
    if escape[0] in "xuU" and len(escape) > 1:
        return chr(int(escape[1:], 16))
    return _SINGLE_ESCAPES.get(escape, "")
