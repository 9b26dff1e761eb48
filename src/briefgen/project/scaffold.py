"""`briefgen new-audience NAME`: a commented starting folder for a new audience."""

from __future__ import annotations

import re
from collections.abc import Iterator

from briefgen.errors import BriefgenError, Problem
from briefgen.project.document import Document
from briefgen.project.paths import Project
from briefgen.project.schema import schema_line

AUDIENCE_YAML = """\
{schema}
# The {name} edition. Every key is optional except `edition`; delete what you
# do not need. `make check` tells you, with the line, if something is wrong;
# docs/audiences.md lists every key, and messages.yaml here can reword the
# generated words (Contents, Table 2) per language.
edition:                      # the label on the cover and in the page header
  en: {title} edition
  zh-Hant: {title}版            # write the Chinese label here: check fails until you do
languages: [en, zh-Hant]      # en, zh-Hant, zh-Hans (Simplified, derived), bilingual
formats: [pdf, docx]
# briefs: [fintech-2030]      # only these briefs (default: all)
detail: full                  # full, or summary: summary, key figures and `charts` charts
# charts: 1                   # with detail: summary
# contents: true              # a contents page (default: with detail full only)
sections:                     # which sections, by their tags in content/*.yaml
  exclude_tags: []            # e.g. [risk]
  # include_tags: [strategy]  # only sections with one of these tags
plain_language: false         # use paragraphs' `plain:` wording where there is one
source_list: false            # list every cited source in full at the end
citations: notes              # notes, notes-with-quotes, or source-list ([1] to the list)
# classification:             # a line on the cover and in every page footer
#   en: "Confidential"
#   zh-Hant: 機密
# cover:
#   note: {{en: "Prepared for …", zh-Hant: "為…編製"}}
theme:                        # colours (#rrggbb) and installed fonts
  accent: "#0b5d7a"
  # panel: "#eef4f7"
  # body_font: Noto Serif
  # heading_font: Noto Sans
  # logo: logo.svg            # an image in this folder, shown on the cover
"""

TEMPLATE = """\
{{#- Optional: change parts of the page by overriding blocks of
    templates/base/brief.html.j2 (cover, cover_extra, contents, summary,
    key_figures, sections, highlights, source_list, styles). Delete this file
    to use the base template unchanged. -#}}
{{% extends "base/brief.html.j2" %}}

{{% block cover_extra %}}
{{# <p class="cover-note">A line of your own under the cover.</p> #}}
{{% endblock %}}
"""

CSS = """\
/* Optional: CSS rules added after the base stylesheet (templates/base/brief.css.j2).
   Colours are simplest to change in audience.yaml's `theme`. */
.key-figures dt {{ font-size: 15pt; }}
"""


def placeholder(name: str) -> str:
    """The Chinese edition label new-audience writes, for the author to replace."""
    return f"{name.replace('-', ' ').capitalize()}版"


def placeholder_problems(document: Document, name: str) -> Iterator[Problem]:
    """The scaffold's placeholder wording, still in the audience's settings, is an error."""
    edition = document.data.get("edition") if isinstance(document.data, dict) else None
    text = edition.get("zh-Hant") if isinstance(edition, dict) else None
    if text == placeholder(name):
        yield document.problem(
            ["edition", "zh-Hant"],
            f"'{text}' is the placeholder `briefgen new-audience` wrote",
            "write the edition's name in Chinese, e.g. 新聞界版",
        )


def new_audience(project: Project, name: str) -> list[str]:
    """Write templates/audiences/NAME/ with commented files; return their paths."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        raise BriefgenError(
            f"'{name}' is not a valid audience name (lower-case letters, digits, '-')"
        )
    folder = project.audience_dir(name)
    if folder.exists():
        raise BriefgenError(f"{folder} already exists; choose another name or edit that folder")
    folder.mkdir(parents=True)
    title = placeholder(name).removesuffix("版")
    files = {
        "audience.yaml": AUDIENCE_YAML.format(
            name=name, title=title, schema=schema_line("audience", depth=3)
        ),
        "brief.html.j2": TEMPLATE.format(),
        "audience.css": CSS.format(),
    }
    for file, text in files.items():
        (folder / file).write_text(text, encoding="utf-8")
    return [str(folder / file) for file in files]
