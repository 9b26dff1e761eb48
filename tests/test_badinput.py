"""The bad-input corpus: each case breaks one file of a small project that has built.

For every case, `briefgen build` must fail with exit 1 and a one-line message that
names the file and line and says what to do, without a traceback, and leave the
earlier artifacts byte for byte as they were; `briefgen check` must report the
same place. The good project is built once; each case copies it, build/ included.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import BILLION_LAUGHS, edit, line_of, make_project, run, snapshot

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files

MINI = "content/mini.yaml"
SOURCES = "content/sources.yaml"
AUDIENCE = "templates/audiences/general/audience.yaml"
MESSAGES = "templates/base/messages.yaml"
BRIEF_HTML = "templates/base/brief.html.j2"

#: `path:LINE:COL: severity: message (hint)`
PROBLEM_LINE = re.compile(r"^\S+:\d+:\d+: (error|warning): .+$")


@dataclass
class Case:
    """A breakage: `edits` (old, new) in `file`, or the file's new `content`."""

    id: str
    file: str
    expect: str  #: in the message
    needle: str  #: the reported line is the line holding this (after the edit), plus `offset`
    edits: list[tuple[str, str]] = field(default_factory=list)
    content: str | bytes | None = None
    offset: int = 0
    col: int | None = None


CASES = [
    # -- YAML itself ------------------------------------------------------------
    Case(
        "yaml-unclosed-bracket",
        MINI,
        "YAML syntax error",
        "- id: [road",
        [("  - id: road\n", "  - id: [road\n")],
        offset=1,
    ),
    Case(
        "yaml-tab-indent",
        MINI,
        "YAML syntax error",
        "\ttitle: {en: The road",
        [("    title: {en: The road", "\ttitle: {en: The road")],
    ),
    Case(
        "yaml-duplicate-key",
        MINI,
        'found duplicate key "as_of"',
        "as_of: 2025-12-17",
        [("as_of: 2025-12-16\n", "as_of: 2025-12-16\nas_of: 2025-12-17\n")],
    ),
    Case(
        "yaml-undefined-alias",
        MINI,
        "undefined alias 'nope'",
        "*nope",
        [("subtitle: {en: The HKMA's strategy and the road to it", "subtitle: {en: *nope")],
    ),
    Case(
        "yaml-recursive-alias",
        MINI,
        "the alias *loop refers to itself",
        "*loop",
        [("as_of: 2025-12-16\n", "as_of: 2025-12-16\nloop: &loop [*loop]\n")],
    ),
    Case(
        "yaml-billion-laughs",
        "content/lol.yaml",
        "expands to more than 100,000 values",
        "f: &f",
        content=BILLION_LAUGHS,
        col=4,
    ),
    Case(
        "yaml-too-deep",
        "content/deep.yaml",
        "nested more than 50 levels deep",
        "title:",
        content="title: " + "[" * 200 + "]" * 200 + "\n",
    ),
    Case("yaml-empty-file", "content/empty.yaml", "the file is empty", "", content=""),
    Case(
        "yaml-not-utf8",
        MINI,
        "not UTF-8 text (byte 0xe9)",
        "",
        content=b"title: {en: Caf\xe9, zh-Hant: x}\n",
        col=16,
    ),
    Case(
        "yaml-top-level-list",
        "content/list.yaml",
        "should be a mapping",
        "- just",
        content="- just\n- a list\n",
    ),
    # -- characters a document cannot hold ----------------------------------------
    Case(
        "char-escaped-bell",
        MINI,
        "the control character U+0007 (written \\x07) is not allowed",
        "Ro\\x07le",
        [("{en: Role,", '{en: "Ro\\x07le",')],
        col=29,
    ),
    Case(
        "char-raw-vertical-tab",
        MINI,
        "the control character U+000B is not allowed",
        "Ro\x0ble",
        [("{en: Role,", "{en: Ro\x0ble,")],
        col=28,
    ),
    Case(
        "char-lone-surrogate",
        MINI,
        "a lone surrogate U+D83D",
        "\\ud83d",
        [("{en: Role,", '{en: "Role \\ud83d",')],
    ),
    Case(
        "char-non-character",
        MINI,
        "the non-character U+FFFF",
        "\\uffff",
        [("{en: Role,", '{en: "Role\\uffff",')],
    ),
    Case(
        "char-nul-in-key",
        MINI,
        "the control character U+0000",
        "\\0",
        [("  talent:\n", '  "tal\\0ent":\n')],
    ),
    # -- schema ---------------------------------------------------------------------
    Case(
        "schema-unknown-top-key",
        MINI,
        "unknown key 'summery'",
        "summery:",
        [("summary:\n", "summery:\n")],
    ),
    Case(
        "schema-missing-key",
        MINI,
        "missing required key 'subtitle'",
        "title: {en: Fintech 2030 overview",
        [
            (
                "subtitle: {en: The HKMA's strategy and the road to it, "
                "zh-Hant: 金管局的策略及其發展歷程}\n",
                "",
            )
        ],
    ),
    Case(
        "schema-language-typo",
        MINI,
        "unknown key 'zh-Hant-typo'",
        "zh-Hant-typo:",
        [("    zh-Hant: 金管局於2025年11月", "    zh-Hant-typo: 金管局於2025年11月")],
    ),
    Case(
        "schema-missing-language",
        MINI,
        "missing the zh-Hant text",
        "Fintech 2025 in June 2021",
        [(', zh-Hant: "2021年6月「金融科技2025」[@hkma-fintech]"}', "}")],
    ),
    Case(
        "schema-empty-text",
        MINI,
        "'zh-Hant' is empty",
        "zh-Hant: ''}",
        [("zh-Hant: 香港金融科技企業}", "zh-Hant: ''}")],
    ),
    Case(
        "schema-blank-text",
        MINI,
        "'en' is empty",
        '{en: "   ", zh-Hant: 職位}',
        [("{en: Role,", '{en: "   ",')],
    ),
    Case(
        "schema-bad-date",
        MINI,
        "'16/12/2025' is not a date",
        "as_of: 16/12/2025",
        [("as_of: 2025-12-16", "as_of: 16/12/2025")],
    ),
    Case(
        "schema-impossible-date",
        MINI,
        "cannot read '2025-13-45': month must be in 1..12",
        "as_of: 2025-13-45",
        [("as_of: 2025-12-16", "as_of: 2025-13-45")],
    ),
    Case(
        "schema-key-figure-as-of",
        MINI,
        "'soon' is not a date",
        "as_of: soon",
        [
            (
                "    source: takungpao-fintech\nsections",
                "    source: takungpao-fintech\n    as_of: soon\nsections",
            )
        ],
    ),
    Case(
        "schema-summary-not-a-list",
        MINI,
        "'summary' should be a list",
        "en: The HKMA announced",
        [("summary:\n  - en: The HKMA announced", "summary:\n    en: The HKMA announced")],
    ),
    Case(
        "schema-bad-section-id",
        MINI,
        "'Road Map' is not a valid id",
        "id: Road Map",
        [("  - id: road", "  - id: Road Map")],
    ),
    Case(
        "schema-unknown-block",
        MINI,
        "unknown key 'bulets'",
        "- bulets:",
        [("      - bullets:\n", "      - bulets:\n")],
    ),
    Case(
        "schema-block-not-a-mapping",
        MINI,
        "is not valid here",
        "- just words",
        [("      - table: talent\n", "      - just words\n")],
    ),
    Case(
        "schema-chart-kind",
        MINI,
        "'pie' is not allowed in 'kind'",
        "kind: pie",
        [("kind: barh", "kind: pie")],
    ),
    # -- data -----------------------------------------------------------------------
    Case(
        "data-series-too-short",
        MINI,
        "series 1 has 1 values but there are 2 categories",
        "values: [45]",
        [("values: [45, 35]", "values: [45]")],
    ),
    Case(
        "data-value-not-a-number",
        MINI,
        "'lots' is not a number",
        "values: [45, lots]",
        [("values: [45, 35]", "values: [45, lots]")],
    ),
    Case(
        "data-value-nan",
        MINI,
        "'nan' is not a finite number",
        "values: [45, .nan]",
        [("values: [45, 35]", "values: [45, .nan]")],
    ),
    Case(
        "data-value-boolean",
        MINI,
        "true / false is not a figure",
        "values: [45, true]",
        [("values: [45, 35]", "values: [45, true]")],
    ),
    Case(
        "data-keys-count",
        MINI,
        "keys has 1 names but there are 2 categories",
        "keys: [app-dev]",
        [("keys: [app-dev, product]", "keys: [app-dev]")],
    ),
    Case(
        "data-unknown-table",
        MINI,
        "shows table 'talnet', which is not in the brief's data block",
        "- table: talnet",
        [("- table: talent", "- table: talnet")],
    ),
    Case(
        "data-unknown-chart",
        MINI,
        "shows chart 'talnet', which is not in the brief's data block",
        "- chart: talnet",
        [("- chart: talent", "- chart: talnet")],
    ),
    Case(
        "data-chart-without-spec",
        MINI,
        "declares no `chart:`",
        "- chart: talent",
        [("    chart:\n      kind: barh\n", "    unused:\n      kind: barh\n")],
    ),
    Case(
        "data-duplicate-section",
        MINI,
        "section id 'road' is already used (line 12)",
        "- id: road  # again",
        [
            (
                "data:\n",
                "  - id: road  # again\n    title: {en: Again, zh-Hant: 再次}\n"
                "    blocks: [{paragraph: {en: Again., zh-Hant: 再次。}}]\ndata:\n",
            )
        ],
    ),
    Case(
        "data-unknown-figure",
        MINI,
        "no category 'app-devs'",
        "{=talent.app-devs} [@takungpao",
        [
            ("{=talent.app-dev} [@", "{=talent.app-devs} [@"),
            ("{=talent.app-dev}[@", "{=talent.app-devs}[@"),
        ],
    ),
    # -- citations ---------------------------------------------------------------------
    Case(
        "cite-unknown-source",
        MINI,
        "unknown source 'hkma-fintec' in [@hkma-fintec]",
        "Fintech 2025 in June 2021 [@hkma-fintec]",
        [
            ("June 2021 [@hkma-fintech]", "June 2021 [@hkma-fintec]"),
            ("2025」[@hkma-fintech]", "2025」[@hkma-fintec]"),
        ],
    ),
    Case(
        "cite-unknown-key-figure-source",
        MINI,
        "unknown source 'takungpao'",
        "source: takungpao",
        [("    source: takungpao-fintech\nsections", "    source: takungpao\nsections")],
    ),
    Case(
        "cite-unknown-dataset-source",
        MINI,
        "unknown source 'nobody'",
        "source: nobody",
        [("    source: takungpao-fintech\n    unit", "    source: nobody\n    unit")],
    ),
    Case(
        "cite-languages-differ",
        MINI,
        "the languages cite different sources",
        "en: The HKMA set up the Fintech Facilitation Office",
        [("2016 [@hkma-fintech]", "2016 [@takungpao-fintech]")],
    ),
    # -- the source register ------------------------------------------------------------
    Case(
        "sources-unknown-field",
        SOURCES,
        "unknown key 'isbn'",
        "isbn: 123",
        [("    kind: web-page\n", "    kind: web-page\n    isbn: 123\n")],
    ),
    Case(
        "sources-bad-kind",
        SOURCES,
        "'webpage' is not allowed in 'kind'",
        "kind: webpage",
        [("    kind: web-page\n", "    kind: webpage\n")],
    ),
    Case(
        "sources-bad-date",
        SOURCES,
        "date must be YYYY-MM-DD",
        "date: 16 Dec 2025",
        [("    date: 2025-12-16\n", "    date: 16 Dec 2025\n")],
    ),
    Case(
        "sources-missing-language",
        SOURCES,
        "missing the zh-Hant text",
        "en: Fintech",
        [("      en: Fintech\n      zh-Hant: 金融科技\n", "      en: Fintech\n")],
    ),
    Case(
        "sources-bad-id",
        SOURCES,
        "'HKMA_fintech' is not a valid id",
        "HKMA_fintech:",
        [("  hkma-fintech:\n", "  HKMA_fintech:\n")],
    ),
    # -- audiences and messages ------------------------------------------------------------
    Case(
        "audience-bad-language",
        AUDIENCE,
        "'fr' is not allowed in 'languages'",
        "languages: [en, fr",
        [("languages: [en, zh-Hant", "languages: [en, fr")],
    ),
    Case(
        "audience-bad-format",
        AUDIENCE,
        "'html' is not allowed in 'formats'",
        "formats: [pdf, html]",
        [("formats: [pdf, docx]", "formats: [pdf, html]")],
    ),
    Case(
        "audience-unknown-key",
        AUDIENCE,
        "unknown key 'colour'",
        "colour: blue",
        [("edition:\n", "colour: blue\nedition:\n")],
    ),
    Case(
        "messages-missing-language",
        MESSAGES,
        "message 'contents' has no zh-Hant text",
        "contents:",
        [("{en: Contents, zh-Hant: 目錄}", "{en: Contents}")],
    ),
    # -- templates ---------------------------------------------------------------------------
    Case(
        "template-syntax",
        BRIEF_HTML,
        "template syntax error",
        "{% if %}",
        [("<main>", "<main>{% if %}")],
    ),
    Case(
        "template-undefined-name",
        BRIEF_HTML,
        "no_such_field",
        "no_such_field",
        [("<main>", "<main>{{ doc.no_such_field }}")],
    ),
    Case(
        "template-unknown-filter",
        BRIEF_HTML,
        "No filter named 'shout'",
        "shout",
        [("<main>", "<main>{{ doc.title | shout }}")],
    ),
    Case(
        "template-sandbox",
        BRIEF_HTML,
        "unsafe",
        "__globals__",
        [("<main>", "<main>{{ t.__globals__ }}")],
    ),
    Case(
        "template-include-escape",
        BRIEF_HTML,
        "../../etc/passwd",
        "../../etc/passwd",
        [("<main>", "<main>{% include '../../etc/passwd' %}")],
    ),
    Case(
        "template-unknown-message",
        BRIEF_HTML,
        "no message 'no_such_message'",
        "no_such_message",
        [("<main>", '<main>{{ t("no_such_message") }}')],
    ),
    Case(
        "template-included-syntax",
        "templates/base/table.html.j2",
        "template syntax error",
        "{% endfor %}{% endfor %}",
        [("</table>", "</table>{% endfor %}{% endfor %}")],
    ),
    Case(
        "template-audience-override",
        "templates/audiences/general/brief.html.j2",
        "template syntax error",
        "{% block %}",
        content='{% extends "base/brief.html.j2" %}\n{% block %}{% endblock %}\n',
    ),
]


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> tuple[Path, dict[str, bytes]]:
    """The mini project, built once: its folder and the bytes of its artifacts."""
    project = make_project(tmp_path_factory.mktemp("good"))
    result = run(project, "build", "--jobs", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    artifacts = snapshot(project / "build")
    assert any(name.endswith(".pdf") for name in artifacts)
    assert any(name.endswith(".docx") for name in artifacts)
    return project, artifacts


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_bad_input(case: Case, good, tmp_path):
    source, artifacts = good
    project = tmp_path / "project"
    shutil.copytree(source, project)
    target = project / case.file
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(case.content, bytes):
        target.write_bytes(case.content)
    elif case.content is not None:
        target.write_text(case.content, encoding="utf-8")
    for old, new in case.edits:
        edit(target, old, new)
    line = line_of(target, case.needle) + case.offset if case.needle else 1
    where = f"{case.file}:{line}:" + (f"{case.col}:" if case.col else "")

    built = run(project, "build", "--jobs", "1")
    assert built.returncode == 1, built.stdout + built.stderr
    assert "Traceback" not in built.stderr
    assert case.expect in built.stderr, built.stderr
    reported = [line for line in built.stderr.splitlines() if where in line]
    assert reported, f"expected {where} in:\n{built.stderr}"
    assert all(PROBLEM_LINE.match(line) for line in reported), reported
    assert snapshot(project / "build") == artifacts, "a failed build changed earlier artifacts"

    checked = run(project, "check")
    assert checked.returncode == 1, checked.stdout + checked.stderr
    assert case.expect in checked.stdout, checked.stdout
    assert where in checked.stdout, checked.stdout


# -- interrupted builds ---------------------------------------------------------------


def interrupt_mid_write(project: Path, jobs: str, whole_group: bool) -> subprocess.CompletedProcess:
    """Start `briefgen build --force`, and press Ctrl-C while an artifact is half written."""
    command = [str(Path(sys.executable).parent / "briefgen"), "build", "--force", "--jobs", jobs]
    process = subprocess.Popen(
        command,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        start_new_session=True,  # its own process group, as a terminal gives it
    )
    deadline = time.monotonic() + 60
    while not list((project / "build").rglob("*.pdf.*.part")):
        assert process.poll() is None, "the build ended before it could be interrupted"
        assert time.monotonic() < deadline, "no artifact was ever being written"
        time.sleep(0.005)
    if whole_group:  # Ctrl-C in a terminal reaches the workers too
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_an_interrupted_build_leaves_whole_files_only(good, tmp_path, jobs):
    source, artifacts = good
    project = tmp_path / "project"
    shutil.copytree(source, project)
    result = interrupt_mid_write(project, jobs, whole_group=jobs != "1")
    assert result.returncode == 130, result.stdout + result.stderr
    assert "interrupted; no partial file was left behind" in result.stderr
    assert not list((project / "build").rglob("*.part")), "a partial file was left behind"
    # untouched, or rebuilt to the same bytes: never half of one
    assert snapshot(project / "build") == artifacts
    if jobs == "1":
        assert "Traceback" not in result.stderr, result.stderr
