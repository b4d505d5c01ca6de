"""The benchmarks' one data generator: the demo office's catalogue plus N generated tasks.

    .venv/bin/python bench/data.py --size 200k            # build (or reuse) the SQLite file
    .venv/bin/python bench/data.py --size 10k --kind postgresql

A database is built once per size and kind and cached: SQLite files under --data-dir
(default /work/benchdata, or TASKBOARD_BENCH_DATA), PostgreSQL as a template database
`taskboard_bench_<size>` that each round copies (CREATE DATABASE ... TEMPLATE).

The schema comes from Taskboard's own migrations (`init-db`), the catalogue (users, lists,
priorities, patients) from `seed-demo --tasks 0`, the two API key pairs from
`create-api-key`; the tasks are inserted directly with SQLAlchemy Core (executemany), the
same rows for the reference apps and Taskboard, since both read this one database.

The office writes tasks at a constant rate (RATE_PER_DAY, office hours ignored), so a
larger database is a longer history ending at the same moment (END): the tasks of the
last weeks are the same in number at every size. Tasks older than OPEN_DAYS are mostly
Done (a few forgotten ones stay New or Viewed); younger ones are mostly New. W1 asks for
the New tasks of list 74 created in the last WINDOW_DAYS: a full 100-row page at 10k,
200k and 1M tasks.
"""

import argparse
import datetime as dt
import os
import random
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

SIZES = {"10k": 10_000, "200k": 200_000, "1m": 1_000_000, "tiny": 1000}
DATA_VERSION = 1  # bump when the generated rows change, so caches are rebuilt
DEFAULT_DATA_DIR = Path(os.environ.get("TASKBOARD_BENCH_DATA", "/work/benchdata"))
PG_SERVER = os.environ.get(
    "TASKBOARD_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
END = dt.datetime(2026, 11, 30, 17, 0, 0)
RATE_PER_DAY = 100
OPEN_DAYS = 60
WINDOW_DAYS = 30
FIRST_TASK_NUM = 9001
BATCH = 10_000
# The key pairs every benchmark uses (letters and digits, as create-api-key requires).
DEVELOPER_KEY = "benchdeveloper01"
READ_KEY = "benchreadkey0001"
WRITE_KEY = "benchwritekey001"
READ_AUTH = f"ODFHIR {DEVELOPER_KEY}/{READ_KEY}"
WRITE_AUTH = f"ODFHIR {DEVELOPER_KEY}/{WRITE_KEY}"
# W1's filter: the busiest list, New tasks, created in the last WINDOW_DAYS.
W1_LIST = 74
W1_SINCE = (END - dt.timedelta(days=WINDOW_DAYS)).strftime("%Y-%m-%d %H:%M:%S")
W1_PATH = f"/api/v1/tasks?TaskListNum={W1_LIST}&TaskStatus=New&DateTimeOriginal=" + (
    W1_SINCE.replace(" ", "%20")
)
WORDS = [
    "call",
    "patient",
    "confirm",
    "appointment",
    "insurance",
    "verify",
    "eligibility",
    "claim",
    "denied",
    "resubmit",
    "lab",
    "case",
    "crown",
    "due",
    "pickup",
    "recall",
    "overdue",
    "hygiene",
    "x-rays",
    "update",
    "phone",
    "email",
    "forms",
    "scan",
    "card",
    "balance",
    "statement",
    "payment",
    "plan",
    "refund",
    "ledger",
    "supplies",
    "order",
    "gloves",
    "bur",
    "sterilizer",
    "repair",
    "schedule",
    "reschedule",
    "provider",
    "note",
    "chart",
    "referral",
    "specialist",
]
# The demo catalogue's keys (taskboard/demo/data.py): lists with their staff, priorities.
LISTS = ((74, (2, 6, 1), 20), (75, (2, 7), 14), (76, (2, 4), 8), (77, (3, 5, 4), 10))
LISTS += ((78, (5, 3), 8), (79, (4, 3), 8), (80, (7, 6), 11), (81, (7,), 9))
LISTS += ((82, (6, 1), 6), (83, (5, 6, 4), 6))
PRIORITIES = (358, 358, 358, 358, 358, 358, 359, 360, 361, 362)
PATIENTS = range(73, 73 + 60)


def size_of(name: str) -> int:
    """Turn "10k", "200k", "1m", "tiny" or a number into a task count."""
    key = name.lower()
    if key in SIZES:
        return SIZES[key]
    if key.isdigit():
        return int(key)
    raise SystemExit(f"Unknown size {name!r}; use one of {', '.join(SIZES)} or a number.")


def task_rows(count: int, seed: int = 20261201) -> Iterator[list[dict]]:
    """Yield `count` tasks in batches, the newest created at END, RATE_PER_DAY a day."""
    rng = random.Random(seed)
    step = dt.timedelta(days=1) / RATE_PER_DAY
    lists = [item for item in LISTS for _ in range(item[2])]
    batch: list[dict] = []
    for index in range(count):
        original = END - step * (count - 1 - index)
        age = END - original
        list_num, staff, _ = rng.choice(lists)
        roll = rng.random()
        if age > dt.timedelta(days=OPEN_DAYS):
            status = "Done" if roll < 0.97 else ("Viewed" if roll < 0.985 else "New")
        else:
            status = "New" if roll < 0.7 else ("Viewed" if roll < 0.85 else "Done")
        finished = original + dt.timedelta(hours=rng.randint(1, 200)) if status == "Done" else None
        linked = rng.random() < 0.4
        text_words = rng.randint(4, 18)
        row = {
            "task_num": FIRST_TASK_NUM + index,
            "task_list_num": list_num,
            "date_task": None,
            "key_num": rng.choice(PATIENTS) if linked else 0,
            "descript": " ".join(rng.choice(WORDS) for _ in range(text_words)).capitalize(),
            "task_status": status,
            "is_repeating": False,
            "date_type": "None",
            "from_num": 0,
            "object_type": "Patient" if linked else "None",
            "date_time_entry": original - dt.timedelta(minutes=rng.randint(0, 90)),
            "user_num": rng.choice(staff),
            "date_time_finished": finished,
            "priority_def_num": rng.choice(PRIORITIES),
            "reminder_group_id": "",
            "reminder_type": "NoReminder",
            "reminder_frequency": 0,
            "date_time_original": original,
            "sec_date_t_edit": finished or original,
            "descript_override": rng.choice(("", "", "", "Call back", "Urgent: see note")),
            "is_read_only": False,
            "row_version": 1,
            "change_seq": 0,
        }
        batch.append(row)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _populate(url: str, count: int) -> None:
    """Create the schema, the demo catalogue, the key pairs and `count` tasks at `url`."""
    from flask_migrate import upgrade

    from taskboard import MIGRATIONS_DIR, create_app, services
    from taskboard.demo import seed_demo
    from taskboard.extensions import db
    from taskboard.models import Permission, Task

    app = create_app({"TASKBOARD_DATABASE_URL": url, "TASKBOARD_SECRET_KEY": "bench"})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS_DIR))
        seed_demo(tasks=0)
        for permission, customer in ((Permission.read, READ_KEY), (Permission.write, WRITE_KEY)):
            services.create_api_key(
                permission=permission, developer_key=DEVELOPER_KEY, customer_key=customer
            )
        db.session.remove()
        # Enum columns take their stored names here: the rows are plain values.
        table = Task.__table__
        with db.engine.begin() as connection:
            for batch in task_rows(count):
                connection.execute(insert(table), batch)
        with db.engine.connect() as connection:
            if connection.dialect.name == "postgresql":  # the rows came with their keys
                connection.execute(
                    text(
                        "SELECT setval(pg_get_serial_sequence('task', 'task_num'), max(task_num))"
                        " FROM task"
                    )
                )
            connection.execute(text("ANALYZE"))
            connection.commit()
        db.engine.dispose()


def sqlite_database(size: str, data_dir: Path = DEFAULT_DATA_DIR) -> Path:
    """Return the cached SQLite file of `size` tasks, building it first if needed."""
    count = size_of(size)
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"tasks-{count}-v{DATA_VERSION}.sqlite"
    if path.exists():
        return path
    building = path.with_suffix(".building")
    for leftover in data_dir.glob(building.name + "*"):
        leftover.unlink()
    _populate(f"sqlite:///{building}", count)
    # One file, no WAL beside it: copies of it are whole.
    connection = sqlite3.connect(building, isolation_level=None)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.close()
    building.rename(path)
    return path


def postgresql_template(size: str) -> str:
    """Return the name of the PostgreSQL template database of `size` tasks, built if needed."""
    count = size_of(size)
    name = f"taskboard_bench_{count}_v{DATA_VERSION}"
    server = create_engine(PG_SERVER, isolation_level="AUTOCOMMIT")
    try:
        with server.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
            ).first()
            if exists:
                return name
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}_building")
            connection.exec_driver_sql(f"CREATE DATABASE {name}_building")
        url = make_url(PG_SERVER).set(database=f"{name}_building")
        _populate(url.render_as_string(hide_password=False), count)
        with server.connect() as connection:
            connection.exec_driver_sql(f"ALTER DATABASE {name}_building RENAME TO {name}")
    finally:
        server.dispose()
    return name


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="10k", help="10k, 200k, 1m, tiny or a number")
    parser.add_argument("--kind", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args()
    if args.kind == "sqlite":
        print(sqlite_database(args.size, args.data_dir))
    else:
        print(postgresql_template(args.size))


if __name__ == "__main__":
    main()
