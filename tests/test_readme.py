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


def test_shell_blocks_run_the_command_where_make_run_installs_it() -> None:
    """`make run` installs `mailslot` into .venv/bin, not onto the PATH (issue 20: a
    pasted `mailslot purge` was "command not found"), so a shell block of the README or
    the docs runs `.venv/bin/mailslot`."""
    bare = [
        f"{page.relative_to(ROOT)}: {line}"
        for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
        for block in re.findall(r"```(?:sh|bash|shell|console)\n(.*?)```", page.read_text(), re.S)
        for line in block.splitlines()
        # `mailslot` where a command starts (not an argument: a user, an owner, an image)
        if re.search(r"(?:^\s*|(?:&&|\|\||[;|(]|\$\(|sudo)\s*)mailslot\s", line)
    ]
    assert not bare, "\n".join(bare)
