"""Throwaway databases on a PostgreSQL or MariaDB server, for tests and benchmarks."""

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from taskboard.extensions import db

# The office time zone the tests run in: far from UTC, with daylight saving time.
TEST_ZONE = "America/Denver"


@contextmanager
def temporary_database(server_url: str, prefix: str = "taskboard_test") -> Iterator[URL]:
    """Create an empty database on the server of `server_url`; drop it afterwards."""
    url = make_url(server_url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    backend = url.get_backend_name()
    admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        if backend == "mysql" or backend == "mariadb":
            connection.execute(
                text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
            )
        else:
            connection.execute(text(f"CREATE DATABASE {name}"))
    try:
        yield url.set(database=name)
    finally:
        with admin.connect() as connection:
            if backend == "postgresql":
                connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            else:
                connection.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        admin.dispose()


def empty_all_tables(engine, metadata) -> None:
    """Delete every row, keeping the schema (DELETE beats TRUNCATE on a few rows)."""
    with engine.begin() as connection:
        if engine.dialect.name == "mysql":  # task lists refer to each other
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 0"))
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
        if engine.dialect.name == "mysql":
            connection.execute(text("SET FOREIGN_KEY_CHECKS = 1"))


def start_sequences_high(engine, metadata, start: int = 1_000_000) -> None:
    """Make PostgreSQL's generated keys start above any key a test inserts by hand.

    MariaDB and SQLite continue above the largest key by themselves; a PostgreSQL
    sequence does not know about rows inserted with explicit keys.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as connection:
        for table in metadata.sorted_tables:
            column = next(iter(table.primary_key.columns))
            sequence = connection.execute(
                text("SELECT pg_get_serial_sequence(:t, :c)"),
                {"t": table.name, "c": column.name},
            ).scalar()
            if sequence:
                connection.execute(text(f"ALTER SEQUENCE {sequence} START WITH {start} RESTART"))


_schema_made: set[str] = set()
_sqlite_template: list[bytes] = []


def _copy_sqlite_schema(engine) -> None:
    """Give a new SQLite database the schema by copying an empty one made once per process.

    Creating the tables costs ~0.1 s per test; SQLite's backup API copies a finished empty
    database in a fraction of that, into the app's own file, whatever its connections.
    """
    if not _sqlite_template:
        memory = create_engine("sqlite://")  # one connection, kept by the engine's pool
        db.metadata.create_all(memory)
        raw = memory.raw_connection()
        _sqlite_template.append(raw.driver_connection.serialize())
        raw.close()
        memory.dispose()
    template = sqlite3.connect(":memory:")
    template.deserialize(_sqlite_template[0])
    raw = engine.raw_connection()
    try:
        template.backup(raw.driver_connection)
    finally:
        raw.close()
        template.close()


def prepare_database(app) -> None:
    """Give the app an empty schema: SQLite files are new; a server database is emptied."""
    url = app.config["TASKBOARD_DATABASE_URL"]
    with app.app_context():
        if url.startswith("sqlite"):
            _copy_sqlite_schema(db.engine)
        elif url not in _schema_made:
            db.drop_all()
            db.create_all()
            start_sequences_high(db.engine, db.metadata)
            _schema_made.add(url)
        else:
            empty_all_tables(db.engine, db.metadata)
            # Imports and seeds move PostgreSQL's sequences down to their largest key.
            start_sequences_high(db.engine, db.metadata)
