"""The backup file: one tar archive holding a copy of the database and `manifest.json`.

    manifest.json     what the archive is: format, mailslot version, engine, schema
                      revision, deployment, when it was made, and each file's size and
                      SHA-256
    mailslot.db       SQLite: the database, copied by SQLite's online backup API
    mailslot.pgdump   PostgreSQL: `pg_dump --format=custom`, from one snapshot
    secret_key        SQLite with a generated key: the data directory's key

The manifest comes first, so a reader learns what it holds before the data. A file the
manifest does not list, or one whose size or checksum differs, makes the whole archive
refused: nothing is restored from a damaged or altered backup.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import exc as sa_exc

FORMAT = 1  # the manifest's format; a reader refuses a newer one
MANIFEST = "manifest.json"
SQLITE_FILE = "mailslot.db"
POSTGRES_FILE = "mailslot.pgdump"
_CHUNK = 1 << 20

Failure = Literal["failed", "not_found", "conflict", "unavailable"]
# A database that refuses the connection, is down, or does not answer.
UNREACHABLE = (OSError, sa_exc.OperationalError, sa_exc.InterfaceError)


class BackupError(Exception):
    """A backup, restore or port that cannot go on; `kind` says why (the CLI's exit code)."""

    def __init__(self, message: str, kind: Failure = "failed") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, slots=True)
class FileEntry:
    name: str
    bytes: int
    sha256: str


@dataclass(frozen=True, slots=True)
class Manifest:
    mailslot_version: str
    engine: Literal["sqlite", "postgresql"]
    schema_revision: str
    deployment: str
    created_at: str  # RFC 3339, UTC
    files: tuple[FileEntry, ...]
    # PostgreSQL: the server's and pg_dump's versions (pg_restore must be as new).
    tools: dict[str, str] = field(default_factory=dict)
    format: int = FORMAT

    def document(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def read(cls, data: bytes) -> Manifest:
        try:
            doc = json.loads(data)
            if not isinstance(doc, dict):
                raise TypeError("not an object")
            if doc.get("format", 0) > FORMAT:
                raise BackupError(
                    f"The backup's format {doc['format']} is newer than this mailslot reads "
                    f"({FORMAT}): restore it with the mailslot version that made it "
                    f"({doc.get('mailslot_version')}) or a later one.",
                    "conflict",
                )
            files = tuple(FileEntry(**entry) for entry in doc.pop("files"))
            manifest = cls(**doc, files=files)
            if manifest.engine not in ("sqlite", "postgresql"):
                raise ValueError(f"unknown engine {manifest.engine!r}")
            return manifest
        except BackupError:
            raise
        except (ValueError, TypeError, KeyError) as exc:
            raise BackupError(f"The backup's manifest is not valid: {exc}") from None

    def file(self, name: str) -> FileEntry | None:
        return next((entry for entry in self.files if entry.name == name), None)


def checksum(path: Path) -> FileEntry:
    digest = hashlib.sha256()
    with path.open("rb") as source:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
    return FileEntry(path.name, path.stat().st_size, digest.hexdigest())


def write(
    output: Path,
    manifest: Manifest,
    files: Iterable[Path],
    *,
    compress: bool,
    advance: Callable[[int], None],
) -> None:
    """Write the archive beside `output`, then rename it into place: a crash leaves no
    half-written file under the name."""
    partial = output.with_name(f".{output.name}.partial")
    try:
        options: dict[str, Any] = {"compresslevel": 6} if compress else {}
        with tarfile.open(partial, "w:gz" if compress else "w", **options) as archive:
            text = json.dumps(manifest.document(), indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(text), 0o600, int(time.time())
            archive.addfile(info, io.BytesIO(text))
            for path in files:
                info = archive.gettarinfo(str(path), arcname=path.name)
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                info.mode = 0o600
                with path.open("rb") as source:
                    archive.addfile(info, _Counted(source, advance))
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, output)
        fsync_directory(output.parent)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def read_manifest(path: Path) -> Manifest:
    if not path.is_file():
        raise BackupError(f"{path}: no such file", "not_found")
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.next()
            if member is None or member.name != MANIFEST or not member.isfile():
                raise BackupError(f"{path} is not a mailslot backup: it has no {MANIFEST}")
            return Manifest.read(_content(archive, member).read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from None


def extract(
    path: Path, manifest: Manifest, into: Path, advance: Callable[[int], None]
) -> dict[str, Path]:
    """Every file the manifest lists, written under `into` and checked against its size
    and SHA-256 on the way. Raises BackupError on any difference or any extra member."""
    found: dict[str, Path] = {}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:
                if member.name == MANIFEST:
                    continue
                entry = manifest.file(member.name)
                if entry is None or not member.isfile() or member.name in found:
                    raise BackupError(
                        f"The backup holds {member.name!r}, which its manifest does not list: "
                        "it was altered. Nothing was restored."
                    )
                source = _content(archive, member)
                target = into / entry.name
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as sink:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        sink.write(chunk)
                        size += len(chunk)
                        advance(len(chunk))
                    sink.flush()
                    os.fsync(sink.fileno())
                if size != entry.bytes or digest.hexdigest() != entry.sha256:
                    raise BackupError(
                        f"The backup's {entry.name} does not match its manifest ({size} bytes, "
                        f"SHA-256 {digest.hexdigest()[:16]}..., expected {entry.bytes} bytes, "
                        f"{entry.sha256[:16]}...): the file is damaged or was altered. "
                        "Nothing was restored."
                    )
                found[entry.name] = target
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is damaged: {exc}. Nothing was restored.") from None
    missing = [entry.name for entry in manifest.files if entry.name not in found]
    if missing:
        raise BackupError(
            f"The backup lacks {', '.join(missing)}, which its manifest lists: it is "
            "incomplete. Nothing was restored."
        )
    return found


def _content(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    source = archive.extractfile(member)
    if source is None:  # not a regular file
        raise BackupError(f"the backup's {member.name} is not a file")
    return source


class _Counted:
    """A file object that reports how much has been read from it."""

    def __init__(self, source: IO[bytes], advance: Callable[[int], None]) -> None:
        self._source = source
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        chunk = self._source.read(size)
        self._advance(len(chunk))
        return chunk


def fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
