"""Audiences: one set of facts, several editions, customised without Python."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from conftest import BRIEFS, ROOT, assert_fails_with, briefgen, edit, line_of, raw_yaml

pytestmark = pytest.mark.slow  # builds PDFs and DOCX files

AUDIENCES = ["board", "general", "mainland-partner", "public", "regulator"]


def audience(name: str) -> dict:
    return raw_yaml(ROOT / "templates/audiences" / name / "audience.yaml")


def colours(pdf) -> set[tuple[float, float, float]]:
    """Fill and stroke colours used on the pages."""
    found = set()
    for page in pdf.reader.pages:
        data = page.get_contents().get_data().decode("latin-1")
        for match in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)", data):
            found.add(tuple(round(float(value), 2) for value in match))
    return found


def rgb(hex_colour: str) -> tuple[float, float, float]:
    return tuple(round(int(hex_colour[i : i + 2], 16) / 255, 2) for i in (1, 3, 5))


def flat(text: str) -> str:
    return "".join(text.split())


def test_every_shipped_audience_is_built(build_dir):
    assert sorted(p.name for p in build_dir.iterdir() if not p.name.startswith(".")) == AUDIENCES
    for name in AUDIENCES:
        settings = audience(name)
        for brief in BRIEFS:
            for lang in settings["languages"]:
                for fmt in settings["formats"]:
                    assert (build_dir / name / f"{brief}.{lang}.{fmt}").is_file()


@pytest.mark.parametrize("brief", BRIEFS)
def test_board_edition_is_short_and_leaves_out_the_sections(brief, build_dir, read_pdf):
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    for lang in ("en", "zh-Hant"):
        pdf = read_pdf(build_dir / "board" / f"{brief}.{lang}.pdf")
        full = read_pdf(build_dir / "general" / f"{brief}.{lang}.pdf")
        assert len(pdf.pages) <= 3 < len(full.pages)
        text = flat(pdf.text)
        outline = pdf.outline_titles()
        for section in content["sections"]:
            assert section["title"][lang] not in outline, "a section is in the board edition"
        for figure in content["key_figures"]:
            assert flat(figure["label"][lang])[:12] in text
        label = "Figure" if lang == "en" else "圖"
        captions = set(re.findall(rf"^{label} ?(\d+) ", pdf.text, re.MULTILINE))
        assert captions == {"1"}, f"one chart per brief, found figures {captions}"
        assert "Contents" not in pdf.text and "目錄" not in pdf.text  # block override


@pytest.mark.parametrize("brief", BRIEFS)
def test_regulator_edition_has_every_section_and_lists_every_source(brief, build_dir, read_pdf):
    content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
    sources = raw_yaml(ROOT / "content" / "sources.yaml")["sources"]
    pdf = read_pdf(build_dir / "regulator" / f"{brief}.en.pdf")
    text = flat(pdf.text)
    for section in content["sections"]:
        assert flat(section["title"]["en"]) in text
    assert "Sources" in pdf.outline_titles()
    cited = set(
        re.findall(r"(?<![\w.])@([a-z0-9-]+)", (ROOT / "content" / f"{brief}.yaml").read_text())
    )
    cited |= {figure["source"] for figure in content["key_figures"]}
    last_pages = flat("".join(page.text for page in pdf.pages[-2:]))
    for source_id in cited:
        assert flat(sources[source_id]["title"]["en"]) in last_pages, source_id


@pytest.mark.parametrize("name", AUDIENCES)
def test_classification_line_only_where_configured(name, build_dir, read_pdf):
    line = audience(name).get("classification")
    for lang in ("en", "zh-Hant"):
        path = build_dir / name / f"fintech-2030.{lang}.pdf"
        if not path.exists():
            continue
        pdf = read_pdf(path)
        if line:
            # on the cover and in the footer of every other page
            for number, page in enumerate(pdf.pages, start=1):
                assert flat(line[lang]) in flat(page.text), f"{name} page {number}"
        else:
            for other in AUDIENCES:
                other_line = audience(other).get("classification")
                if other_line:
                    assert flat(other_line[lang]) not in flat(pdf.text)


def running_text(pdf, title: str) -> str:
    """The PDF's text without its running header and footer (title, edition, page
    number), which pdf readers put in the middle of a paragraph that turns a page."""
    text = flat(pdf.text)
    text = re.sub(r"Page\d+of\d+", "", text)
    return text.replace(flat(title), "")


def in_order(piece: str, text: str) -> bool:
    """Whether the words of `piece` stand in `text` (squashed) in order. A paragraph
    that runs past a figure placed at the top of the next page has the figure's
    labels between its words in the text layer, so a short gap is allowed."""
    words = [re.escape(word) for word in piece.split()]
    return re.search(".{0,300}?".join(words), text, flags=re.S) is not None


def test_public_edition_uses_plain_wording_where_content_offers_it(build_dir, read_pdf):
    found = 0
    for brief in BRIEFS:
        content = raw_yaml(ROOT / "content" / f"{brief}.yaml")
        title = content["title"]["en"]
        public = running_text(read_pdf(build_dir / "public" / f"{brief}.en.pdf"), title)
        public = public.replace(flat(audience("public")["edition"]["en"]), "")
        general = flat(read_pdf(build_dir / "general" / f"{brief}.en.pdf").text)
        for section in content["sections"]:
            for block in section["blocks"]:
                if "plain" in block and isinstance(block["plain"], dict):
                    # the text between citations and figure references, which render
                    # as note numbers and formatted figures
                    pieces = re.split(r"\[@[^\]]+\]|\{=[^}]+\}", block["plain"]["en"])
                    pieces = [piece for piece in pieces if len(flat(piece)) > 20]
                    assert pieces and all(in_order(piece, public) for piece in pieces)
                    pieces = [flat(piece) for piece in pieces]
                    assert not all(piece in general for piece in pieces)
                    found += 1
    assert found >= 3, "the content offers too few plain-language paragraphs"


def test_mainland_partner_reads_english_and_simplified_chinese(build_dir, read_pdf):
    folder = build_dir / "mainland-partner"
    assert not list(folder.glob("*.zh-Hant.*"))
    pdf = read_pdf(folder / "fintech-2030.zh-Hans.pdf")
    assert "内地合作伙伴版" in pdf.text


@pytest.mark.parametrize("name", ["board", "regulator", "public", "mainland-partner"])
def test_theme_colour_reaches_the_pdf_and_the_docx_styles(name, build_dir, read_pdf):
    accent = audience(name)["theme"]["accent"]
    assert rgb(accent) in colours(read_pdf(build_dir / name / "fintech-2030.en.pdf"))
    with zipfile.ZipFile(build_dir / name / "fintech-2030.en.docx") as docx:
        styles = docx.read("word/styles.xml").decode()
    heading = re.search(r'<w:style [^>]*w:styleId="Heading1".*?</w:style>', styles, re.S)
    assert heading and f'w:val="{accent[1:].upper()}"' in heading.group(0)


def test_a_new_audience_needs_no_python(project: Path, read_pdf):
    created = briefgen("new-audience", "trade-desk", cwd=project, check=True)
    folder = project / "templates/audiences/trade-desk"
    assert "audience.yaml" in created.stdout
    # the scaffold's Chinese label is a placeholder: the build refuses it until replaced
    edit(folder / "audience.yaml", "Trade desk版", "交易枱版")
    (folder / "brief.html.j2").write_text(
        '{% extends "base/brief.html.j2" %}\n'
        '{% block cover_extra %}<p class="cover-note">For the trade desk</p>{% endblock %}\n',
        encoding="utf-8",
    )
    (folder / "audience.css").write_text(
        ".cover .cover-note { color: #123456; }\n", encoding="utf-8"
    )
    briefgen("build", "--audience", "trade-desk", cwd=project, check=True)
    pdf = read_pdf(project / "build/trade-desk/mini.en.pdf")
    assert "For the trade desk" in pdf.pages[0].text
    assert rgb("#123456") in colours(pdf)
    assert (project / "build/trade-desk/mini.zh-Hant.docx").is_file()


def test_unknown_tag_is_located(project: Path):
    path = project / "templates/audiences/general/audience.yaml"
    edit(
        path,
        "formats: [pdf, docx]\n",
        "formats: [pdf, docx]\nsections:\n  include_tags: [strateg]\n",
    )
    line = line_of(path, "include_tags")
    stderr = assert_fails_with(project, "no section is tagged 'strateg'")
    assert f"audience.yaml:{line}:" in stderr


def test_unknown_language_is_located(project: Path):
    path = project / "templates/audiences/general/audience.yaml"
    edit(path, "languages: [en, zh-Hant", "languages: [en, fr, zh-Hant")
    line = line_of(path, "languages:")
    stderr = assert_fails_with(project, "'fr' is not allowed")
    assert f"audience.yaml:{line}:" in stderr


def test_a_block_the_base_does_not_have_is_located(project: Path):
    folder = project / "templates/audiences/general"
    (folder / "brief.html.j2").write_text(
        '{% extends "base/brief.html.j2" %}\n\n{% block cover_extras %}x{% endblock %}\n',
        encoding="utf-8",
    )
    stderr = assert_fails_with(project, "block 'cover_extras' is not in the base template")
    assert "general/brief.html.j2:3:" in stderr


def test_a_logo_in_the_theme_is_drawn_on_the_cover(project: Path, read_pdf):
    folder = project / "templates/audiences/general"
    (folder / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<rect width="40" height="20" fill="#0b5d7a"/></svg>',
        encoding="utf-8",
    )
    edit(
        folder / "audience.yaml",
        "formats: [pdf, docx]\n",
        "formats: [pdf, docx]\ntheme:\n  logo: logo.svg\n",
    )
    briefgen("build", "--lang", "en", "--format", "pdf", cwd=project, check=True)
    cover = read_pdf(project / "build/general/mini.en.pdf").reader.pages[0]
    assert (0.04, 0.36, 0.48) in {
        tuple(round(float(v), 2) for v in match)
        for xobject in cover["/Resources"].get("/XObject", {}).values()
        for match in re.findall(
            r"([\d.]+) ([\d.]+) ([\d.]+) rg", xobject.get_object().get_data().decode("latin-1")
        )
    }, "the logo is not on the cover"


def test_a_missing_logo_is_located(project: Path):
    path = project / "templates/audiences/general/audience.yaml"
    edit(path, "formats: [pdf, docx]\n", "formats: [pdf, docx]\ntheme:\n  logo: nowhere.svg\n")
    line = line_of(path, "logo:")
    stderr = assert_fails_with(project, "logo file 'nowhere.svg' is not in general/")
    assert f"audience.yaml:{line}:" in stderr
