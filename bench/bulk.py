"""Time `seed-demo`, `export-data` and `import-data` at an office's scale; print a table.

    .venv/bin/python bench/bulk.py                       # 1,000,000 tasks, SQLite
    .venv/bin/python bench/bulk.py --tasks 200000 --databases sqlite,postgresql,mariadb
    .venv/bin/python bench/bulk.py --tasks 200000 --bad-at 150000   # the all-or-nothing check

Each command runs as a person runs it (`flask --app taskboard …` in a fresh process) under
/usr/bin/time, which gives wall time, CPU time (user + system) and the largest resident
memory. The document is built once (seed-demo, then export-data) and cached under
/work/benchdata (or $TASKBOARD_BENCH_DATA). Every run is checked, never only timed: the
seed and the import must report the expected counts, the import's export must be the
document byte for byte, and a document with a bad record must fail naming it and store
nothing. The load average is printed with each row: this machine's two cores are shared,
so wall time can exceed CPU time.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.testdb import temporary_database

ROOT = Path(__file__).resolve().parents[1]
FLASK = ROOT / ".venv" / "bin" / "flask"
DATA = Path(os.environ.get("TASKBOARD_BENCH_DATA", "/work/benchdata"))
SERVERS = {
    "postgresql": os.environ.get(
        "TASKBOARD_BENCH_POSTGRESQL_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    ),
    "mariadb": os.environ.get(
        "TASKBOARD_BENCH_MARIADB_URL", "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"
    ),
}
_TIME = {
    "wall": re.compile(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)"),
    "user": re.compile(r"User time \(seconds\): (\S+)"),
    "sys": re.compile(r"System time \(seconds\): (\S+)"),
    "rss": re.compile(r"Maximum resident set size \(kbytes\): (\d+)"),
}


def flask(url: str, *args: str, ok: bool = True) -> tuple[subprocess.CompletedProcess, dict]:
    """Run one `flask --app taskboard` command on database `url` under /usr/bin/time -v."""
    env = dict(os.environ, TASKBOARD_DATABASE_URL=url, TASKBOARD_SECRET_KEY="bench")
    load = os.getloadavg()[0]
    done = subprocess.run(
        ["/usr/bin/time", "-v", str(FLASK), "--app", "taskboard", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    if ok and done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr[-3000:]}")
    found = {name: pattern.search(done.stderr) for name, pattern in _TIME.items()}
    wall = found["wall"][1].split(":") if found["wall"] else ["0"]
    seconds = sum(float(part) * 60**i for i, part in enumerate(reversed(wall)))
    figures = {
        "wall": seconds,
        "cpu": float(found["user"][1]) + float(found["sys"][1]),
        "rss_mb": int(found["rss"][1]) / 1024,
        "load": load,
    }
    return done, figures


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def fresh_sqlite(folder: Path, name: str) -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{folder / name}{suffix}").unlink(missing_ok=True)
    url = sqlite_url(folder / name)
    flask(url, "init-db")
    return url


def build_document(tasks: int, rows: list) -> Path:
    """The export of a seeded office of `tasks` tasks, made once and kept."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bulk-{tasks}.json"
    if path.exists():
        return path
    url = fresh_sqlite(DATA, f"bulk-{tasks}.sqlite")
    done, figures = flask(url, "seed-demo", "--tasks", str(tasks))
    assert f" {tasks} tasks" in done.stdout, done.stdout
    rows.append((f"seed-demo --tasks {tasks}", "sqlite", figures))
    partial = path.with_suffix(".partial")
    done, figures = flask(url, "export-data", str(partial))
    assert f"{tasks} tasks" in done.stdout, done.stdout
    rows.append((f"export-data ({partial.stat().st_size / 2**20:,.0f} MB)", "sqlite", figures))
    partial.rename(path)
    return path


def with_bad_record(source: Path, at: int) -> tuple[Path, int]:
    """A copy of the document whose task number `at` names a task list that does not exist."""
    bad = DATA / f"{source.stem}-bad-{at}.json"
    seen = -1
    key = 0
    with source.open(encoding="utf-8") as lines, bad.open("w", encoding="utf-8") as out:
        for line in lines:
            if line.startswith('    {"TaskNum":'):
                seen += 1
                if seen == at:
                    record = json.loads(line.rstrip().rstrip(","))
                    key = record["TaskNum"]
                    record["TaskListNum"] = 999_999
                    line = (
                        "    "
                        + json.dumps(record)
                        + ("," if line.rstrip().endswith(",") else "")
                        + "\n"
                    )
            out.write(line)
    if seen < at:
        raise SystemExit(f"the document has only {seen + 1} tasks")
    return bad, key


class _Printed(list):
    """The table's rows, each printed as soon as it is measured."""

    def append(self, row) -> None:
        name, kind, f = row
        print(
            f"| {name} | {kind} | {f['wall']:.1f} | {f['cpu']:.1f} | {f['rss_mb']:.0f} "
            f"| {f['load']:.1f} |",
            flush=True,
        )
        super().append(row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=1_000_000)
    parser.add_argument("--databases", default="sqlite", help="sqlite,postgresql,mariadb")
    parser.add_argument("--bad-at", type=int, help="also import a copy with task N invalid")
    parser.add_argument("--bad-kind", default="sqlite", help="the database of that import")
    parser.add_argument(
        "--skip-seed", action="store_true", help="with a cached document, time no new seed"
    )
    args = parser.parse_args()
    rows: list = _Printed()
    print("| command | database | wall s | CPU s | max RSS MB | load avg |", flush=True)
    print("|---|---|---:|---:|---:|---:|", flush=True)
    document = build_document(args.tasks, rows)
    with tempfile.TemporaryDirectory(dir=DATA) as scratch, ExitStack() as stack:
        folder = Path(scratch)
        if not args.skip_seed and not any("seed-demo" in row[0] for row in rows):
            url = fresh_sqlite(folder, "seed.sqlite")
            done, figures = flask(url, "seed-demo", "--tasks", str(args.tasks))
            assert f" {args.tasks} tasks" in done.stdout, done.stdout
            rows.append((f"seed-demo --tasks {args.tasks}", "sqlite", figures))
            done, figures = flask(url, "export-data", str(folder / "seed.json"))
            assert f"{args.tasks} tasks" in done.stdout, done.stdout
            rows.append(("export-data", "sqlite", figures))
            (folder / "seed.json").unlink()
        for kind in args.databases.split(","):
            if kind == "sqlite":
                url = fresh_sqlite(folder, "import.sqlite")
            else:
                server = stack.enter_context(temporary_database(SERVERS[kind], "taskboard_bench"))
                url = server.render_as_string(hide_password=False)
                flask(url, "init-db")
            done, figures = flask(url, "import-data", str(document))
            assert f"{args.tasks} tasks" in done.stdout, done.stdout
            rows.append(("import-data", kind, figures))
            again = folder / f"again-{kind}.json"
            done, figures = flask(url, "export-data", str(again))
            same = again.read_bytes() == document.read_bytes()
            rows.append((f"export-data again (identical: {same})", kind, figures))
            assert same, f"the export after importing into {kind} differs"
            again.unlink()
        if args.bad_at is not None:
            bad, key = with_bad_record(document, args.bad_at)
            if args.bad_kind == "sqlite":
                url = fresh_sqlite(folder, "bad.sqlite")
            else:
                server = stack.enter_context(
                    temporary_database(SERVERS[args.bad_kind], "taskboard_bench_bad")
                )
                url = server.render_as_string(hide_password=False)
                flask(url, "init-db")
            done, figures = flask(url, "import-data", str(bad), ok=False)
            named = f"tasks[{args.bad_at}] (TaskNum {key}): TaskList not found." in done.stderr
            flask(url, "export-data", str(folder / "after-bad.json"))
            empty = json.loads((folder / "after-bad.json").read_bytes())["tasks"] == []
            rows.append(
                (
                    f"import-data, bad task {args.bad_at} "
                    f"(named: {named}, nothing stored: {empty})",
                    args.bad_kind,
                    figures,
                )
            )
            assert done.returncode == 1 and named and empty, done.stderr[-2000:]
            bad.unlink()
    print(
        f"\n{args.tasks:,} tasks, document {document.stat().st_size / 2**20:,.0f} MB, "
        f"{os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
