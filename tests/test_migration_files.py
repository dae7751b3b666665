"""Migration files are named in chain order: `ls` shows the order in which they run."""

from __future__ import annotations

from alembic.script import ScriptDirectory

from mailslot.db.migrate import MIGRATIONS, alembic_config
from mailslot.db.revision import next_revision


def test_file_names_follow_the_chain() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    chain = list(reversed(list(scripts.walk_revisions())))  # base first
    names = sorted(path.name for path in (MIGRATIONS / "versions").glob("*.py"))
    assert [name.split("_", 2)[:2] for name in names] == [
        [f"{position:02d}", script.revision] for position, script in enumerate(chain, 1)
    ]
    assert [script.path.rsplit("/", 1)[-1] for script in chain] == names


def test_a_new_migration_takes_the_next_place_and_id(tmp_path) -> None:
    assert next_revision(tmp_path) == ("0001", "01_%%(rev)s_%%(slug)s")
    for name in ("01_0001_create.py", "02_0004_add.py", "03_0003_change.py", "__init__.py"):
        (tmp_path / name).touch()
    assert next_revision(tmp_path) == ("0005", "04_%%(rev)s_%%(slug)s")
