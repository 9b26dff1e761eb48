"""The DOCX writer's vocabulary: the HTML elements and classes it turns into Word.

One table serves two readers: the writer, which refuses what it cannot write,
and `briefgen check`, which renders every audience template and reports a
refused element at its template file and line before any build is started.
A designer adding `<div class="callout">` to a template learns it from `check`,
not from a failed DOCX half-way through a build.

The API is deliberately small:

- `VOCABULARY`: element -> the classes it may carry. `None` in the set means
  "no class is fine"; `ANY_CLASS` means the classes are for CSS only (containers
  and headings) and the writer ignores them.
- `refusal(tag, classes)`: why the writer refuses such an element, or None.
- `unknown_elements(root)`: every element of a parsed HTML tree (lxml) that
  the vocabulary lacks, with the reason, in document order.

Where an element may appear (a `dt` inside a `dl`, a `td` in a `tr`) is the
writer's business; the table answers only "does the writer know this element
with these classes at all".
"""

from __future__ import annotations

from collections.abc import Iterator

from lxml import etree

#: Marks an element whose classes are for the stylesheet only.
ANY_CLASS = "*"

_PLAIN: frozenset[str | None] = frozenset({None})

#: Paragraph classes and the Word paragraph style each becomes.
PARAGRAPH_STYLES: dict[str | None, str] = {
    None: "Normal",
    "subtitle": "Subtitle",
    "title-zh": "Title",
    "edition": "Edition",
    "as-of": "As Of",
    "cover-note": "Subtitle",
    "classification": "Classification",
    "table-note": "Table Note",
    "figure-source": "Figure Source",
}

#: element -> the classes it may carry (see the module's docstring).
VOCABULARY: dict[str, frozenset[str | None]] = {
    # the document
    "html": _PLAIN,
    "head": _PLAIN,
    "title": _PLAIN,
    "meta": _PLAIN,
    "style": _PLAIN,
    "body": _PLAIN,
    # containers and headings: their classes only style the PDF
    "main": frozenset({None, ANY_CLASS}),
    "section": frozenset({None, ANY_CLASS}),
    "h1": frozenset({None, ANY_CLASS}),
    "h2": frozenset({None, ANY_CLASS}),
    "h3": frozenset({None, ANY_CLASS}),
    "h4": frozenset({None, ANY_CLASS}),
    "nav": frozenset({"toc"}),
    # blocks
    "p": frozenset(PARAGRAPH_STYLES),
    "ul": _PLAIN,
    "ol": frozenset({None, "figures"}),
    "li": _PLAIN,
    "dl": _PLAIN,
    "div": frozenset({"figure-item"}),
    "dt": _PLAIN,
    "dd": _PLAIN,
    "table": frozenset({"data", "parallel"}),
    "caption": _PLAIN,
    "thead": _PLAIN,
    "tbody": _PLAIN,
    # the bilingual columns' widths (the PDF's: the Chinese column is narrower)
    "colgroup": _PLAIN,
    "col": frozenset({"col-en", "col-zh"}),
    "tr": frozenset({None, "figures"}),
    "th": frozenset({None, "num"}),
    # col-en / col-zh / col-both: the bilingual edition's columns (layout only)
    "td": frozenset({None, "num", "col-en", "col-zh", "col-both"}),
    "figure": frozenset({"chart"}),
    "figcaption": _PLAIN,
    "img": _PLAIN,
    # inline
    "span": frozenset({None, "footnote", "label"}),
    "sup": frozenset({"note-ref"}),
    "em": _PLAIN,
    "i": _PLAIN,
    "strong": _PLAIN,
    "b": _PLAIN,
    "code": _PLAIN,
    "a": _PLAIN,
    "br": _PLAIN,
}


#: Classes that only steer the PDF's line breaking (a cell kept on one line) and
#: may join any class the writer knows: Word fits cells by itself.
PDF_ONLY_CLASSES = frozenset({"short"})


def refusal(tag: str, classes: list[str]) -> str | None:
    """Why the DOCX writer refuses `<tag class="…">`, or None if it knows it."""
    classes = [name for name in classes if name not in PDF_ONLY_CLASSES]
    allowed = VOCABULARY.get(tag)
    if allowed is None:
        return "is not in the DOCX writer's vocabulary"
    if ANY_CLASS in allowed:
        return None
    if not classes:
        return None if None in allowed else "needs a class the DOCX writer knows"
    unknown = [name for name in classes if name not in allowed]
    if unknown or len(classes) > 1:
        known = ", ".join(sorted(str(name) for name in allowed if name)) or "none"
        return f"has a class the DOCX writer does not know (it knows: {known})"
    return None


def describe(element: etree._Element) -> str:
    """`<div class="callout">`: an element as a designer wrote it."""
    classes = element.get("class")
    return f'<{element.tag} class="{classes}">' if classes else f"<{element.tag}>"


def unknown_elements(root: etree._Element) -> Iterator[tuple[etree._Element, str]]:
    """Every element below `root` the writer would refuse, with the reason."""
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        why = refusal(element.tag, (element.get("class") or "").split())
        if why:
            yield element, why
