"""The bare references: WSGI functions doing the least work for Taskboard's exact answers.

    gunicorn -w 2 bench.reference:app     (TASKBOARD_BENCH_REFERENCE_URL names the database)

No framework, no ORM: the database driver (sqlite3, or psycopg for PostgreSQL), hand-written
formatting of the Open Dental wire format and orjson. They answer what the benchmarks ask:

- W1 `GET /api/v1/tasks?TaskListNum=&TaskStatus=&DateTimeOriginal=`: one SELECT, one page;
- W2 `GET /api/v1/tasks/{n}`: one SELECT by key, with the ETag;
- W3 `POST /api/v1/tasks` and `PUT /api/v1/tasks/{n}` (Descript only, If-Match): the same
  statements Taskboard's services send (the list, user and priority checks, the change
  marker, the INSERT or the versioned UPDATE) in one transaction.

The Authorization header is checked against the two benchmark key pairs held in memory.
`/healthz` answers 200 so the benchmark's health wait works for both.
"""

import datetime as dt
import os
from urllib.parse import parse_qs

import orjson

from bench.data import READ_AUTH, WRITE_AUTH

# Taskboard stores a reminder type as Open Dental's integer flags in decimal ("0"); the wire
# writes the .NET name. The benchmark's tasks are no reminders (older rows said the name).
REMINDER_TYPES = {"0": "NoReminder", "NoReminder": "NoReminder"}

COLUMNS = (
    "task_num, task_list_num, date_task, key_num, descript, task_status, is_repeating, "
    "date_type, from_num, object_type, date_time_entry, user_num, date_time_finished, "
    "priority_def_num, reminder_group_id, reminder_type, reminder_frequency, "
    "date_time_original, sec_date_t_edit, descript_override, is_read_only, row_version"
)
JSON = [("Content-Type", "application/json")]
NO_DATE, NO_DATE_TIME = "0001-01-01", "0001-01-01 00:00:00"
UNAUTHORIZED = orjson.dumps({"message": "The API key pair is unknown or disabled."})
STALE = orjson.dumps({"message": "If-Match does not match; nothing was changed."})


def _text_time(value) -> str:
    """A stored date-time as the wire writes it: SQLite holds text, PostgreSQL datetimes."""
    if value is None:
        return NO_DATE_TIME
    if isinstance(value, str):
        return value[:19]
    return value.isoformat(" ", "seconds")


def _text_date(value) -> str:
    if value is None:
        return NO_DATE
    return value[:10] if isinstance(value, str) else value.isoformat()


def task_object(r) -> dict:
    """Write one row of COLUMNS as Open Dental's Task object."""
    return {
        "TaskNum": r[0],
        "TaskListNum": r[1],
        "DateTask": _text_date(r[2]),
        "KeyNum": r[3],
        "Descript": r[4],
        "TaskStatus": r[5],
        "IsRepeating": "true" if r[6] else "false",
        "DateType": r[7],
        "FromNum": r[8],
        "ObjectType": r[9],
        "DateTimeEntry": _text_time(r[10]),
        "UserNum": r[11],
        "DateTimeFinished": _text_time(r[12]),
        "PriorityDefNum": r[13] or 0,
        "ReminderGroupId": r[14],
        "ReminderType": REMINDER_TYPES.get(r[15], r[15]),
        "ReminderFrequency": r[16],
        "DateTimeOriginal": _text_time(r[17]),
        "SecDateTEdit": _text_time(r[18]),
        "DescriptOverride": r[19],
        "IsReadOnly": "true" if r[20] else "false",
    }


class Database:
    """One connection per worker process, opened on first use (after gunicorn forks)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.postgres = url.startswith("postgresql")
        self.mark = "%s" if self.postgres else "?"
        self._connection = None

    def connection(self):
        if self._connection is None:
            if self.postgres:
                import psycopg

                self._connection = psycopg.connect(
                    self.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True
                )
            else:
                import sqlite3

                path = self.url.removeprefix("sqlite:///")
                connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                for pragma in ("foreign_keys=ON", "busy_timeout=15000", "journal_mode=WAL"):
                    connection.execute(f"PRAGMA {pragma}")
                connection.execute("PRAGMA synchronous=NORMAL")
                self._connection = connection
        return self._connection

    def sql(self, statement: str) -> str:
        return statement.replace("?", self.mark)

    def time(self, value: dt.datetime):
        """A date-time parameter as the column stores it (SQLAlchemy's SQLite text)."""
        return value if self.postgres else value.strftime("%Y-%m-%d %H:%M:%S.%f")

    def begin_write(self, cursor) -> None:
        cursor.execute("BEGIN" if self.postgres else "BEGIN IMMEDIATE")


def make_app(url: str):
    """Return the reference WSGI function over the database at `url`."""
    db = Database(url)
    page_sql = db.sql(
        f"SELECT {COLUMNS} FROM task WHERE date_time_original >= ? AND task_list_num = ? "
        "AND task_status = ? ORDER BY task_num LIMIT ? OFFSET ?"
    )
    one_sql = db.sql(f"SELECT {COLUMNS} FROM task WHERE task_num = ?")

    def respond(start_response, status: str, body: bytes, headers=()):
        start_response(status, [*JSON, ("Content-Length", str(len(body))), *headers])
        return [body]

    def list_tasks(environ, start_response):
        args = parse_qs(environ.get("QUERY_STRING", ""))
        since = dt.datetime.strptime(args["DateTimeOriginal"][0], "%Y-%m-%d %H:%M:%S")
        params = (db.time(since), int(args["TaskListNum"][0]), args["TaskStatus"][0], 100, 0)
        rows = db.connection().execute(page_sql, params).fetchall()
        return respond(start_response, "200 OK", orjson.dumps([task_object(r) for r in rows]))

    def get_task(environ, start_response, number: int):
        row = db.connection().execute(one_sql, (number,)).fetchone()
        if row is None:
            return respond(start_response, "404 Not Found", b'{"message":"Task not found."}')
        etag = f'"{row[0]}.{row[21]}"'
        return respond(start_response, "200 OK", orjson.dumps(task_object(row)), [("ETag", etag)])

    def read_body(environ) -> dict:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        return orjson.loads(environ["wsgi.input"].read(length))

    def bump_marker(cursor) -> int:
        cursor.execute(
            db.sql("UPDATE change_marker SET version=(version + ?) WHERE marker_id = ?"), (1, 1)
        )
        cursor.execute(db.sql("SELECT version FROM change_marker WHERE marker_id = ?"), (1,))
        return cursor.fetchone()[0]

    def create_task(environ, start_response):
        body = read_body(environ)
        descript, list_num, user_num = body["Descript"], body["TaskListNum"], body["UserNum"]
        stamp = dt.datetime.now().replace(microsecond=0)
        cursor = db.connection().cursor()
        db.begin_write(cursor)
        try:
            cursor.execute(
                db.sql(
                    "SELECT task_list_num, task_list_status, default_priority_def_num "
                    "FROM task_list WHERE task_list_num = ?"
                ),
                (list_num,),
            )
            task_list = cursor.fetchone()
            cursor.execute(db.sql("SELECT user_num FROM userod WHERE user_num = ?"), (user_num,))
            cursor.fetchone()
            priority = task_list[2]
            if priority is None:
                cursor.execute(
                    db.sql(
                        "SELECT def_num, item_value FROM definition WHERE category = ? "
                        "ORDER BY item_order, def_num"
                    ),
                    (33,),
                )
                found = [row[0] for row in cursor.fetchall() if row[1] == "D"]
                priority = found[0] if found else None
            version = bump_marker(cursor)
            row = (
                list_num,
                None,
                0,
                descript,
                "New",
                False,
                "None",
                0,
                "None",
                stamp,
                user_num,
                None,
                priority,
                "",
                "0",
                0,
                stamp,
                stamp,
                "",
                False,
                1,
                version,
            )
            values = tuple(db.time(v) if isinstance(v, dt.datetime) else v for v in row)
            marks = ", ".join([db.mark] * len(values))
            insert = (
                f"INSERT INTO task ({COLUMNS.removeprefix('task_num, ')}, change_seq) "
                f"VALUES ({marks})"
            )
            # As SQLAlchemy does: RETURNING on PostgreSQL, the row id on SQLite.
            if db.postgres:
                cursor.execute(insert + " RETURNING task_num", values)
                number = cursor.fetchone()[0]
            else:
                cursor.execute(insert, values)
                number = cursor.lastrowid
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        written = task_object((number, *row))
        headers = [("ETag", f'"{number}.1"'), ("Location", f"/api/v1/tasks/{number}")]
        return respond(start_response, "201 CREATED", orjson.dumps(written), headers)

    def update_task(environ, start_response, number: int):
        descript = read_body(environ)["Descript"]
        tag = environ.get("HTTP_IF_MATCH", "").strip('"')
        cursor = db.connection().cursor()
        db.begin_write(cursor)
        try:
            cursor.execute(one_sql, (number,))
            row = cursor.fetchone()
            if f"{row[0]}.{row[21]}" != tag:
                cursor.execute("ROLLBACK")
                return respond(start_response, "412 PRECONDITION FAILED", STALE)
            stamp = dt.datetime.now().replace(microsecond=0)
            status, finished = row[5], row[12]
            if status == "Done":
                status, finished = "Viewed", None
            version = bump_marker(cursor)
            cursor.execute(
                db.sql(
                    "UPDATE task SET descript=?, task_status=?, date_time_finished=?, "
                    "sec_date_t_edit=?, row_version=?, change_seq=? "
                    "WHERE task.task_num = ? AND task.row_version = ?"
                ),
                (descript, status, finished, db.time(stamp), row[21] + 1, version, number, row[21]),
            )
            cursor.execute("COMMIT")
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        new = list(row)
        new[4], new[5], new[12], new[18], new[21] = descript, status, finished, stamp, row[21] + 1
        etag = f'"{number}.{row[21] + 1}"'
        return respond(start_response, "200 OK", orjson.dumps(task_object(new)), [("ETag", etag)])

    def app(environ, start_response):
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        if path == "/healthz":
            return respond(start_response, "200 OK", b'{"status":"ok"}')
        auth = environ.get("HTTP_AUTHORIZATION")
        if auth != WRITE_AUTH and (auth != READ_AUTH or method != "GET"):
            return respond(start_response, "401 UNAUTHORIZED", UNAUTHORIZED)
        if path == "/api/v1/tasks":
            return (list_tasks if method == "GET" else create_task)(environ, start_response)
        number = int(path.rpartition("/")[2])
        if method == "GET":
            return get_task(environ, start_response, number)
        return update_task(environ, start_response, number)

    return app


app = make_app(os.environ.get("TASKBOARD_BENCH_REFERENCE_URL", ""))


def make_flask_floor(url: str):
    """The same reads as a minimal Flask app: what Flask's request cycle alone costs.

    Not a target: a third side of W1 and W2 that shows how close any Flask app can come
    to the bare WSGI function (same SQL through sqlite3, same formatting, same orjson).
    """
    from flask import Flask, Response, request

    db = Database(url)
    page_sql = db.sql(
        f"SELECT {COLUMNS} FROM task WHERE date_time_original >= ? AND task_list_num = ? "
        "AND task_status = ? ORDER BY task_num LIMIT ? OFFSET ?"
    )
    one_sql = db.sql(f"SELECT {COLUMNS} FROM task WHERE task_num = ?")
    floor = Flask(__name__)

    @floor.before_request
    def authenticate():
        if request.path != "/healthz" and request.headers.get("Authorization") not in (
            READ_AUTH,
            WRITE_AUTH,
        ):
            return Response(UNAUTHORIZED, 401, mimetype="application/json")
        return None

    @floor.get("/healthz")
    def health():
        return Response(b'{"status":"ok"}', mimetype="application/json")

    @floor.get("/api/v1/tasks")
    def list_tasks():
        args = request.args
        since = dt.datetime.strptime(args["DateTimeOriginal"], "%Y-%m-%d %H:%M:%S")
        params = (db.time(since), int(args["TaskListNum"]), args["TaskStatus"], 100, 0)
        rows = db.connection().execute(page_sql, params).fetchall()
        return Response(orjson.dumps([task_object(r) for r in rows]), mimetype="application/json")

    @floor.get("/api/v1/tasks/<int:number>")
    def get_task(number: int):
        row = db.connection().execute(one_sql, (number,)).fetchone()
        etag = f'"{row[0]}.{row[21]}"'
        body = orjson.dumps(task_object(row))
        return Response(body, headers={"ETag": etag}, mimetype="application/json")

    return floor


def floor_app():
    """gunicorn's factory for the Flask floor (Flask is imported only by this side)."""
    return make_flask_floor(os.environ.get("TASKBOARD_BENCH_REFERENCE_URL", ""))
