"""Issue #19: CJK fonts shrunk to the glyphs drawn; sharded builds gathered into a release."""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ROOT, briefgen
from PIL import Image
from test_release import make_two_audiences

from briefgen import cli
from briefgen.engine import release, shards
from briefgen.engine.build import Job, chart_cache, plan, render_job_html
from briefgen.engine.build import editions as edition_groups
from briefgen.engine.incremental import sha256_file
from briefgen.errors import BriefgenError
from briefgen.project.load import load_project
from briefgen.project.paths import Project
from briefgen.writers import pdf_fonts
from briefgen.writers.pdf import write_pdf

#: The largest zh-Hant and bilingual PDFs of the project (fintech-2030 is the longest brief).
EDITIONS = [("fintech-2030", "zh-Hant"), ("fintech-2030", "bilingual")]
BUDGET = 250 * 1024
#: Pages may differ in at most this share of their pixels at 100 dpi.
PIXELS = 0.001


# -- the CFF rewriter on its own ---------------------------------------------------


def test_index_round_trips_with_every_offset_size():
    for items in ([], [b""], [b"a", b"", b"bc"], [b"x" * 300, b"y"], [b"z" * 70000, b"w"]):
        data = b"pad" + pdf_fonts.write_index(items) + b"tail"
        read, end = pdf_fonts.read_index(data, 3)
        assert read == items and data[end:] == b"tail"


def test_width_arrays_in_both_forms_give_their_cids():
    assert pdf_fonts.width_cids([1, [500, 600], 10, 12, 250, 40, [0]]) == {1, 2, 10, 11, 12, 40}


def test_a_font_that_is_not_a_cid_keyed_cff_is_left_as_it_is():
    with pytest.raises(pdf_fonts.CFFError):
        pdf_fonts.subset_cid_cff(b"\x00\x01\x00\x00" + b"\0" * 64, {1})  # TrueType
    import pydyf

    pdf = pydyf.PDF()
    program = pydyf.Stream([b"\x00\x01\x00\x00truetype"], pydyf.Dictionary({"Length1": 14}))
    pdf.add_object(program)
    descriptor = pydyf.Dictionary({"FontFile3": program.reference})
    pdf.add_object(descriptor)
    cid_font = pydyf.Dictionary(
        {"Subtype": "/CIDFontType0", "FontDescriptor": descriptor.reference, "W": [3, [500]]}
    )
    pdf.add_object(cid_font)
    assert pdf_fonts.shrink_fonts(pdf) == []
    assert program.stream == [b"\x00\x01\x00\x00truetype"]


NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.mark.skipif(not NOTO_CJK.is_file(), reason="fonts-noto-cjk is not installed")
def test_glyphs_kept_from_a_full_subroutinized_cjk_font_draw_as_before():
    """The installed Noto Sans CJK (13+ Font DICTs, local and global subroutines):
    each glyph kept draws the same outline with the same advance, under CID = its gid."""
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.recordingPen import RecordingPen
    from fontTools.ttLib import TTFont

    font = TTFont(NOTO_CJK, fontNumber=0, lazy=True)
    original = font["CFF "].cff.topDictIndex[0].CharStrings
    order = font.getGlyphOrder()
    wanted = [34, 1000, 20000, 40000, 63000]
    smaller = pdf_fonts.subset_cid_cff(font.reader["CFF "], wanted, keep_outlined=False)
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(smaller), None)
    kept = cff.topDictIndex[0]
    assert kept.ROS == ("Adobe", "Identity", 0)
    assert kept.charset == [".notdef", *(f"cid{gid:05d}" for gid in wanted)]
    for gid in wanted:
        pens = RecordingPen(), RecordingPen()
        for pen, charstring in zip(
            pens, (kept.CharStrings[f"cid{gid:05d}"], original[order[gid]]), strict=True
        ):
            charstring.draw(pen)
        assert pens[0].value == pens[1].value and pens[0].value, gid
        assert kept.CharStrings[f"cid{gid:05d}"].width == original[order[gid]].width
    assert len(smaller) < len(font.reader["CFF "]) / 5


# -- the PDFs, before and after ----------------------------------------------------


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory) -> dict[tuple[str, str], dict[str, Path]]:
    """Each edition written by WeasyPrint as it is (`plain`), with fonts shrunk
    (`shrunk`), and shrunk once more from the same HTML (`again`)."""
    folder = tmp_path_factory.mktemp("fonts")
    loaded = load_project(Project(ROOT))
    written = {}
    for brief, lang in EDITIONS:
        html = render_job_html(loaded, Job(brief, "general", lang, "pdf"), folder)
        assets = [loaded.project.templates, chart_cache(folder)]
        paths = {}
        for name, shrink in (("plain", False), ("shrunk", True), ("again", True)):
            paths[name] = folder / f"{brief}.{lang}.{name}.pdf"
            write_pdf(html, loaded.project.templates, assets, paths[name], shrink_fonts=shrink)
        written[brief, lang] = paths
    return written


def run(*command: str | Path) -> str:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, check=True
    ).stdout


needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdffonts", "pdftotext", "pdftoppm", "qpdf")),
    reason="poppler-utils and qpdf are installed by scripts/setup-system.sh --test",
)
editions = pytest.mark.parametrize("edition", EDITIONS, ids=[".".join(e) for e in EDITIONS])


# -- the chart labels' text groups --------------------------------------------------

LABELS_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="300" height="80">
<text x="150" y="20" text-anchor="middle" font-size="12">centred, opaque</text>
<text x="290" y="40" text-anchor="end" font-size="12">right-aligned, opaque</text>
<text x="150" y="60" text-anchor="middle" fill-opacity="0.5">half-transparent</text>
<rect x="10" y="65" width="20" height="10" fill="#c00"/>
</svg>"""


@pytest.mark.slow
@needs_poppler
def test_opaque_text_groups_are_drawn_in_the_page_and_translucent_ones_stay(tmp_path):
    html = f"<html><body style='font-family: Noto Sans'>{LABELS_SVG}</body></html>"
    assets = [ROOT / "templates"]
    shrinker = pdf_fonts.FontShrinker()
    write_pdf(html, tmp_path, assets, tmp_path / "plain.pdf", shrink_fonts=False)
    write_pdf(html, tmp_path, assets, tmp_path / "inlined.pdf", shrink_fonts=shrinker)
    assert shrinker.groups_inlined == 2
    run("qpdf", "--check", tmp_path / "inlined.pdf")
    # Stream dictionaries stay outside the object stream: the Form XObjects can be counted.
    forms = {
        name: (tmp_path / f"{name}.pdf").read_bytes().count(b"/Subtype /Form")
        for name in ("plain", "inlined")
    }
    assert forms == {"plain": 3, "inlined": 1}
    texts = [run("pdftotext", tmp_path / f"{name}.pdf", "-") for name in ("plain", "inlined")]
    assert texts[0] == texts[1] and "right-aligned" in texts[1]
    for name in ("plain", "inlined"):
        run("pdftoppm", "-r", "100", "-png", tmp_path / f"{name}.pdf", tmp_path / name)
    a, b = (
        np.asarray(Image.open(tmp_path / f"{name}-1.png").convert("RGB"))
        for name in ("plain", "inlined")
    )
    assert float((a != b).any(axis=2).mean()) < PIXELS


@pytest.mark.slow
@needs_poppler
@editions
def test_every_font_is_embedded_and_subset_and_the_cjk_ones_are_bare_cff(pdfs, edition):
    rows = run("pdffonts", pdfs[edition]["shrunk"]).splitlines()[2:]
    assert rows
    types = []
    for row in rows:
        fields = row.split()
        emb, sub, uni = fields[-5:-2]
        assert (emb, sub, uni) == ("yes", "yes", "yes"), row
        assert "+" in fields[0], f"{fields[0]}: no subset tag"
        types.append(" ".join(fields[1:-6]))
    assert "CID Type 0C" in types  # Noto CJK, now without its OpenType wrapper


@pytest.mark.slow
@needs_poppler
@editions
def test_qpdf_finds_no_error(pdfs, edition):
    result = subprocess.run(["qpdf", "--check", pdfs[edition]["shrunk"]], capture_output=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
@needs_poppler
@editions
def test_the_text_extracts_exactly_as_before(pdfs, edition):
    before = run("pdftotext", "-enc", "UTF-8", pdfs[edition]["plain"], "-")
    after = run("pdftotext", "-enc", "UTF-8", pdfs[edition]["shrunk"], "-")
    assert after == before and len(after) > 1000


@pytest.mark.slow
@needs_poppler
@editions
def test_the_pages_render_as_before_at_100_dpi(pdfs, edition, tmp_path):
    pages = {}
    for name in ("plain", "shrunk"):
        run("pdftoppm", "-r", "100", "-png", pdfs[edition][name], tmp_path / name)
        pages[name] = sorted(tmp_path.glob(f"{name}-*.png"))
    assert len(pages["plain"]) == len(pages["shrunk"]) > 1
    for before, after in zip(pages["plain"], pages["shrunk"], strict=True):
        a = np.asarray(Image.open(before).convert("RGB"))
        b = np.asarray(Image.open(after).convert("RGB"))
        assert a.shape == b.shape
        share = float((a != b).any(axis=2).mean())
        assert share < PIXELS, f"{after.name}: {share:.4%} of its pixels differ"


@pytest.mark.slow
@editions
def test_the_cjk_fonts_shrink_and_the_build_stays_reproducible(pdfs, edition):
    paths = pdfs[edition]
    assert paths["shrunk"].read_bytes() == paths["again"].read_bytes()
    before, after = paths["plain"].stat().st_size, paths["shrunk"].stat().st_size
    assert after < 0.55 * before, f"{before} -> {after} bytes"


#: The longest Chinese edition of each other audience (fintech-2030 is the longest brief).
LARGEST_ELSEWHERE = [
    ("board", "zh-Hant"),
    ("mainland-partner", "zh-Hans"),
    ("public", "zh-Hant"),
    ("regulator", "zh-Hant"),
]


@pytest.mark.slow
@editions
def test_the_pdf_is_under_250_kb(pdfs, edition):
    size = pdfs[edition]["shrunk"].stat().st_size
    assert size < BUDGET, f"{size / 1024:.0f} KB"


@pytest.mark.slow
@pytest.mark.parametrize("audience, lang", LARGEST_ELSEWHERE, ids=[a for a, _ in LARGEST_ELSEWHERE])
def test_the_largest_pdf_of_every_audience_is_under_250_kb(tmp_path, audience, lang):
    loaded = load_project(Project(ROOT))
    html = render_job_html(loaded, Job("fintech-2030", audience, lang, "pdf"), tmp_path)
    target = tmp_path / "brief.pdf"
    write_pdf(
        html, loaded.project.templates, [loaded.project.templates, chart_cache(tmp_path)], target
    )
    assert target.stat().st_size < BUDGET, f"{target.stat().st_size / 1024:.0f} KB"


# -- shards ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def the_plan() -> tuple[Project, list[Job]]:
    project = Project(ROOT)
    return project, plan(load_project(project))


def test_shard_arguments_are_checked():
    assert shards.parse_shard("2/4") == (2, 4)
    for bad in ("0/2", "3/2", "2", "a/b", "1/0", "-1/2"):
        with pytest.raises(BriefgenError, match="expected K/N"):
            shards.parse_shard(bad)


@pytest.mark.parametrize("count", [1, 2, 3, 5, 40])
def test_shards_split_the_plan_into_whole_balanced_editions(the_plan, count):
    project, jobs = the_plan
    parts = shards.split(project, jobs, count)
    assert parts == shards.split(project, list(jobs), count)  # deterministic
    flat = [job for part in parts for job in part]
    assert len(flat) == len(jobs) and set(flat) == set(jobs)  # each job once
    owner = {job.edition: index for index, part in enumerate(parts) for job in part}
    assert all(owner[job.edition] == index for index, part in enumerate(parts) for job in part)
    for part in parts:  # plan order is kept within a shard
        assert part == [job for job in jobs if job in part]
    cost = {
        key: shards.edition_cost(project, group)
        for key, group in ((g[0].edition, g) for g in edition_groups(jobs))
    }
    loads = [sum(cost[key] for key in {job.edition for job in part}) for part in parts]
    # greedy largest-first: no shard exceeds another by more than one edition
    assert max(loads) - min(loads) <= max(cost.values()) + 1e-9
    if count <= len(cost):
        assert all(parts)


def test_the_fan_out_threshold():
    assert shards.shard_count(72) == 1
    assert shards.shard_count(shards.ARTIFACTS_PER_SHARD) == 1
    assert shards.shard_count(shards.ARTIFACTS_PER_SHARD + 1) == 2
    assert shards.shard_count(10**6) == shards.MAX_SHARDS


def fake_shard(folder: Path, k: int, n: int, paths: list[str], plan_paths: list[str]) -> Path:
    """A shard folder with a receipt and stand-in files (enough for the checks that
    come before anything is copied)."""
    artifacts = []
    for path in paths:
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(path.encode())
        artifacts.append(
            {"path": path, "bytes": len(path.encode()), "sha256": sha256_file(folder / path)}
        )
    receipt = {"format": 1, "shard": [k, n], "commit": "abc", "tools": {"x": "1"}}
    receipt |= {"plan": sorted(plan_paths), "artifacts": artifacts}
    (folder / shards.RECEIPT).write_text(json.dumps(receipt), encoding="utf-8")
    return folder


def test_gather_refuses_shards_that_do_not_make_the_plan(tmp_path):
    everything = ["general/a.en.pdf", "general/b.en.pdf", "general/c.en.pdf"]
    one = fake_shard(tmp_path / "s1", 1, 2, everything[:1], everything)
    two = fake_shard(tmp_path / "s2", 2, 2, everything[1:2], everything)
    out = tmp_path / "release"
    with pytest.raises(BriefgenError, match=r"general/c\.en\.pdf: in the plan but in no shard"):
        shards.gather(ROOT, [one, two], out)
    with pytest.raises(BriefgenError, match=r"shards \[1\]"):
        shards.gather(ROOT, [one], out)
    (two / "general" / "b.en.pdf").write_bytes(b"tampered")
    with pytest.raises(BriefgenError, match=r"b\.en\.pdf: differs from shard\.json"):
        shards.gather(ROOT, [one, two], out)
    with pytest.raises(BriefgenError, match=r"shard\.json: cannot be read"):
        shards.gather(ROOT, [one, tmp_path / "empty"], out)
    assert not out.exists()  # nothing was written
    (two / "general" / "b.en.pdf").write_bytes(b"general/b.en.pdf")
    for inside in (one, one / "release", tmp_path):
        with pytest.raises(BriefgenError, match="cannot hold or be in shard"):
            shards.gather(ROOT, [one, two], inside)
    assert (one / shards.RECEIPT).is_file()  # no shard was cleared away


def test_gather_refuses_shards_of_different_commits(tmp_path):
    everything = ["general/a.en.pdf", "general/b.en.pdf"]
    one = fake_shard(tmp_path / "s1", 1, 2, everything[:1], everything)
    two = fake_shard(tmp_path / "s2", 2, 2, everything[1:], everything)
    receipt = json.loads((two / shards.RECEIPT).read_text(encoding="utf-8"))
    receipt["commit"] = "def"
    (two / shards.RECEIPT).write_text(json.dumps(receipt), encoding="utf-8")
    with pytest.raises(BriefgenError, match="commit differs"):
        shards.gather(ROOT, [one, two], tmp_path / "release")


def test_a_shard_with_an_unreadable_artifact_writes_no_receipt(tmp_path):
    project = Project(ROOT)
    jobs = [
        Job("fintech-2030", "general", "en", "pdf"),
        Job("fintech-2030", "general", "en", "docx"),
    ]
    jobs[0].target(tmp_path).parent.mkdir(parents=True)
    jobs[0].target(tmp_path).write_bytes(b"%PDF-1.7 truncated")
    with pytest.raises(BriefgenError, match="unsound artifacts") as caught:
        shards.write_receipt(project, tmp_path, (1, 1), jobs, jobs)
    assert "fintech-2030.en.pdf: cannot be read" in str(caught.value)
    assert "fintech-2030.en.docx: cannot be read" in str(caught.value)  # missing
    assert not (tmp_path / shards.RECEIPT).exists()


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_two_shards_gathered_are_byte_identical_to_a_release_build(tmp_path):
    """The real command lines, on a small copy of the project (one brief, two audiences)."""
    project = make_two_audiences(tmp_path / "project")
    whole = release.build_release(project, tmp_path / "whole", workers=1).out
    folders = []
    for k in (1, 2):
        folder = tmp_path / f"shard-{k}"
        briefgen(
            "build",
            "--shard",
            f"{k}/2",
            "--force",
            "--jobs",
            "1",
            "--out",
            str(folder),
            cwd=project,
            check=True,
        )
        folders.append(folder)
    receipts = [json.loads((f / shards.RECEIPT).read_text(encoding="utf-8")) for f in folders]
    assert all(receipt["artifacts"] for receipt in receipts)  # both shards did some work
    gathered = briefgen(
        "release",
        "gather",
        *map(str, folders),
        "--out",
        str(tmp_path / "rel"),
        cwd=project,
        check=True,
    )
    assert "gathered" in gathered.stdout
    assert tree(tmp_path / "rel") == tree(whole)
    assert release.verify_release(tmp_path / "rel") == []


# -- the workflow ------------------------------------------------------------------

WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


@pytest.fixture(scope="module")
def workflow() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))


def needs(job: dict) -> list[str]:
    value = job.get("needs", [])
    return [value] if isinstance(value, str) else list(value)


def test_the_workflow_job_graph_is_consistent(workflow):
    jobs = workflow["jobs"]
    for name, job in jobs.items():
        for need in needs(job):
            assert need in jobs, f"{name} needs {need}, which is no job"
        text = json.dumps(job)
        for job_name, output in re.findall(r"needs\.([\w-]+)\.outputs\.([\w-]+)", text):
            assert job_name in needs(job), f"{name} reads {job_name}'s outputs without needing it"
            assert output in jobs[job_name].get("outputs", {}), f"{job_name} has no {output}"
        for script in re.findall(r"scripts/[\w.-]+", text):
            assert (ROOT / script).is_file(), f"{name} runs {script}, which does not exist"
    done: set[str] = set()  # no cycle: the jobs can be ordered
    while len(done) < len(jobs):
        ready = {name for name, job in jobs.items() if name not in done and set(needs(job)) <= done}
        assert ready, f"a cycle among {set(jobs) - done}"
        done |= ready


def test_the_release_fans_out_past_the_threshold_and_runs_one_job_below(workflow):
    jobs = workflow["jobs"]
    assert jobs["release"]["if"] == "needs.plan.outputs.shards == '1'"
    for name in ("shard", "test", "gather"):
        assert jobs[name]["if"] == "needs.plan.outputs.shards != '1'"
    assert (
        jobs["shard"]["strategy"]["matrix"]["shard"] == "${{ fromJSON(needs.plan.outputs.matrix) }}"
    )
    build = "\n".join(step.get("run", "") for step in jobs["shard"]["steps"])
    assert '--shard "${{ matrix.shard }}/${{ needs.plan.outputs.shards }}"' in build
    gather = "\n".join(step.get("run", "") for step in jobs["gather"]["steps"])
    assert "briefgen release gather build/shards/shard-*" in gather
    assert set(needs(jobs["gather"])) == {"plan", "shard", "test"}
    assert set(needs(jobs["publish"])) == {"release", "gather"}
    plan_step = "\n".join(step.get("run", "") for step in jobs["plan"]["steps"])
    assert "briefgen release plan" in plan_step


@pytest.mark.slow  # loads the whole real project
def test_the_plan_step_prints_the_outputs_the_workflow_reads(workflow, capsys):
    assert cli.main(["--project", str(ROOT), "release", "plan"]) == 0
    printed = dict(line.split("=", 1) for line in capsys.readouterr().out.splitlines())
    assert set(printed) == set(workflow["jobs"]["plan"]["outputs"])
    assert printed["shards"] == "1" and json.loads(printed["matrix"]) == [1]
    assert int(printed["artifacts"]) == len(plan(load_project(Project(ROOT))))


def test_no_build_or_test_step_can_see_a_token(workflow):
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        text = json.dumps(job)
        if name == "publish":
            assert job["permissions"] == {"contents": "write"}
            assert not any("run" in step for step in job["steps"])  # runs nothing of ours
            assert all("checkout" not in step.get("uses", "") for step in job["steps"])
            continue
        assert "permissions" not in job, f"{name} asks for permissions"
        assert "secrets." not in text and "github.token" not in text, name
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout"):
                assert step["with"]["persist-credentials"] is False, name


def test_the_readme_shows_the_workflows_job_graph():
    header = WORKFLOW.read_text(encoding="utf-8").split("\nname:")[0]
    graph = [line[1:] for line in header.splitlines() if "──" in line or "└" in line]
    assert graph, "the workflow's header comment lost its job graph"
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for line in graph:
        assert line.strip() in readme, f"README lacks the job graph line {line.strip()!r}"
