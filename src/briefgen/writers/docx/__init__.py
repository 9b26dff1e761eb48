"""The DOCX writer and the raw WordprocessingML it needs."""
