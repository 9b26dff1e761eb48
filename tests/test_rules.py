"""The rule book, parity and locating problems: fast specifications, no build.

Each rule reads a parsed YAML document and reports every problem at the line
that is wrong; these tests write a few lines of YAML and read the problems back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefgen.project import rules
from briefgen.project.document import Document, parse_yaml
from briefgen.project.model import Audience, SourceRegister
from briefgen.project.parity import differing_figures, figures

REGISTER = SourceRegister.model_validate(
    {
        "sources": {
            "hkma": {
                "file": "hkma.html",
                "kind": "web-page",
                "language": "en",
                "title": {"en": "Fintech", "zh-Hant": "金融科技"},
            }
        }
    }
)

BRIEF = """\
sections:
  - id: road
    blocks:
      - table: talent
      - chart: talent
  - id: road
    blocks:
      - table: nowhere
data:
  talent:
    source: hkma
    categories: [{en: A, zh-Hant: 甲}, {en: B, zh-Hant: 乙}]
    keys: [a]
    series:
      - label: {en: Share, zh-Hant: 比例}
        values: [1]
      - label: {en: Count, zh-Hant: 數目}
        values: [1, 2, 3]
"""


def document(tmp_path: Path, text: str, name: str = "brief.yaml") -> Document:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    parsed, problems = parse_yaml(path)
    assert parsed is not None and not problems
    return parsed


def found(problems) -> list[tuple[int, int, str]]:
    return [(problem.line, problem.col, problem.message) for problem in problems]


def test_references_each_at_its_own_line(tmp_path):
    brief = document(tmp_path, BRIEF)
    assert found(rules.references(brief)) == [
        (5, 16, "section 'road' shows chart 'talent', but that dataset declares no `chart:`"),
        (6, 9, "section id 'road' is already used (line 2)"),
        (
            8,
            16,
            "section 'road' shows table 'nowhere', which is not in the brief's data block",
        ),
    ]


def test_series_lengths_each_at_its_own_line(tmp_path):
    brief = document(tmp_path, BRIEF)
    assert found(rules.series_lengths(brief)) == [
        (13, 11, "keys has 1 names but there are 2 categories"),
        (16, 17, "series 1 has 1 values but there are 2 categories"),
        (18, 17, "series 2 has 3 values but there are 2 categories"),
    ]


@pytest.mark.parametrize(
    "written",
    [
        "{=talent-shortage.ai_ml}",
        "{=talent-shortage}",
        "{= talent-shortage.ai-ml}",
        "{=Talent-shortage.ai-ml}",
    ],
)
def test_a_malformed_figure_reference(tmp_path, written):
    text = f"summary:\n  - {{en: 'x {written}', zh-Hant: 'x {written}'}}\n"
    zh_col = len(f"  - {{en: 'x {written}', zh-Hant: ") + 1
    assert found(rules.figure_references(document(tmp_path, text))) == [
        (2, 10, f"malformed figure reference {written}"),
        (2, zh_col, f"malformed figure reference {written}"),
    ]


DATASET = """\
data:
  talent:
    title: {en: Talent, zh-Hant: 人才}
    source: hkma
    category_label: {en: Role, zh-Hant: 職位}
    categories: [{en: A, zh-Hant: 甲}, {en: B, zh-Hant: 乙}]
    keys: [a, b]
    series:
      - label: {en: Share, zh-Hant: 比例}
        values: [1, 2]
"""


def test_a_figure_reference_names_a_dataset_and_a_category(tmp_path):
    text = DATASET + "summary:\n  - {en: '{=talent.c} {=staff.a}', zh-Hant: '{=talent.b}'}\n"
    assert found(rules.figure_references(document(tmp_path, text))) == [
        (12, 10, "{=talent.c}: no category 'c' (keys: a, b)"),
        (12, 10, "{=staff.a} names no dataset 'staff'"),
    ]


def test_citations_name_registered_sources(tmp_path):
    text = "summary:\n  - {en: 'x [@hkma; @nope]', zh-Hant: 'x [@hkma; @nope]'}\n"
    text += "key_figures:\n  - source: gone\n"
    brief = document(tmp_path, text)
    messages = [message for _, _, message in found(rules.citations(brief, REGISTER))]
    assert messages == [
        "unknown source 'nope' in [@nope]",
        "unknown source 'nope' in [@nope]",
        "unknown source 'gone'",
    ]


def test_parity_of_figures_and_citations(tmp_path):
    text = (
        "summary:\n"
        "  - {en: 'Up 45% [@hkma]', zh-Hant: '上升40%[@hkma]'}\n"
        "  - {en: 'Same [@hkma]', zh-Hant: '相同'}\n"
    )
    assert found(rules.parity(document(tmp_path, text))) == [
        (2, 5, "the languages state different figures: en states 45 where zh-Hant states 40"),
        (3, 5, "the languages cite different sources: en [@hkma]; zh-Hant none"),
    ]


@pytest.mark.parametrize(
    ("en", "zh"),
    [
        ("HK$200 billion", "2,000億港元"),
        ("17,600 people", "1.76萬人"),
        ("in June 2021", "於2021年6月"),
        ("the 14th plan", "第14個規劃"),
    ],
)
def test_parity_normalises_how_each_language_writes_a_figure(en, zh):
    assert differing_figures({"en": en, "zh-Hant": zh}) is None


def test_parity_ignores_names_citations_and_figure_references():
    assert not figures("Web3 and 5G [@hkma-2021] {=talent.a-1}")


def test_staleness_warns_of_old_and_future_dates(tmp_path):
    text = "as_of: 2024-01-01\nkey_figures:\n  - as_of: 2026-01-01\n"
    problems = list(rules.staleness(document(tmp_path, text), dt.date(2025, 6, 1), 365))
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (1, "warning", "the brief's as_of is 2024-01-01, 517 days ago (more than 365)"),
        (3, "warning", "key figure 1's as_of is 2026-01-01, in the future"),
    ]


def test_an_unknown_brief_is_reported_once_in_one_wording(tmp_path):
    text = "edition: {en: E, zh-Hant: 版}\nbriefs: [mini, minni]\n"
    audience_doc = document(tmp_path, text, "audience.yaml")
    audience = Audience.model_validate(audience_doc.data)
    problems = list(rules.audience_problems(audience_doc, audience, {"mini": set()}))
    assert [str(problem).split(":", 1)[1] for problem in problems] == [
        "2:16: error: brief 'minni' is not in content/ (use one of: mini)"
    ]


def test_locate_points_at_the_deepest_node_that_exists(tmp_path):
    brief = document(tmp_path, BRIEF)
    assert brief.locate(["sections", 1, "blocks", 0, "table"]) == (8, 16)
    assert brief.locate(["sections", 1, "title"]) == (6, 5)  # missing: its mapping
    assert brief.locate_key(["data", "talent", "keys"]) == (13, 5)
