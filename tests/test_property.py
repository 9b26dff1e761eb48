"""Property: whatever a content file holds, loading it gives a Brief or located problems.

Hypothesis writes content documents three ways: the mini brief with random
mutations (values replaced by junk, keys dropped or misspelt), written as JSON
or as block YAML; and the mini brief's text with random characters typed in,
deleted or replaced. Texts mix English, Chinese, citations, figure references,
markup and characters XML cannot hold. Loading must return a Brief or raise
ContentError whose problems each name a line and column and fit on one line,
and never raise anything else (no rendering: this is about the loader).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from conftest import FIXTURES, ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from briefgen.errors import ContentError
from briefgen.project.load import load_audience, load_brief, load_sources
from briefgen.project.model import Audience, Brief

REGISTER = load_sources(ROOT / "content" / "sources.yaml")
MINI_TEXT = (FIXTURES / "mini.yaml").read_text(encoding="utf-8")
MINI = json.loads(json.dumps(YAML(typ="safe").load(MINI_TEXT), default=str))
SCRATCH = Path(tempfile.mkdtemp(prefix="briefgen-property-"))

PIECES = [
    "",
    " ",
    "中文",
    "香港金融科技",
    "[@hkma-fintech]",
    "[@takungpao-fintech]",
    "[@nope]",
    "[@",
    "{=talent.app-dev}",
    "{=talent.nope}",
    "{=nope.x}",
    "<script>alert(1)</script>",
    "*emphasis*",
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",
    "\ud800",
    "\ufffe",
    "\uffff",
    "\u2028",
    "\t",
    "\n",
    "'",
    '"',
    ": ",
    "- ",
    "# ",
    "&a ",
    "*a",
    "!!python/object:os.system",
    "{",
    "[",
    "%",
    "@",
    "\ufeff",
    "😀",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=5).map("".join)
scalars = st.one_of(
    texts,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1, 1, 1)).map(dt.date.isoformat),
)
language_texts = st.dictionaries(
    st.sampled_from(["en", "zh-Hant", "zh-Hans", "fr", "EN"]), texts, max_size=4
)
junk = st.recursive(
    st.one_of(scalars, language_texts),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(texts, st.integers()), inner, max_size=3),
    ),
    max_leaves=8,
)
KEYS = [
    "title",
    "subtitle",
    "as_of",
    "summary",
    "key_figures",
    "sections",
    "data",
    "en",
    "zh-Hant",
    "values",
    "categories",
    "keys",
    "chart",
    "kind",
    "series",
    "blocks",
    "paragraph",
    "bullets",
    "table",
    "source",
    "id",
    "unknown",
]


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in a JSON-like document."""
    found = [prefix]
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*prefix, index))
    return found


@st.composite
def mutated_documents(draw) -> Any:
    """The mini brief with a few random changes."""
    document = json.loads(json.dumps(MINI))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        if not isinstance(document, dict | list):
            break
        where = draw(st.sampled_from(paths(document)))
        if not where:
            document = draw(junk)
            continue
        parent = document
        for part in where[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "rename", "add"]))
        last = where[-1]
        if action == "replace":
            parent[last] = draw(junk)
        elif action == "delete":
            del parent[last]
        elif action == "rename" and isinstance(parent, dict):
            parent[draw(st.sampled_from(KEYS))] = parent.pop(last)
        elif action == "add" and isinstance(parent, dict):
            parent[draw(st.one_of(st.sampled_from(KEYS), texts))] = draw(junk)
        elif action == "add":
            parent.insert(last, draw(junk))
    return document


def as_yaml(document: Any) -> str:
    stream = io.StringIO()
    YAML(typ="rt").dump(document, stream)
    return stream.getvalue()


@st.composite
def serialised(draw) -> bytes:
    """A content file's bytes: a mutated document as JSON or YAML, or mutated YAML text."""
    how = draw(st.sampled_from(["json", "json-ascii", "yaml", "text"]))
    if how == "text":
        text = MINI_TEXT
        for _ in range(draw(st.integers(min_value=1, max_value=5))):
            at = draw(st.integers(min_value=0, max_value=len(text)))
            cut = draw(st.integers(min_value=0, max_value=3))
            text = text[:at] + draw(st.sampled_from(PIECES)) + text[at + cut :]
    else:
        document = draw(mutated_documents())
        if how == "yaml":
            try:
                text = as_yaml(document)
            except Exception:  # a value the YAML writer will not write: use JSON
                how = "json"
        if how != "yaml":
            text = json.dumps(document, ensure_ascii=how == "json-ascii", default=str)
    return text.encode("utf-8", "surrogatepass")


def assert_located(error: ContentError, path: Path) -> None:
    assert error.problems, "a ContentError without problems"
    for problem in error.problems:
        assert problem.path == path
        assert problem.line >= 1 and problem.col >= 1, problem
        assert problem.severity == "error"
        assert problem.message.strip(), problem
        line = str(problem)
        assert "\n" not in line and "\r" not in line, line
        line.encode("utf-8")  # printable: no lone surrogates


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(serialised())
def test_a_content_file_loads_or_reports_located_problems(content: bytes):
    path = SCRATCH / "brief.yaml"
    path.write_bytes(content)
    try:
        brief = load_brief(path, REGISTER)
    except ContentError as error:
        assert_located(error, path)
    else:
        assert isinstance(brief, Brief)


@PROPERTY
@given(
    st.dictionaries(
        st.sampled_from(["edition", "languages", "formats", "briefs", "classification", "x"]),
        junk,
        max_size=5,
    )
)
def test_an_audience_file_loads_or_reports_located_problems(document: dict):
    path = SCRATCH / "audience.yaml"
    path.write_bytes(json.dumps(document, default=str).encode("utf-8", "surrogatepass"))
    try:
        audience = load_audience(path)
    except ContentError as error:
        assert_located(error, path)
    else:
        assert isinstance(audience, Audience)
