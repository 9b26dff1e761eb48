"""One edition (brief x audience x language): localised view, citations, charts, HTML."""
