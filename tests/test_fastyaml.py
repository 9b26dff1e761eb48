"""libyaml's events build the tree ruamel's round-trip loader builds (fastyaml.py).

The fast path is only worth having if nothing downstream can tell which parser
answered: the same mappings and lists, the same scalar types, the same line and
column of every key, value and item, the same errors. Each case below is parsed
both ways and compared whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from briefgen.project import fastyaml, safeyaml

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted([*ROOT.glob("content/**/*.yaml"), *ROOT.glob("templates/**/*.yaml")])


def _shape(value):
    """Everything a reader of the tree could look at: types, values, positions."""
    if isinstance(value, CommentedMap):
        items = [(_shape(k), _shape(v), value.lc.data.get(k)) for k, v in value.items()]
        return ("map", value.lc.line, value.lc.col, items)
    if isinstance(value, CommentedSeq):
        items = [(_shape(v), value.lc.data.get(i)) for i, v in enumerate(value)]
        return ("seq", value.lc.line, value.lc.col, items)
    extra = (
        {k: v for k, v in vars(value).items() if k != "fold_pos"}
        if hasattr(value, "__dict__")
        else {}
    )
    return (type(value).__name__, repr(value), repr(sorted(extra.items())))


def _outcome(load):
    try:
        return _shape(load())
    except Exception as error:  # the errors are compared too
        mark = getattr(error, "problem_mark", None)
        return ("error", type(error).__name__, getattr(error, "problem", None), mark and mark.line)


def _both(text: str):
    ruamel = _outcome(lambda: YAML(typ="rt").load(text))
    yaml = YAML(typ="rt")
    root = fastyaml.compose(text, yaml.resolver, 10**5, 10**7, 50)
    assert root is not None, "the fast path declined a plain document"
    return ruamel, _outcome(lambda: yaml.constructor.construct_document(root))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(ROOT)))
def test_shipped_files_parse_to_the_same_tree(path):
    ruamel, fast = _both(path.read_text(encoding="utf-8"))
    assert fast == ruamel


PLAIN = {
    "block and flow": "a:\n- 1\n- 2\nb:\n  - x\n  -   y: 1\n      z: [1, {q: 2}]\nm: {}\n",
    "text styles": (
        "p: this is\n  multi line\nf: >\n  one\n  two\n\n  three\n   kept\nl: |-\n  keep\n"
        "   this\nk: |+\n  x\n\nq: \"esc \\u00e9 \\t \\\\ \"\ns: 'it''s'\n"
    ),
    "scalars": (
        "n: ~\nb: true\ny: yes\ni: 12\nu: 1_000\no: 012\nh: 0x1F\nf: 1.5\ninf: .inf\n"
        "e: 1e3\nd: 2025-11-19\nt: 2025-11-19T10:00:00\ns: 1,200+\nz: 2025年\n"
    ),
    "line ends and BOM": "\ufeffa: 1\r\nb:\r\n  - x\r\n",
    "comments": "a: x # note\n# alone\nb: [x, # inside\n  y]\n",
    "keys": 'key with spaces: v\n"quoted": w\n1: int key\ntrue: bool key\n? [a, b]\n: 1\n',
    "merge key": "<<: {a: 1}\nb: 2\n",
    "duplicate key": "a: 1\na: 2\n",
    "impossible date": "d: 2025-13-45\n",
    "explicit document": "---\na: 1\n...\n",
}


@pytest.mark.parametrize("text", PLAIN.values(), ids=PLAIN.keys())
def test_plain_documents_parse_to_the_same_tree(text):
    ruamel, fast = _both(text)
    assert fast == ruamel


def test_an_empty_value_is_located_on_its_keys_line():
    """ruamel places `b:`'s missing value where the next token starts (the `c:` line
    below a comment); libyaml, right after the colon. The error for a missing value
    should name the line the author wrote it on."""
    text = "a:\n  b:\n# a comment\n\nc: 1\n"
    yaml = YAML(typ="rt")
    data = yaml.constructor.construct_document(fastyaml.compose(text, yaml.resolver, 99, 99, 9))
    assert data["a"].lc.value("b") == (1, 4)


OUTSIDE = {
    "an anchor and alias": "a: &x 1\nb: *x\n",
    "a tag": "a: !!python/object:os.system x\n",
    "two documents": "a: 1\n---\nb: 2\n",
    "a syntax error": "a: [1, 2\n",
    "a tab indent": "a:\n\tb: 1\n",
    "a directive": "%YAML 1.1\n---\na: yes\n",
    "flow nested past the limit": "[" * 200_000,
    "block nested past the limit": "- " * 100_000 + "x",
    "too many values": "[" + "1, " * 200 + "1]",
}


@pytest.mark.parametrize("text", OUTSIDE.values(), ids=OUTSIDE.keys())
def test_what_the_fast_path_declines_goes_to_ruamel(text):
    """Declined, not crashed (libyaml's own composer recurses in C; this one does not)."""
    assert fastyaml.compose(text, YAML(typ="rt").resolver, 100, 10**6, 50) is None


def test_declined_documents_still_get_located_errors(tmp_path):
    path = tmp_path / "x.yaml"
    data, problems = safeyaml.parse(path, "a: &x [1]\nb: *x\nc: [1, 2\n")
    assert data is None, data
    assert (problems[0].line, problems[0].message[:17]) == (4, "YAML syntax error"), problems
