"""Storage core: metadata, engine, migrations."""
