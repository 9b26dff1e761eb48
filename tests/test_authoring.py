"""Authoring an audience: its own wording per language, and language tests that cannot lie."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.edition.i18n import LANGUAGES, Messages, audience_messages
from briefgen.engine.build import Job, render_job_html
from briefgen.errors import ContentError
from briefgen.project.load import load_project
from briefgen.project.paths import Project

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "templates" / "base" / "messages.yaml"


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_an_audience_adds_and_rewords_messages_over_the_base(tmp_path):
    write(
        tmp_path,
        "messages.yaml",
        'contents: {en: "In this brief"}\n'
        'media_enquiries: {en: "Media enquiries: 2123 4567", zh-Hant: "傳媒查詢：2123 4567"}\n'
        'table: {en: "Exhibit {number}", zh-Hant: "附表{number}"}\n',
    )
    base = Messages(BASE)
    merged = audience_messages(base, tmp_path)
    assert merged.t("contents", "en") == "In this brief"
    assert merged.t("contents", "zh-Hant") == base.t("contents", "zh-Hant")  # kept
    assert merged.t("media_enquiries", "zh-Hans") == "传媒查询：2123 4567"
    assert merged.t("table", "en", number=3) == "Exhibit 3"
    assert base.t("contents", "en") == "Contents"  # the base is not changed
    assert audience_messages(base, tmp_path / "none") is base


def test_an_audience_catalogue_is_validated_with_located_errors(tmp_path):
    path = write(
        tmp_path,
        "messages.yaml",
        "media_enquiries: {en: Press}\n"  # a new key needs zh-Hant
        'table: {en: "Exhibit {num}"}\n'  # the code fills {number}
        "summary: {fr: Résumé}\n"
        "notes: Notes\n",
    )
    with pytest.raises(ContentError) as caught:
        audience_messages(Messages(BASE), tmp_path)
    lines = caught.value.lines()
    assert any(line.startswith(f"{path}:1:") and "no zh-Hant text" in line for line in lines), lines
    assert any(line.startswith(f"{path}:2:") and "{number}" in line for line in lines), lines
    assert any(line.startswith(f"{path}:3:") and "'fr'" in line for line in lines), lines
    assert any(line.startswith(f"{path}:4:") and "not a mapping" in line for line in lines), lines


def test_comparing_doc_language_with_a_text_is_an_error_not_a_silent_branch():
    with pytest.raises(TypeError, match=r"doc\.lang"):
        _ = LANGUAGES["en"] == "en"
    with pytest.raises(TypeError, match=r"doc\.lang"):
        _ = "zh-Hant" != LANGUAGES["zh-Hant"]  # noqa: SIM300 - the reflected comparison
    assert LANGUAGES["en"] == LANGUAGES["en"] and LANGUAGES["en"] != LANGUAGES["zh-Hant"]


@pytest.mark.slow
def test_a_template_sees_its_wording_and_doc_lang_and_the_slip_is_located(project):
    general = project / "templates" / "audiences" / "general"
    write(
        general, "messages.yaml", 'media_enquiries: {en: "Media enquiries", zh-Hant: "傳媒查詢"}\n'
    )
    template = write(
        general,
        "brief.html.j2",
        '{% extends "base/brief.html.j2" %}\n{% block cover_extra %}\n'
        '<p class="mark">{% if doc.lang == "en" %}EN{% else %}ZH{% endif %} '
        '{{ t("media_enquiries") }}</p>\n{% endblock %}\n',
    )
    loaded = load_project(Project(project))
    english = render_job_html(loaded, Job("mini", "general", "en", "pdf"), project / "out")
    chinese = render_job_html(loaded, Job("mini", "general", "zh-Hant", "pdf"), project / "out")
    assert '<p class="mark">EN Media enquiries</p>' in english
    assert '<p class="mark">ZH 傳媒查詢</p>' in chinese

    template.write_text(
        template.read_text("utf-8").replace("doc.lang ==", "doc.language =="), "utf-8"
    )
    with pytest.raises(ContentError) as caught:
        render_job_html(loaded, Job("mini", "general", "en", "pdf"), project / "out")
    (line,) = caught.value.lines()
    assert line.startswith(f"{template}:3:") and "doc.lang ==" in line, line


# -- shared datasets ---------------------------------------------------------------


def share_talent(project: Path) -> Path:
    """Move the mini brief's `talent` dataset to content/data/talent.yaml."""
    brief = project / "content" / "mini.yaml"
    text = brief.read_text("utf-8")
    head, _, dataset = text.partition("data:\n  talent:\n")
    brief.write_text(head, "utf-8")
    shared = project / "content" / "data" / "talent.yaml"
    shared.parent.mkdir()
    lines = [line.removeprefix("    ") for line in dataset.splitlines()]
    shared.write_text("\n".join(lines) + "\n", "utf-8")
    return shared


def test_a_brief_uses_a_shared_dataset_it_does_not_define(project):
    share_talent(project)
    loaded = load_project(Project(project))
    dataset = loaded.briefs["mini"].data["talent"]
    assert dataset.value("app-dev") == (45.0, "percent")


def test_a_shared_dataset_is_checked_in_its_own_file(project):
    shared = share_talent(project)
    shared.write_text(shared.read_text("utf-8").replace("values: [45, 35]", "values: [45]"))
    with pytest.raises(ContentError) as caught:
        load_project(Project(project))
    lines = caught.value.lines()
    assert any(line.startswith(f"{shared}:") and "1 values" in line for line in lines), lines


# -- errors that tell the fix ----------------------------------------------------------


def check_lines(project: Path) -> list[str]:
    try:
        load_project(Project(project))
    except ContentError as error:
        return error.lines()
    return []


def test_audience_errors_say_how_to_fix_them(project):
    audience = project / "templates" / "audiences" / "general" / "audience.yaml"
    text = audience.read_text("utf-8")
    audience.write_text(text + "colour: x\ntheme:\n  accent: #2e3f8f\n  ink: blue\n", "utf-8")
    lines = "\n".join(check_lines(project))
    assert 'quote it, accent: "#2e3f8f"' in lines
    assert "'blue' is not a colour (write it as \"#rrggbb\" in quotes" in lines
    assert "unknown key 'colour' (check the spelling; docs/audiences.md lists the keys)" in lines


def test_a_figure_reference_to_a_missing_series_names_key_on_the_series(project):
    brief = project / "content" / "mini.yaml"
    text = brief.read_text("utf-8").replace("{=talent.app-dev}", "{=talent.app-dev.share}")
    brief.write_text(text, "utf-8")
    lines = "\n".join(check_lines(project))
    assert "no series 'share'" in lines and "add `key: share` to the series" in lines


def test_the_scaffolds_placeholder_fails_until_replaced(project):
    from briefgen.project.scaffold import new_audience

    new_audience(Project(project), "press")
    lines = check_lines(project)
    assert any("'Press版' is the placeholder" in line for line in lines), lines
    audience = project / "templates" / "audiences" / "press" / "audience.yaml"
    audience.write_text(audience.read_text("utf-8").replace("Press版", "新聞界版"), "utf-8")
    assert not any("placeholder" in line for line in check_lines(project))


def test_a_missing_source_file_is_a_warning_naming_the_archive(project, monkeypatch):
    from briefgen.project.load import collect_project

    archive = project / "archive"
    archive.mkdir()
    monkeypatch.setenv("BRIEFGEN_SOURCE_ARCHIVE", str(archive))
    warnings = [
        str(problem)
        for problem in collect_project(Project(project)).problems
        if "in the archive" in problem.message
    ]
    assert warnings and all(": warning: source '" in line for line in warnings)
    assert all(str(archive.name) in line for line in warnings), warnings
    sources = project / "content" / "sources.yaml"
    first = warnings[0].split(":")
    assert (
        first[0].endswith("sources.yaml")
        and "file:" in (sources.read_text("utf-8").splitlines()[int(first[1]) - 1])
    )


@pytest.mark.slow
@pytest.mark.parametrize(("settings", "has_contents"), [("", False), ("contents: true\n", True)])
def test_a_summary_has_no_contents_page_unless_asked(project, settings, has_contents):
    audience = project / "templates" / "audiences" / "general" / "audience.yaml"
    audience.write_text(audience.read_text("utf-8") + "detail: summary\n" + settings, "utf-8")
    loaded = load_project(Project(project))
    page = render_job_html(loaded, Job("mini", "general", "en", "pdf"), project / "out")
    assert ('class="toc"' in page) is has_contents


def test_an_audience_message_gets_plain_placeholders_only(tmp_path):
    path = write(tmp_path, "messages.yaml", 'press: {en: "{v.__class__}", zh-Hant: "x"}\n')
    with pytest.raises(ContentError) as caught:
        audience_messages(Messages(BASE), tmp_path)
    (line,) = caught.value.lines()
    assert line.startswith(f"{path}:1:") and "not a plain name" in line, line
