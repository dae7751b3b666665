"""Exports: a user's whole mailbox as one zip archive (issue 21, docs/your-data.md)."""
