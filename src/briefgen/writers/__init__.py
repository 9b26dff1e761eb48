"""Writers: the intermediate HTML to PDF (WeasyPrint) and to DOCX (python-docx)."""
