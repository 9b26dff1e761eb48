"""`briefgen preview`: a real browser sees an edit, an error, and the last good PDF.

Headless Chromium (Debian's `chromium`, installed by `scripts/setup-system.sh --test`)
is driven with Playwright's Python client; Playwright's own browsers are never
downloaded. Chromium's PDF viewer may not draw in headless mode, so the test reads
the page's status and text view, which come from the same build as the PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from urllib.request import urlopen

import pytest
from ruamel.yaml import YAML

from briefgen.engine.incremental import Job
from briefgen.engine.preview import Edition, Previewer, plain_text
from briefgen.project.paths import Project

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
BRIEF = "fintech-2030"


def previewer_over(root: Path, briefs: list[str]) -> Previewer:
    """A previewer with a stand-in project (what `affected` reads), no build."""
    previewer = Previewer(Project(root), root / "out", log=lambda line: None)
    previewer.loaded = SimpleNamespace(briefs=dict.fromkeys(briefs))  # type: ignore[assignment]
    previewer.stale = False
    for brief in briefs:
        for audience in ("general", "board"):
            job = Job(brief, audience, "en", "pdf")
            previewer.editions[job.edition] = Edition(job, status="ok")
    return previewer


def test_an_edit_rebuilds_only_the_editions_it_affects(tmp_path):
    previewer = previewer_over(tmp_path, ["a", "b"])
    content, audiences = tmp_path / "content", tmp_path / "templates" / "audiences"
    assert previewer.affected([content / "a.yaml"]) == (
        False,
        {("a", "general", "en"), ("a", "board", "en")},
    )
    assert previewer.affected([content / ".a.yaml.swp", content / "sedX1b2"]) == (False, set())
    assert previewer.affected([audiences / "board" / "brief.html.j2"]) == (
        False,
        {("a", "board", "en"), ("b", "board", "en")},
    )
    full, wanted = previewer.affected([audiences / "board" / "audience.yaml"])
    assert full and wanted == {("a", "board", "en"), ("b", "board", "en")}
    for shared in (content / "sources.yaml", content / "data" / "x.yaml", content / "new.yaml"):
        assert previewer.affected([shared]) == (True, set(previewer.editions))
    previewer.editions[("b", "general", "en")].status = "error"
    assert previewer.affected([content / "a.yaml"])[1] >= {("b", "general", "en")}


def test_first_layouts_come_first_and_a_failed_make_up_keeps_its_draft(tmp_path, monkeypatch):
    """After an edit every affected edition's first layout is served before any page
    make-up starts; a make-up that fails leaves the first layout served, and says so."""
    from briefgen.engine import preview
    from briefgen.errors import BriefgenError
    from briefgen.writers import pdf

    lines: list[str] = []
    previewer = previewer_over(tmp_path, ["a", "b"])
    previewer.log = lines.append
    monkeypatch.setattr(preview, "render_job_html", lambda loaded, job, out: "<html></html>")
    monkeypatch.setattr(pdf, "require_fonts", lambda html, where: None)
    steps: list[tuple[str, str, bool]] = []

    def write(edition, page, make_up):
        steps.append(("write", edition.name, make_up))
        if make_up and edition.job.brief == "a":
            raise BriefgenError("a layout error")
        return []

    monkeypatch.setattr(previewer, "_write", write)
    monkeypatch.setattr(
        previewer, "_publish", lambda e, page, t, draft: steps.append(("serve", e.name, draft))
    )
    previewer.build(draft_first=True)
    drafts = [i for i, (kind, _, draft) in enumerate(steps) if kind == "serve" and draft]
    make_ups = [i for i, (kind, _, make_up) in enumerate(steps) if kind == "write" and make_up]
    assert len(drafts) == len(make_ups) == 4 and max(drafts) < min(make_ups), steps
    served = [name for kind, name, draft in steps if kind == "serve" and not draft]
    assert served and all(".a." not in f".{name}." for name in served), steps
    assert any("page make-up failed: a layout error" in line for line in lines), lines


def test_the_text_view_is_the_visible_text():
    page = "<html><head><style>p{x:1}</style></head><body><h1>T</h1><p>a <b>1,200</b>+</p></body>"
    assert plain_text(page) == "T\na 1,200+"


def start_preview(project: Path, log: Path) -> tuple[subprocess.Popen, str]:
    command = [str(Path(sys.executable).parent / "briefgen"), "preview", "--brief", BRIEF]
    command += ["--port", "0", "--out", str(project / "out")]
    process = subprocess.Popen(
        command,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=log.open("w"),
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("preview: http://127.0.0.1:"), line
    return process, line.split()[1]


def wait_for_state(url: str, ready, timeout: float = 120) -> dict:
    import json

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = json.load(urlopen(url + "state.json", timeout=10))
        if ready(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"the preview never got there: {state}")


def set_key_figure(path: Path, value: str) -> None:
    """Give the brief's first key figure a new value, in both languages."""
    yaml = YAML()
    data = yaml.load(path.read_text(encoding="utf-8"))
    data["key_figures"][0]["value"] = {"en": value, "zh-Hant": value}
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (setup-system --test)")
def test_the_browser_shows_an_edit_an_error_and_keeps_the_last_pdf(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # a shared 2-core machine can be slow
    project = tmp_path / "project"
    for name in ("content", "templates"):
        shutil.copytree(ROOT / name, project / name)
    brief = project / "content" / f"{BRIEF}.yaml"
    log = tmp_path / "preview.log"
    process, url = start_preview(project, log)
    try:
        wait_for_state(url, lambda s: [e["status"] for e in s["editions"]] == ["ok"])
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch_persistent_context(
                tempfile.mkdtemp(dir=tmp_path),  # a fresh profile
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_FLAGS,
            )
            page = browser.new_page()
            page.goto(url)
            edition = page.locator(f'section[data-name="general/{BRIEF}.en.pdf"]')
            expect(edition).to_have_attribute("data-status", "ok")
            # The user sees the real PDF, served by the preview.
            frame = edition.locator("iframe")
            pdf_url = frame.get_attribute("src")
            assert urlopen(url + pdf_url.lstrip("/")).read().startswith(b"%PDF-")
            edition.locator("summary").click()
            expect(edition.locator(".text")).not_to_contain_text("9,876+")

            set_key_figure(brief, "9,876+")  # the page reloads itself: no goto
            expect(edition).to_have_attribute("data-version", "2")
            edition.locator("summary").click()
            expect(edition.locator(".text")).to_contain_text("9,876+")
            # The first layout is shown at once; the made-up one replaces it.
            expect(edition).to_have_attribute("data-draft", "false")
            assert edition.locator("iframe").get_attribute("src").endswith("v=2")

            text = brief.read_text(encoding="utf-8")
            brief.write_text(text.replace("as_of: 2025", "as_of: someday 2025", 1), "utf-8")
            expect(edition).to_have_attribute("data-status", "error")
            shown = page.locator(".error").first.inner_text()
            assert shown.startswith(f"content/{BRIEF}.yaml:")
            assert "error:" in shown
            assert shown in log.read_text(encoding="utf-8").splitlines()
            # The last good PDF stays on the page.
            expect(edition.locator("iframe")).to_have_attribute(
                "src", pdf_url.replace("v=1", "v=2")
            )

            brief.write_text(text, "utf-8")
            expect(edition).to_have_attribute("data-status", "ok")
            expect(edition).to_have_attribute("data-version", "3")
            browser.close()
    finally:
        process.terminate()
        process.wait(10)


def test_an_editors_temporary_file_is_not_read_as_a_brief(tmp_path):
    previewer = previewer_over(tmp_path, ["a"])
    read: list[str] = []
    previewer._reload_brief = lambda name, editions: read.append(name) or True  # type: ignore[method-assign]
    previewer.build = lambda editions, reading=(0.0, 0.0), draft_first=False: None  # type: ignore[method-assign]
    content = tmp_path / "content"
    previewer.apply([content / "sedIRBJ5r", content / "a.yaml"])  # what `sed -i` leaves
    assert read == ["a"]
