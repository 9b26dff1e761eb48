"""The build engine: plan, incremental rebuilds, reproducible bytes."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import briefgen, edit

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files


@pytest.fixture
def two_briefs(project: Path) -> Path:
    """The mini project with a second brief, so an edit can touch one of two."""
    shutil.copy(project / "content/mini.yaml", project / "content/other.yaml")
    return project


def built_lines(stdout: str) -> set[str]:
    return {line.split()[-3] for line in stdout.splitlines() if " built  " in f" {line}"}


def digests(folder: Path) -> dict[str, str]:
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def test_plan_lists_the_matrix_as_json(two_briefs):
    result = briefgen("build", "--plan", "--json", cwd=two_briefs, check=True)
    jobs = json.loads(result.stdout)
    assert {job["brief"] for job in jobs} == {"mini", "other"}
    assert {job["format"] for job in jobs} == {"pdf", "docx"}
    assert {job["lang"] for job in jobs} == {"en", "zh-Hant", "zh-Hans", "bilingual"}
    assert all(job["target"].startswith("build/general/") for job in jobs)
    assert not (two_briefs / "build/general").exists(), "--plan must build nothing"
    narrowed = briefgen(
        "build",
        "--plan",
        "--json",
        "--brief",
        "other",
        "--format",
        "pdf",
        cwd=two_briefs,
        check=True,
    )
    assert {(j["brief"], j["format"]) for j in json.loads(narrowed.stdout)} == {("other", "pdf")}


def test_a_second_build_builds_nothing(two_briefs):
    first = briefgen("build", cwd=two_briefs, check=True)
    assert "16 built, 0 up to date" in first.stdout
    before = digests(two_briefs / "build/general")
    second = briefgen("build", cwd=two_briefs, check=True)
    assert "0 built, 16 up to date, 0 failed" in second.stdout
    assert digests(two_briefs / "build/general") == before
    # and answers from digests alone: no loader (pydantic), no renderer is imported
    probe = (
        "import sys; from briefgen.cli import main; main(['build']); "
        "print(sorted({'pydantic', 'weasyprint', 'matplotlib', 'jinja2'} & set(sys.modules)))"
    )
    third = subprocess.run(
        [sys.executable, "-c", probe], cwd=two_briefs, capture_output=True, text=True, check=True
    )
    assert third.stdout.splitlines()[-1] == "[]", third.stdout


def test_editing_one_brief_rebuilds_exactly_its_artifacts(two_briefs):
    briefgen("build", cwd=two_briefs, check=True)
    out = two_briefs / "build/general"
    stamps = {path.name: path.stat().st_mtime_ns for path in out.iterdir()}
    edit(two_briefs / "content/other.yaml", "The road so far", "The road until now")
    result = briefgen("build", cwd=two_briefs, check=True)
    assert "8 built, 8 up to date" in result.stdout
    changed = {path.name for path in out.iterdir() if path.stat().st_mtime_ns != stamps[path.name]}
    assert changed == {name for name in stamps if name.startswith("other.")}


def test_a_template_edit_rebuilds_everything_and_force_rebuilds_all(two_briefs):
    briefgen("build", cwd=two_briefs, check=True)
    css = two_briefs / "templates/base/brief.css.j2"
    css.write_text(
        css.read_text(encoding="utf-8") + "\n/* a designer's edit */\n", encoding="utf-8"
    )
    assert "16 built, 0 up to date" in briefgen("build", cwd=two_briefs, check=True).stdout
    assert "16 built" in briefgen("build", "--force", cwd=two_briefs, check=True).stdout


def test_a_damaged_artifact_is_built_again(two_briefs):
    briefgen("build", "--lang", "en", cwd=two_briefs, check=True)
    target = two_briefs / "build/general/mini.en.pdf"
    target.write_bytes(b"not a pdf")
    result = briefgen("build", "--lang", "en", cwd=two_briefs, check=True)
    assert "1 built, 3 up to date" in result.stdout
    assert target.read_bytes().startswith(b"%PDF")


def test_two_clean_builds_in_two_directories_give_identical_bytes(project, tmp_path):
    copies = []
    for name in ("first checkout", "second"):
        copy = tmp_path / name / "project"
        shutil.copytree(project, copy)
        copies.append(copy)
    briefgen("build", "--jobs", "2", cwd=copies[0], check=True)
    briefgen("build", "--jobs", "1", cwd=copies[1], check=True)
    first, second = (digests(copy / "build/general") for copy in copies)
    assert first == second
    assert len(first) == 8
    charts = [digests(copy / "build/.cache/charts") for copy in copies]
    assert charts[0] == charts[1]
