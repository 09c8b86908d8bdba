"""The JSON Lines format: one activity per line (see docs/import-jsonl.md)."""
