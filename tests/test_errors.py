"""Bad input: one located line per problem, exit 1, no traceback, nothing lost."""

from __future__ import annotations

import pytest
from conftest import assert_fails_with, briefgen, edit, line_of
from pypdf import PdfReader

pytestmark = pytest.mark.slow  # every test builds, through the command line


def test_mini_project_builds(project):
    result = briefgen("build", cwd=project, check=True)
    assert "build/general/mini.en.pdf" in result.stdout
    pdf = PdfReader(project / "build/general/mini.zh-Hant.pdf")
    assert "「金融科技2030」概覽" in pdf.pages[0].extract_text()


def test_missing_language_names_file_line_and_fix(project):
    brief = project / "content/mini.yaml"
    line = line_of(brief, "zh-Hant: 金管局於2025年11月")
    edit(brief, "    zh-Hant: 金管局於2025年11月", "    zh-Hant-typo: 金管局於2025年11月")
    stderr = assert_fails_with(project, "content/mini.yaml:")
    assert f"content/mini.yaml:{line}:" in stderr
    assert "missing the zh-Hant text" in stderr
    assert "unknown key 'zh-Hant-typo'" in stderr


def test_empty_text_is_an_error_not_a_fallback(project):
    brief = project / "content/mini.yaml"
    edit(brief, "zh-Hant: 香港金融科技企業}", "zh-Hant: ''}")
    line = line_of(brief, "zh-Hant: ''}")
    assert_fails_with(project, f"content/mini.yaml:{line}:")


def test_unknown_source_is_located(project):
    brief = project / "content/mini.yaml"
    edit(brief, "2016 [@hkma-fintech]", "2016 [@hkma-fintec]")
    edit(brief, "辦公室[@hkma-fintech]", "辦公室[@hkma-fintec]")
    line = line_of(brief, "[@hkma-fintec]")
    stderr = assert_fails_with(project, "unknown source 'hkma-fintec'")
    assert f"content/mini.yaml:{line}:" in stderr
    assert "content/sources.yaml" in stderr


def test_languages_citing_different_sources(project):
    brief = project / "content/mini.yaml"
    edit(brief, "2016 [@hkma-fintech]", "2016 [@takungpao-fintech]")
    assert_fails_with(project, "the languages cite different sources")


def test_yaml_syntax_error_is_located(project):
    brief = project / "content/mini.yaml"
    edit(brief, "sections:\n", "sections:\n  - id: [unclosed\n")
    line = line_of(brief, "[unclosed")
    stderr = assert_fails_with(project, "YAML syntax error")
    # the bracket is left open, so YAML notices on the next line, at its `title:`
    assert f"content/mini.yaml:{line + 1}:7: error: YAML syntax error:" in stderr


def test_table_of_unknown_dataset(project):
    edit(project / "content/mini.yaml", "- table: talent", "- table: talnet")
    assert_fails_with(project, "shows table 'talnet', which is not in the brief's data block")


def test_series_length_disagrees_with_categories(project):
    edit(project / "content/mini.yaml", "values: [45, 35]", "values: [45]")
    assert_fails_with(project, "has 1 values but there are 2 categories")


def test_unknown_source_field_in_register(project):
    register = project / "content/sources.yaml"
    edit(register, "    kind: article\n", "    kind: article\n    isbn: 123\n")
    line = line_of(register, "isbn: 123")
    assert_fails_with(project, f"content/sources.yaml:{line}:")


def test_template_syntax_error_names_template_and_line(project):
    template = project / "templates/base/brief.html.j2"
    edit(template, "<main>", "<main>{% if %}")
    line = line_of(template, "{% if %}")
    assert_fails_with(project, f"brief.html.j2:{line}:")


def test_template_undefined_variable_names_template_and_line(project):
    template = project / "templates/base/brief.html.j2"
    edit(template, "<main>", "<main>{{ doc.no_such_field }}")
    line = line_of(template, "no_such_field")
    stderr = assert_fails_with(project, f"brief.html.j2:{line}:")
    assert "no_such_field" in stderr


def test_failed_build_leaves_earlier_artifacts_untouched(project):
    briefgen("build", cwd=project, check=True)
    outputs = sorted((project / "build/general").iterdir())
    before = {path: path.read_bytes() for path in outputs}
    edit(project / "templates/base/brief.html.j2", "<main>", "<main>{{ doc.no_such_field }}")
    assert_fails_with(project, "no_such_field")
    assert sorted((project / "build/general").iterdir()) == outputs, "stray files were left"
    assert {path: path.read_bytes() for path in outputs} == before


def test_raw_html_in_content_is_shown_as_text(project, read_pdf):
    payload = "<script>alert(document.cookie)</script>"
    edit(project / "content/mini.yaml", "It *builds*", f"It {payload} *builds*")
    briefgen("build", "--lang", "en", cwd=project, check=True)
    text = read_pdf(project / "build/general/mini.en.pdf").text
    assert payload in "".join(text.split())


def test_prose_reads_figures_from_the_data_block(project, read_pdf):
    briefgen("build", cwd=project, check=True)
    english = read_pdf(project / "build/general/mini.en.pdf").text
    chinese = read_pdf(project / "build/general/mini.zh-Hant.pdf").text
    assert "lead the list at 45%" in english
    assert "比例為45%" in chinese
    # another figure the cited source states (a figure it does not state fails the build)
    edit(project / "content/mini.yaml", "values: [45, 35]", "values: [33, 35]")
    briefgen("build", cwd=project, check=True)
    from pdfread import ReadPdf  # not the session cache: the file changed

    assert "lead the list at 33%" in ReadPdf(project / "build/general/mini.en.pdf").text


def test_unknown_figure_reference_is_located(project):
    brief = project / "content/mini.yaml"
    edit(brief, "at {=talent.app-dev}", "at {=talent.app-devs}")
    line = line_of(brief, "{=talent.app-devs}")
    stderr = assert_fails_with(project, "no category 'app-devs'")
    assert f"content/mini.yaml:{line}:" in stderr


def test_chart_of_a_dataset_without_chart_spec(project):
    edit(
        project / "content/mini.yaml",
        "    chart:\n      kind: barh",
        "    unused:\n      kind: barh",
    )
    assert_fails_with(project, "unknown key 'unused'")


def test_missing_cjk_font_is_an_error(project):
    css = project / "templates/base/brief.css.j2"
    edit(
        css,
        ':lang(zh-Hant), :lang(zh-Hant) * {\n  font-family: "Noto Sans CJK HK"',
        ':lang(zh-Hant), :lang(zh-Hant) * {\n  font-family: "No Such CJK Font"',
    )
    assert_fails_with(project, "font(s) not installed: No Such CJK Font")
