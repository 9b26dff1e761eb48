"""Authoring an audience: its own wording per language, and language tests that cannot lie."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.edition.i18n import LANGUAGES, Messages, audience_messages
from briefgen.engine.build import Job, load_project, render_job_html
from briefgen.errors import ContentError
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
