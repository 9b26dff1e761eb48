"""The project: safe YAML, the typed model, the loader and the rules content must obey."""
