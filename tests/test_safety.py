"""Nothing fetched or read that should not be; nothing that makes the tool hang or crash.

- YAML: a "billion laughs" document (and a long text repeated through aliases) is
  refused in well under a second, with its line; so is nesting too deep.
- Templates: images, stylesheets and attachments may come only from files under
  templates/ (and the chart cache); `file:///etc/passwd`, `http://…`, `..` escapes
  (plain or percent-encoded) and symbolic links out are refused, the build says so,
  and the document does not hold them.
- Content: raw HTML such as `<script>` is shown as text (tests/test_errors.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import BILLION_LAUGHS, edit, make_project, run
from pypdf import PdfReader

from briefgen.errors import ContentError
from briefgen.project.load import read_yaml
from briefgen.writers.pdf import AssetFetcher


def refused(path: Path, text: str) -> ContentError:
    path.write_text(text, encoding="utf-8")
    # The bound is on work, not wall time: the refusal names the limit that stopped
    # the expansion (each test asserts it). Timings belong in `make bench`.
    with pytest.raises(ContentError) as caught:
        read_yaml(path)
    return caught.value


def test_billion_laughs_is_refused_quickly_with_its_line(tmp_path):
    problem = refused(tmp_path / "lol.yaml", BILLION_LAUGHS).problems[0]
    assert (problem.line, problem.col) == (6, 4)  # `f:` is the first to pass the limit
    assert "expands to more than 100,000 values through aliases" in problem.message


def test_a_long_text_repeated_through_aliases_is_refused(tmp_path):
    text = 'a: &a "' + "x" * 100_000 + '"\nb: [' + ", ".join(["*a"] * 100) + "]\n"
    problem = refused(tmp_path / "long.yaml", text).problems[0]
    assert problem.line == 2
    assert "more than 5,000,000 characters" in problem.message


def test_deep_nesting_is_refused_not_a_recursion_error(tmp_path):
    problem = refused(tmp_path / "deep.yaml", "a: " + "[" * 5000 + "]" * 5000).problems[0]
    assert problem.line == 1
    assert "nested more than 50 levels deep" in problem.message


def test_aliases_within_limits_still_load(tmp_path):
    path = tmp_path / "ok.yaml"
    path.write_text("a: &a {en: x, zh-Hant: y}\nb: *a\nc: [*a, *a]\n", encoding="utf-8")
    data = read_yaml(path).data
    assert data["b"] == {"en": "x", "zh-Hant": "y"}
    assert data["c"] == [data["a"], data["a"]]


def test_python_tags_build_no_objects(tmp_path):
    path = tmp_path / "tags.yaml"
    path.write_text("a: !!python/object/apply:os.system ['echo hacked']\n", encoding="utf-8")
    value = read_yaml(path).data["a"]
    assert not callable(value)
    assert type(value).__module__.startswith("ruamel.yaml")


# -- the URL fetcher -----------------------------------------------------------------


@pytest.fixture
def fetcher(tmp_path) -> tuple[AssetFetcher, Path]:
    templates = tmp_path / "templates"
    (templates / "base").mkdir(parents=True)
    (templates / "base" / "logo.svg").write_text("<svg/>", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (templates / "base" / "link.svg").symlink_to(tmp_path / "secret.txt")
    return AssetFetcher([templates]), templates


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://example.invalid/x.png",
        "https://example.invalid/x.png",
        "ftp://example.invalid/x.png",
        "file://example.invalid/etc/passwd",
        "{templates}/../../etc/passwd",
        "{templates}/base/../../secret.txt",
        "{templates}/%2e%2e/secret.txt",
        "{templates}/base/%2E%2E/%2E%2E/secret.txt",
        "{templates}/base/link.svg",  # a symbolic link to a file outside
    ],
)
def test_fetcher_refuses(fetcher, url):
    assets, templates = fetcher
    url = url.replace("{templates}", f"file://{templates}")
    assert assets.allowed_file(url) is None
    with pytest.raises(ValueError, match="refused to fetch"):
        assets.fetch(url)
    assert assets.refused == [url]


def test_fetcher_serves_files_under_the_asset_folders(fetcher):
    assets, templates = fetcher
    for url in (
        f"file://{templates}/base/logo.svg",
        f"file://{templates}/base/../base/logo.svg",
        "data:text/plain,hello",
    ):
        response = assets.fetch(url)
        assert response.read() in {b"<svg/>", b"hello"}
        response.close()
    assert assets.refused == []


# -- a hostile template, built ---------------------------------------------------------


@pytest.fixture
def hostile(tmp_path) -> Path:
    """The mini project whose template reaches for /etc/passwd and the network."""
    project = make_project(tmp_path / "project")
    templates = (project / "templates").resolve()
    payloads = [
        '<img src="file:///etc/passwd" alt="passwd">',
        '<img src="http://example.invalid/x.png" alt="network">',
        f'<img src="file://{templates}/../../etc/passwd" alt="dot-dot">',
        f'<img src="file://{templates}/%2e%2e/%2e%2e/etc/passwd" alt="encoded">',
        '<a rel="attachment" href="file:///etc/passwd">attached passwd</a>',
        # a control: an attachment the fetcher may serve is embedded, so the
        # refusals above are what keeps /etc/passwd out, not WeasyPrint ignoring them
        f'<a rel="attachment" href="file://{templates}/base/messages.yaml">messages</a>',
    ]
    template = project / "templates/base/brief.html.j2"
    edit(template, "<main>", "<main>\n<p>" + "".join(payloads) + "</p>")
    edit(
        template,
        "</head>",
        '<link rel="attachment" href="file:///etc/passwd">'
        '<link rel="stylesheet" href="http://example.invalid/x.css"></head>',
    )
    return project


def only(project: Path, languages: str, formats: str) -> None:
    audience = project / "templates/audiences/general/audience.yaml"
    text = audience.read_text(encoding="utf-8")
    start = text.index("languages:")
    text = text[:start] + f"languages: {languages}\nformats: {formats}\n"
    audience.write_text(text, encoding="utf-8")


def attachments(pdf: Path) -> list[str]:
    reader = PdfReader(pdf)
    names = list(reader.attachments)
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            if annotation.get("/Subtype") == "/FileAttachment":
                names.append(str(annotation["/FS"].get_object().get("/F")))
    return names


def test_hostile_template_builds_a_pdf_without_the_payload(hostile):
    only(hostile, "[en]", "[pdf]")
    result = run(hostile, "build", "--jobs", "1")
    assert result.returncode == 0, result.stderr
    refusals = [line for line in result.stderr.splitlines() if "refused to fetch" in line]
    for reference in (
        "file:///etc/passwd",
        "http://example.invalid/x.png",
        "http://example.invalid/x.css",
        "/../../etc/passwd",
        "/%2e%2e/%2e%2e/etc/passwd",
    ):
        assert any(reference in line for line in refusals), (reference, result.stderr)
    assert all("build/general/mini.en.pdf: warning: " in line for line in refusals)
    assert all("only files under templates/" in line for line in refusals)
    assert "Traceback" not in result.stderr

    pdf = hostile / "build/general/mini.en.pdf"
    names = attachments(pdf)
    assert "messages.yaml" in names, "the control attachment is missing"
    assert not any("passwd" in name for name in names), names
    raw = pdf.read_bytes()
    assert b"root:x:0:0" not in raw and b"/bin/bash" not in raw
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "root:" not in text


def test_hostile_template_is_refused_by_the_docx_writer(hostile):
    only(hostile, "[en]", "[docx]")
    result = run(hostile, "build", "--jobs", "1")
    assert result.returncode == 1
    assert "not in the DOCX writer's vocabulary" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not (hostile / "build/general/mini.en.docx").exists()
    assert not list((hostile / "build").rglob("*.part"))


def test_check_warns_about_what_the_build_would_refuse(hostile):
    only(hostile, "[en]", "[pdf]")
    result = run(hostile, "check")
    template_line = next(
        number
        for number, line in enumerate(
            (hostile / "templates/base/brief.html.j2").read_text().split("\n"), start=1
        )
        if "file:///etc/passwd" in line
    )
    warnings = [line for line in result.stdout.splitlines() if ": warning: " in line]
    where = f"templates/base/brief.html.j2:{template_line}:"
    assert any(where in line and "file:///etc/passwd" in line for line in warnings), warnings
    assert any("http://example.invalid/x.png" in line for line in warnings)
    assert any("%2e%2e" in line for line in warnings)
    written = [p for p in (hostile / "build").rglob("*") if p.is_file()]
    # only its caches: nothing it read from outside the project (no copy of /etc/passwd)
    assert all(p.is_relative_to(hostile / "build/.cache") for p in written), written
    assert not any(b"root:" in p.read_bytes() for p in written)
