"""The round-trip tree of a plain YAML document, composed from libyaml's events.

ruamel's round-trip parser is pure Python: about 70 ms for a brief, most of what
`check` does after an edit. libyaml (ruamel.yaml.clib) reads the same brief in
2 ms. Only its events are used, not its composer: the events come one at a time,
so the tree is built here without recursion in C, and its depth, values and
characters are bounded before anything is built from them (a "billion laughs"
needs aliases, which are not taken here). The tree is then built by ruamel's
own round-trip constructor, so keys, scalar types, line and column of every
item and duplicate-key errors are what `YAML(typ="rt")` gives.

Anything outside the plain subset (an anchor, an alias, a tag, a second
document, a syntax error, a document past a limit) returns None, and the caller
parses with ruamel, whose messages say what is wrong and where.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    CollectionEndEvent,
    DocumentEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:  # a compiled extension: where it is missing, ruamel parses everything
    from ruamel.yaml.clib._ruamel_yaml import CParser
except ImportError:  # pragma: no cover - the project installs it
    CParser = None

_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"


class Outside(Exception):
    """The document is not in the subset composed here."""


def compose(text: str, resolver: Any, max_values: int, max_characters: int, max_depth: int):
    """The root node of the single document in `text`, or None when ruamel must parse it
    (see the module's docstring), as for an empty text, which ruamel reads as nothing."""
    if CParser is None:
        return None
    try:
        return _compose(CParser(text), resolver, max_values, max_characters, max_depth)
    except (Outside, YAMLError):  # libyaml's errors: ruamel reports them with context
        return None


def _compose(parser: Any, resolver: Any, max_values: int, max_characters: int, max_depth: int):
    events = iter(parser.get_event, None)
    next(events)  # the stream's start
    first = next(events)
    if isinstance(first, StreamEndEvent):
        return None  # nothing at all; ruamel says so its own way
    if first.tags or getattr(first, "version", None):  # %TAG or %YAML directives
        raise Outside
    stack: list[tuple[Any, list]] = []
    values = characters = 0
    root = None
    for event in events:
        if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
            raise Outside
        if isinstance(event, ScalarEvent | MappingStartEvent | SequenceStartEvent):
            values += 1
            if event.tag is not None and event.tag != "!":
                raise Outside
        if isinstance(event, ScalarEvent):
            characters += len(event.value)
            tag = resolver.resolve(ScalarNode, event.value, event.implicit)
            node: Any = ScalarNode(
                tag, event.value, event.start_mark, event.end_mark, style=event.style
            )
        elif isinstance(event, MappingStartEvent | SequenceStartEvent):
            if len(stack) >= max_depth:
                raise Outside
            mapping = isinstance(event, MappingStartEvent)
            kind, tag = (MappingNode, _MAP) if mapping else (SequenceNode, _SEQ)
            node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
            stack.append((node, []))
            continue
        elif isinstance(event, CollectionEndEvent):
            node, children = stack.pop()
            node.end_mark = event.end_mark
            if isinstance(node, MappingNode):
                node.value = list(zip(children[::2], children[1::2], strict=True))
            else:
                node.value = children
        elif isinstance(event, DocumentEndEvent):
            break
        else:
            raise Outside
        if values > max_values or characters > max_characters:
            raise Outside
        if stack:
            stack[-1][1].append(node)
        else:
            root = node
    if not isinstance(next(events), StreamEndEvent):
        raise Outside  # a second document
    return root
