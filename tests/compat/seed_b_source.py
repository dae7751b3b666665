"""A seed B database in the local MariaDB: its schema as Flask-SQLAlchemy created it, and
rows written as its server wrote them (bcrypt hashes, deletes that remove rows)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import bcrypt
import pymysql
import pytest

# Seed B stored naive UTC times (datetime.utcnow()).
START = datetime(2020, 6, 2, 17, 46, 4, tzinfo=UTC).replace(tzinfo=None)
MARIADB: dict[str, Any] = {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}

# Seed B's models (DB/models/*.py), as Flask-SQLAlchemy's create_all wrote them for MySQL.
SCHEMA = (
    """CREATE TABLE `user` (
        id INTEGER NOT NULL AUTO_INCREMENT,
        username VARCHAR(80) NOT NULL,
        email VARCHAR(120) NOT NULL,
        password VARCHAR(255) NOT NULL,
        PRIMARY KEY (id), UNIQUE (username), UNIQUE (email))""",
    """CREATE TABLE message (
        id INTEGER NOT NULL AUTO_INCREMENT,
        sender_id INTEGER,
        message VARCHAR(120),
        subject VARCHAR(120),
        creation_date DATETIME,
        PRIMARY KEY (id),
        FOREIGN KEY (sender_id) REFERENCES `user` (id))""",
    """CREATE TABLE message_receiver (
        message_id INTEGER NOT NULL,
        receiver_id INTEGER NOT NULL,
        `read` BOOL,
        PRIMARY KEY (message_id, receiver_id),
        FOREIGN KEY (message_id) REFERENCES message (id),
        FOREIGN KEY (receiver_id) REFERENCES `user` (id))""",
)


@dataclass
class SeedB:
    """One seed B database, and what it holds, to check an import against."""

    url: str
    connection: pymysql.connections.Connection[Any]
    passwords: dict[str, str] = field(default_factory=dict)  # username -> password
    names: dict[int, str] = field(default_factory=dict)  # user id -> username
    # message id -> (sender, subject, body, created, {receiver: read})
    messages: dict[int, tuple[str, str, str, datetime, dict[str, bool]]] = field(
        default_factory=dict
    )
    clock: datetime = START

    def execute(self, sql: str, *args: object) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, args)
            return int(cursor.lastrowid or 0)

    def user(self, username: str, password: str) -> int:
        # Seed B's server: Flask-Bcrypt's generate_password_hash (4 rounds here, for speed).
        hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
        user_id = self.execute(
            "INSERT INTO `user` (username, email, password) VALUES (%s, %s, %s)",
            username,
            f"{uuid.uuid4().hex[:8]}@example.com",
            hashed,
        )
        self.passwords[username] = password
        self.names[user_id] = username
        return user_id

    def send(self, sender: int, *receivers: int, subject: str, body: str = "text") -> int:
        self.clock += timedelta(minutes=7, seconds=13)
        message_id = self.execute(
            "INSERT INTO message (sender_id, message, subject, creation_date)"
            " VALUES (%s, %s, %s, %s)",
            sender,
            body,
            subject,
            self.clock,
        )
        for receiver in receivers:
            self.execute(
                "INSERT INTO message_receiver (message_id, receiver_id, `read`) VALUES (%s, %s, 0)",
                message_id,
                receiver,
            )
        self.messages[message_id] = (
            self.names[sender],
            subject,
            body,
            self.clock,
            {self.names[r]: False for r in receivers if r in self.names},
        )
        return message_id

    def read(self, message_id: int, receiver: int) -> None:
        self.execute(
            "UPDATE message_receiver SET `read` = 1 WHERE message_id = %s AND receiver_id = %s",
            message_id,
            receiver,
        )
        self.messages[message_id][4][self.names[receiver]] = True

    def receiver_deletes(self, message_id: int, receiver: int) -> None:
        self.execute(
            "DELETE FROM message_receiver WHERE message_id = %s AND receiver_id = %s",
            message_id,
            receiver,
        )
        del self.messages[message_id][4][self.names[receiver]]

    def sender_deletes(self, message_id: int) -> None:
        self.execute("DELETE FROM message_receiver WHERE message_id = %s", message_id)
        self.execute("DELETE FROM message WHERE id = %s", message_id)
        del self.messages[message_id]

    def dangling(self, message_id: int, receiver_id: int) -> None:
        """A receiver row naming a message or user that does not exist."""
        self.execute("SET FOREIGN_KEY_CHECKS = 0")
        self.execute(
            "INSERT INTO message_receiver (message_id, receiver_id, `read`) VALUES (%s, %s, 0)",
            message_id,
            receiver_id,
        )
        self.execute("SET FOREIGN_KEY_CHECKS = 1")


@contextmanager
def seed_b_database() -> Iterator[SeedB]:
    """A new database of seed B's schema in the local MariaDB, dropped afterwards."""
    try:
        connection = pymysql.connect(**MARIADB, autocommit=True, charset="utf8mb4")
    except pymysql.MySQLError as error:
        message = f"MariaDB is unreachable at 127.0.0.1:3306: {error}"
        if os.environ.get("CI"):
            pytest.fail(message + " (CI=true: .ci/run starts it)")
        pytest.skip(message)
    name = f"seedb_{uuid.uuid4().hex[:12]}"
    connection.cursor().execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    connection.select_db(name)
    for statement in SCHEMA:
        connection.cursor().execute(statement)
    try:
        yield SeedB(f"mysql://root@127.0.0.1:3306/{name}", connection)
    finally:
        connection.cursor().execute(f"DROP DATABASE {name}")
        connection.close()
