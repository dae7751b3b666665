"""The README stays a front page: short, and every link in it leads somewhere. (The docs
site checks its own links: `make docs` builds strictly. Its walk-through runs in
tests/process/test_walkthroughs.py.)"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text()
MAX_LINES = 200  # issue 17: what it is, the two commands, one walk-through, links


def test_readme_is_at_most_200_lines() -> None:
    assert len(README.splitlines()) <= MAX_LINES


def test_readme_links_lead_to_files_of_the_repository() -> None:
    targets = re.findall(r"\]\(([^)\s]+)\)", README)
    local = [t.split("#", 1)[0] for t in targets if not re.match(r"[a-z]+:", t)]
    assert local, "the README links to the docs"
    missing = [t for t in local if not (ROOT / t).is_file()]
    assert not missing
