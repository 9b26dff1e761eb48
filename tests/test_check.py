"""`briefgen check`: every problem at once, located, as text or JSON; nothing rendered.

And the command line's last line of defence: an unexpected exception is one line
and exit 2 (`--debug` shows the traceback).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import ROOT, edit, line_of, run

from briefgen import cli
from briefgen.errors import Problem

TODAY = "2025-12-20"  #: a few days after the mini brief's as_of
PROBLEM_LINE = re.compile(r"^(\S+):(\d+):(\d+): (error|warning): (.+)$")


def problems(output: str) -> list[tuple[str, int, str, str]]:
    """(path, line, severity, message) of each problem line; asserts the format."""
    found = []
    for line in output.splitlines()[:-1]:  # the last line is the summary
        match = PROBLEM_LINE.match(line)
        assert match, f"not a problem line: {line!r}"
        found.append((match[1], int(match[2]), match[4], match[5]))
    return found


def test_a_good_project_passes_with_warnings_only(project):
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 0, result.stdout
    found = problems(result.stdout)
    assert found and all(severity == "warning" for _, _, severity, _ in found)
    # the mini brief cites two of the five registered sources
    uncited = [message for _, _, _, message in found if "no brief cites it" in message]
    assert len(uncited) == 3
    assert result.stdout.splitlines()[-1] == "0 error(s), 3 warning(s)"
    written = [p.relative_to(project) for p in (project / "build").rglob("*") if p.is_file()]
    assert all(p.parts[:2] == ("build", ".cache") for p in written), "check wrote to build/"


def test_json_output(project):
    edit(project / "content/mini.yaml", "values: [45, 35]", "values: [45]")
    result = run(project, "check", "--format", "json", "--today", TODAY)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert isinstance(report, list)
    for item in report:
        assert set(item) == {"path", "line", "col", "severity", "message", "hint"}
        assert isinstance(item["line"], int) and isinstance(item["col"], int)
    errors = [item for item in report if item["severity"] == "error"]
    assert errors == [
        {
            "path": "content/mini.yaml",
            "line": line_of(project / "content/mini.yaml", "values: [45]"),
            "col": 17,
            "severity": "error",
            "message": "series 1 has 1 values but there are 2 categories",
            "hint": "give one value per category, in the order of the categories",
        }
    ]


def test_github_annotations(project):
    edit(project / "content/mini.yaml", "values: [45, 35]", "values: [45]")
    result = run(project, "check", "--format", "github", "--today", TODAY)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    annotation = re.compile(r"^::(error|warning) file=([^,:]+),line=(\d+),col=(\d+)::(.+)$")
    assert lines and all(annotation.match(line) for line in lines), lines
    json_report = json.loads(run(project, "check", "--format", "json", "--today", TODAY).stdout)
    assert len(lines) == len(json_report)
    line = line_of(project / "content/mini.yaml", "values: [45]")
    assert (
        f"::error file=content/mini.yaml,line={line},col=17::"
        "series 1 has 1 values but there are 2 categories "
        "(give one value per category, in the order of the categories)"
    ) in lines
    assert sum(line.startswith("::warning ") for line in lines) == 3


def test_github_annotations_escape_what_would_end_the_command():
    problem = Problem(Path("a,b:c.yaml"), 2, 3, "50% done", "one, two: three", "warning")
    assert problem.as_github() == (
        "::warning file=a%2Cb%3Ac.yaml,line=2,col=3::50%25 done (one, two: three)"
    )


def test_every_problem_in_every_file_in_one_run(project):
    brief = project / "content/mini.yaml"
    edit(brief, "summary:\n", "summery: x\nsummary:\n")  # schema
    edit(brief, "June 2021 [@hkma-fintech]", "June 2021 [@hkma-fintec]")  # citation
    edit(brief, "2025」[@hkma-fintech]", "2025」[@hkma-fintec]")
    edit(brief, "values: [45, 35]", "values: [45]")  # data
    edit(brief, "- table: talent", "- table: talnet")  # reference
    (project / "content/other.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    edit(project / "templates/audiences/general/audience.yaml", "formats: [pdf", "formats: [pfd")
    edit(project / "templates/base/table.html.j2", "</table>", "</table>{% endif %}")
    edit(
        project / "templates/base/messages.yaml", "{en: Contents, zh-Hant: 目錄}", "{en: Contents}"
    )

    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    errors = {
        (path, line) for path, line, severity, _ in problems(result.stdout) if severity == "error"
    }
    expected = {
        ("content/mini.yaml", line_of(brief, "summery:")),
        ("content/mini.yaml", line_of(brief, "[@hkma-fintec]")),
        ("content/mini.yaml", line_of(brief, "values: [45]")),
        ("content/mini.yaml", line_of(brief, "- table: talnet")),
        ("content/other.yaml", 2),
        (
            "templates/audiences/general/audience.yaml",
            line_of(project / "templates/audiences/general/audience.yaml", "formats: [pfd"),
        ),
        (
            "templates/base/table.html.j2",
            line_of(project / "templates/base/table.html.j2", "</table>{% endif %}"),
        ),
        (
            "templates/base/messages.yaml",
            line_of(project / "templates/base/messages.yaml", "contents:"),
        ),
    }
    assert expected <= errors, result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_old_statements_are_warned_about(project):
    brief = project / "content/mini.yaml"
    edit(
        brief,
        "    source: takungpao-fintech\nsections",
        "    source: takungpao-fintech\n    as_of: 2020-06-30\nsections",
    )
    result = run(project, "check", "--today", "2026-01-31")
    assert result.returncode == 0, "old statements are warnings, not errors"
    stale = [
        (path, line, message.split(" (check")[0])
        for path, line, severity, message in problems(result.stdout)
        if "days ago" in message
    ]
    assert stale == [
        (
            "content/mini.yaml",
            line_of(brief, "as_of: 2020-06-30"),
            "key figure 1's as_of is 2020-06-30, 2041 days ago (more than 365)",
        )
    ]
    result = run(project, "check", "--today", "2027-01-01", "--max-age-days", "30")
    messages = [message.split(" (check")[0] for _, _, _, message in problems(result.stdout)]
    assert "the brief's as_of is 2025-12-16, 381 days ago (more than 30)" in messages
    result = run(project, "check", "--today", "2027-01-01", "--max-age-days", "100000")
    assert "days ago" not in result.stdout


def test_a_date_in_the_future_is_warned_about(project):
    result = run(project, "check", "--today", "2025-01-01")
    assert "content/mini.yaml:3:8: warning: the brief's as_of is 2025-12-16, in the future" in (
        result.stdout
    )


def test_an_audience_listing_a_brief_that_does_not_exist(project):
    audience = project / "templates/audiences/general/audience.yaml"
    audience.write_text(
        audience.read_text(encoding="utf-8") + "briefs: [mini, minni]\n", encoding="utf-8"
    )
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    where = f"templates/audiences/general/audience.yaml:{line_of(audience, 'briefs:')}:"
    assert f"{where}16: error: brief 'minni' is not in content/ (use one of: mini)" in result.stdout


def test_a_template_no_audience_uses_is_compiled_by_check_and_build(project):
    unused = project / "templates/base/unused.html.j2"
    unused.write_text("<p>\n{{ 'unclosed' </p>\n", encoding="utf-8")
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    assert "templates/base/unused.html.j2:2:1: error: template syntax error" in result.stdout
    built = run(project, "build", "--jobs", "1", "--lang", "en")  # the loader compiles it too
    assert built.returncode == 1
    assert "templates/base/unused.html.j2:2:1: error: template syntax error" in built.stderr


def test_a_control_character_in_a_template(project):
    template = project / "templates/base/table.html.j2"
    edit(template, "</table>", "</table>\x0c")
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    line = line_of(template, "</table>\x0c")
    assert (
        f"templates/base/table.html.j2:{line}:9: error: the control character U+000C is not allowed"
        in result.stdout
    )


def test_undefined_names_are_found_in_every_language(project):
    template = project / "templates/base/brief.html.j2"
    edit(template, "<main>", "<main>{% if doc.lang == 'zh-Hant' %}{{ doc.nope }}{% endif %}")
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    line = line_of(template, "doc.nope")
    assert f"templates/base/brief.html.j2:{line}:1: error: template error:" in result.stdout
    assert "'nope'" in result.stdout


def test_a_missing_font_is_located_in_the_stylesheet(project):
    css = project / "templates/base/brief.css.j2"
    text = css.read_text(encoding="utf-8")
    first = re.search(r'font-family: "([^"]+)"', text)
    assert first
    css.write_text(text.replace(first[0], 'font-family: "No Such Font"', 1), encoding="utf-8")
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    line = line_of(css, "No Such Font")
    assert f"templates/base/brief.css.j2:{line}:" in result.stdout
    assert "font 'No Such Font' is not installed" in result.stdout


def test_an_audience_folder_without_settings(project):
    (project / "templates/audiences/board").mkdir()
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 0
    assert "templates/audiences/board/audience.yaml:1:1: warning:" in result.stdout


@pytest.mark.slow  # renders every edition of the real project
def test_the_project_itself_has_no_errors():
    result = run(ROOT, "check")
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert result.returncode == 0 and not errors, result.stdout


def test_a_bad_date_argument_is_a_usage_error(project, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["--project", str(project), "check", "--today", "31/12/2025"])
    assert exit_.value.code == 2
    assert "'31/12/2025' is not a date (YYYY-MM-DD)" in capsys.readouterr().err


# -- the command line's last line of defence ----------------------------------------------


def explode(*args, **kwargs):
    raise RuntimeError("something\nunexpected")


def test_an_unexpected_exception_is_one_line_and_exit_2(project, monkeypatch):
    monkeypatch.setattr(cli, "run_build", explode)
    result = run(project, "build")
    assert result.returncode == 2
    assert result.stderr == (
        "briefgen: internal error: RuntimeError: something unexpected "
        "(run with --debug for the traceback)\n"
    )


@pytest.mark.parametrize("argv", [["--debug", "build"], ["build", "--debug"]])
def test_debug_shows_the_traceback(project, monkeypatch, argv):
    monkeypatch.setattr(cli, "run_build", explode)
    with pytest.raises(RuntimeError, match="unexpected"):
        run(project, *argv)


def test_debug_shows_the_traceback_of_a_content_error_too(project):
    from briefgen.errors import ContentError

    edit(project / "content/mini.yaml", "values: [45, 35]", "values: [45]")
    assert run(project, "build").returncode == 1
    with pytest.raises(ContentError):
        run(project, "build", "--debug")


# -- whatever the build would refuse, check reports first ---------------------------------


def test_an_element_the_docx_writer_refuses_is_located_in_its_template(project):
    template = project / "templates/audiences/general/brief.html.j2"
    template.write_text(
        '{% extends "base/brief.html.j2" %}\n{% block summary %}\n'
        '  <div class="callout">{{ super() }}</div>\n{% endblock %}\n',
        encoding="utf-8",
    )
    result = run(project, "check", "--today", TODAY)
    assert result.returncode == 1
    errors = [p for p in problems(result.stdout) if p[2] == "error"]
    assert errors == [
        (
            "templates/audiences/general/brief.html.j2",
            3,
            "error",
            '<div class="callout"> has a class the DOCX writer does not know (it knows: '
            "figure-item), so the DOCX edition cannot be built (use the elements listed in "
            "src/briefgen/writers/docx/vocabulary.py, or build this audience as PDF only "
            "(formats: [pdf]))",
        )
    ]
    assert "brief.html.j2:3:3: error:" in result.stdout


@pytest.mark.parametrize(
    "written",
    [
        "{=talent.app_dev}",
        "{=talent}",
        "{= talent.app-dev}",
        "{=Talent.app-dev}",
    ],
)
def test_a_malformed_figure_reference_is_a_located_error(project, written):
    brief = project / "content/mini.yaml"
    edit(brief, "{=talent.app-dev} [@", f"{written} [@")
    line = line_of(brief, f"{written} [@")
    expected = f"content/mini.yaml:{line}:15: error: malformed figure reference {written} ("
    checked = run(project, "check", "--today", TODAY)
    assert checked.returncode == 1
    assert expected in checked.stdout
    built = run(project, "build", "--jobs", "1", "--format", "pdf", "--lang", "en")
    assert built.returncode == 1
    assert expected in built.stderr
    assert not [p for p in (project / "build").rglob("*") if p.suffix in {".pdf", ".docx"}]
