"""Safety: blocks, reports and sanctions (issue 22)."""
