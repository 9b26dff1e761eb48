"""Editions as views: localised texts, citations, note numbers, no process-wide state.

Fast specifications: the mini project is loaded, never built; charts are the
placeholders `check` uses, so nothing is drawn.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import ROOT, make_project

from briefgen.edition.cite import Citer, InlineMarkdown
from briefgen.edition.render import BilingualView, BriefView, number_note_calls
from briefgen.errors import ContentError
from briefgen.project.check import PlaceholderCharts
from briefgen.project.load import LoadedProject, load_project
from briefgen.project.paths import Project


@pytest.fixture(scope="module")
def loaded(tmp_path_factory) -> LoadedProject:
    return load_project(Project(make_project(tmp_path_factory.mktemp("views") / "project")))


@pytest.fixture
def charts(tmp_path) -> PlaceholderCharts:
    return PlaceholderCharts(tmp_path)


def audience(loaded: LoadedProject, show: str = "both"):
    """The general audience, showing a dataset as `show` says (both: table and chart)."""
    return loaded.audiences["general"].model_copy(update={"show": show})


def view(loaded: LoadedProject, lang: str, charts, show: str = "both", **options) -> BriefView:
    parts = (loaded.briefs["mini"], "mini", audience(loaded, show))
    return BriefView(*parts, loaded.register, loaded.messages, lang, charts, **options)


def test_a_dataset_is_shown_once_by_default_as_its_chart(loaded, charts):
    kinds = [block.kind for block in view(loaded, "en", charts, show="chart").sections[0].blocks]
    assert kinds == ["paragraph", "bullets", "paragraph", "chart"]
    kinds = [block.kind for block in view(loaded, "en", charts, show="table").sections[0].blocks]
    assert kinds == ["paragraph", "bullets", "paragraph", "table"]


def simplified_texts(loaded: LoadedProject) -> list[str]:
    """Every zh-Hans text an edition of the mini brief shows, and a generated word."""
    brief = loaded.briefs["mini"]
    return [text.get("zh-Hans") for text in brief.texts()] + [
        loaded.messages.t("contents", "zh-Hans")
    ]


def test_two_projects_in_one_process_convert_zh_hans_as_each_alone(tmp_path):
    with_phrases = make_project(tmp_path / "with")
    shutil.copy(ROOT / "content" / "zh-Hans.yaml", with_phrases / "content")
    without = make_project(tmp_path / "without")

    alone_without = simplified_texts(load_project(Project(without)))
    alone_with = simplified_texts(load_project(Project(with_phrases)))
    after_with = simplified_texts(load_project(Project(without)))
    after_without = simplified_texts(load_project(Project(with_phrases)))

    assert after_with == alone_without
    assert after_without == alone_with
    # the phrase list changes something, so the comparison above could fail
    assert alone_with != alone_without
    assert any("“" in text for text in alone_with)
    assert not any("“" in text for text in alone_without)


def test_the_logo_is_given_at_construction(loaded, charts):
    assert view(loaded, "en", charts, logo="data:image/png;base64,AA==").logo == (
        "data:image/png;base64,AA=="
    )
    assert view(loaded, "en", charts).logo is None


def test_a_view_is_in_its_language(loaded, charts):
    english, chinese = view(loaded, "en", charts), view(loaded, "zh-Hant", charts)
    assert english.title == "Fintech 2030 overview"
    assert chinese.title == "「金融科技2030」概覽"
    assert english.as_of == "16 December 2025"
    assert chinese.as_of == "2025年12月16日"
    assert [section.id for section in english.sections] == ["road"]
    kinds = [block.kind for block in english.sections[0].blocks]
    assert kinds == ["paragraph", "bullets", "paragraph", "table", "chart"]
    assert english.tables[0].rows == [
        ["App and software developers", "45%"],
        ["Fintech business and product development", "35%"],
    ]


def test_a_figure_reference_reads_the_data_block(loaded, charts):
    paragraph = view(loaded, "zh-Hant", charts).sections[0].blocks[2]
    assert "比例為45%" in paragraph.html


def test_citations_become_footnotes_in_document_order(loaded):
    citer = Citer(loaded.register, loaded.messages, "en")
    markdown = InlineMarkdown(citer, lambda dataset, reference: "?")
    html = markdown("Set up in 2016 [@hkma-fintech] and 2017 [@hkma-fintech; @takungpao-fintech].")
    # one note per paragraph, at its last citation, naming each source once (#14)
    assert html.count('<span class="footnote"') == 1
    assert 'data-sources="hkma-fintech takungpao-fintech"' in html
    assert citer.cited == ["hkma-fintech", "takungpao-fintech"]
    assert "2016 and 2017<span" in html, "no space before a note call"
    again = markdown("Again [@takungpao-fintech].")
    assert citer.count == 2 and "Ta Kung Pao, “Taking the pulse of fintech”." in again


def test_raw_html_in_content_is_text(loaded):
    markdown = InlineMarkdown(Citer(loaded.register, loaded.messages, "en"), lambda *_: "")
    assert markdown("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;"


NOTES = (
    '<span class="footnote" data-note="2">b</span> <span class="footnote" data-note="1">a</span>'
)


def test_note_calls_are_numbered_in_document_order_not_call_order(tmp_path):
    calls = '<sup class="note-ref" data-note="1">1</sup><sup class="note-ref" data-note="2">2</sup>'
    numbered = number_note_calls(NOTES + calls, tmp_path / "bilingual.html.j2")
    assert numbered.endswith(
        '<sup class="note-ref" data-note="1">2</sup><sup class="note-ref" data-note="2">1</sup>'
    )


def test_a_call_of_a_note_the_other_column_dropped_is_an_error(tmp_path):
    calls = '<sup class="note-ref" data-note="3">3</sup>'
    with pytest.raises(ContentError) as caught:
        number_note_calls(NOTES + calls, tmp_path / "bilingual.html.j2")
    assert caught.value.problems[0].message == (
        "the Chinese column calls 1 note(s) the English column does not set"
    )


def test_the_bilingual_view_pairs_every_block(loaded, charts):
    parts = (loaded.briefs["mini"], "mini", audience(loaded))
    both = BilingualView(*parts, loaded.register, loaded.messages, charts)
    assert len(both.sections) == 1
    rows = both.rows(both.sections[0])
    assert [(row.en.kind, row.zh.kind) for row in rows] == [
        ("paragraph", "paragraph"),
        ("bullets", "bullets"),
        ("paragraph", "paragraph"),
        ("table", "table"),
        ("chart", "chart"),
    ]
    assert both.zh.tables[0].id == "talent-zh"
