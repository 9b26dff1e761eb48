"""`briefgen check` answers from build/.cache/check/ exactly as a full check would.

Each test compares a cached run with an uncached one (the cache folder removed
first) on the small project, and counts the full checks actually run.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, edit, run

from briefgen.project import check

TODAY = "2025-12-20"
BAD, GOOD = "values: [45]", "values: [45, 35]"


@pytest.fixture
def full_checks(monkeypatch) -> list[int]:
    """How many times the full (uncached) check ran."""
    calls: list[int] = []
    original = check.check_project

    def counted(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(check, "check_project", counted)
    return calls


def uncached(project: Path, *args: str):
    shutil.rmtree(project / "build" / ".cache" / "check", ignore_errors=True)
    return run(project, "check", "--today", TODAY, *args)


def cached(project: Path, *args: str):
    return run(project, "check", "--today", TODAY, *args)


def same(a, b) -> bool:
    return (a.returncode, a.stdout, a.stderr) == (b.returncode, b.stdout, b.stderr)


def test_a_second_run_answers_from_the_cache(project, full_checks):
    first = uncached(project, "--format", "json")
    second = cached(project, "--format", "json")
    assert same(first, second) and full_checks == [1]
    assert "no brief cites it" in second.stdout


def test_an_edit_and_its_revert_report_what_a_full_check_reports(project, full_checks):
    good = uncached(project)
    edit(project / "content/mini.yaml", GOOD, BAD)
    broken = cached(project)
    assert broken.returncode == 1 and "series 1 has 1 values" in broken.stdout
    assert same(broken, cached(project)), "the broken project's answer is cached too"
    assert same(broken, uncached(project))
    edit(project / "content/mini.yaml", BAD, GOOD)
    assert same(good, cached(project))
    assert len(full_checks) == 4  # good, broken, broken uncached, reverted


def test_a_template_edit_runs_the_check_again(project, full_checks):
    cached(project)
    template = project / "templates/base/brief.html.j2"
    template.write_text(template.read_text() + "{{ no_such_name.x }}\n", encoding="utf-8")
    edited = cached(project)
    assert edited.returncode == 1 and len(full_checks) == 2
    assert same(edited, uncached(project))


def test_the_date_and_age_limit_are_part_of_the_key(project, full_checks):
    cached(project)
    run(project, "check", "--today", "2030-01-01")
    assert len(full_checks) == 2
    cached(project, "--max-age-days", "1")
    assert len(full_checks) == 3


def test_an_archived_text_is_part_of_the_key(project, tmp_path, monkeypatch, full_checks):
    archive = tmp_path / "archive"
    shutil.copytree((ROOT / "../shared/sources").resolve(), archive)
    monkeypatch.setenv("BRIEFGEN_SOURCE_ARCHIVE", str(archive))
    cached(project)
    cached(project)
    assert len(full_checks) == 1
    text = next(path for path in sorted(archive.rglob("*")) if path.is_file())
    text.write_bytes(text.read_bytes() + b"\nA new line.\n")
    cached(project)
    assert len(full_checks) == 2


@pytest.mark.parametrize("junk", [b"", b"\xff\xfe", b"[]", b'{"format": "other"}', b"{}"])
def test_a_corrupt_or_foreign_cache_file_is_ignored(project, full_checks, junk):
    good = uncached(project)
    (project / "build/.cache/check/problems.json").write_bytes(junk)
    assert same(good, cached(project))
    assert len(full_checks) == 2
    assert same(good, cached(project)) and len(full_checks) == 2, "the cache was rewritten"


def test_after_one_brief_is_edited_only_its_editions_are_rendered(project, monkeypatch):
    shutil.copy(project / "content/mini.yaml", project / "content/other.yaml")
    first = uncached(project)
    rendered: list[str] = []
    original = check.edition_html

    def counted(loaded, brief, *args, **kwargs):
        rendered.append(brief)
        return original(loaded, brief, *args, **kwargs)

    monkeypatch.setattr(check, "edition_html", counted)
    other = project / "content/other.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    commented = cached(project)
    assert rendered and set(rendered) == {"other"}
    assert same(commented, first)
    edit(other, GOOD, BAD)  # an invalid brief is not rendered at all
    broken = cached(project)
    assert broken.returncode == 1 and same(broken, uncached(project))
    assert {"mini", "other"} <= set(rendered)  # the uncached run rendered both
    edit(other, BAD, GOOD)
    rendered.clear()
    assert same(first, cached(project)) and set(rendered) <= {"other"}
