"""Run the side-by-side benchmarks: `.venv/bin/python bench/run.py WORKLOAD [options]`.

    .venv/bin/python bench/run.py w1 --size 200k --rounds 3 --seconds 10
    .venv/bin/python bench/run.py w2 --size 200k
    .venv/bin/python bench/run.py w1-scale          # 1M against 10k
    .venv/bin/python bench/run.py w3 --kind sqlite  # and --kind postgresql
    .venv/bin/python bench/run.py w4 --size 200k    # the board fragment, 500 and 217 rows
    .venv/bin/python bench/run.py w5 --size 200k    # a board poll after one change
    .venv/bin/python bench/run.py w6 --size 10k     # write -> 50 displays and 20 boards
    .venv/bin/python bench/run.py all               # every workload in turn

Each prints one line per target (the measured figure, pass or fail, the rounds) and
exits 1 when an answer was wrong or a target was missed. See bench/README.md.
"""

import argparse
import datetime as dt
import platform
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import data, harness
from bench.harness import BenchError
from bench.registry import workloads


def main(argv: list[str] | None = None) -> int:
    known = workloads()
    parser = argparse.ArgumentParser(description="Taskboard's side-by-side benchmarks.")
    parser.add_argument("workload", choices=[*known, "all"])
    parser.add_argument("--size", help="tasks in the database: 10k, 200k, 1m or a number")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=float, default=10, help="length of one wrk run")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (reads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers each")
    parser.add_argument(
        "--kind", choices=("sqlite", "postgresql", "both"), default="both", help="W3's database"
    )
    parser.add_argument("--kiosks", type=int, default=50, help="W6's wall displays")
    parser.add_argument("--boards", type=int, default=20, help="W6's open boards")
    parser.add_argument("--write-every", type=float, default=3.0, help="W6: s between writes")
    parser.add_argument("--quiet-seconds", type=float, default=15, help="W6: no writes first")
    parser.add_argument("--pin", action="store_true", help="run wrk on CPU 1 (taskset)")
    parser.add_argument("--data-dir", type=Path, default=data.DEFAULT_DATA_DIR)
    parser.add_argument(
        "--taskboard-root",
        type=Path,
        default=harness.ROOT,
        help="run Taskboard from this checkout (before-and-after figures)",
    )
    args = parser.parse_args(argv)
    harness.TASKBOARD_ROOT["path"] = args.taskboard_root.resolve()
    chosen = list(known.values()) if args.workload == "all" else [known[args.workload]]
    print(
        f"# {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, "
        f"{' '.join(sys.argv[1:])}"
    )
    failed = False
    for workload in chosen:
        try:
            results = workload.run(args)
        except BenchError as exc:
            print(f"{workload.name}: WRONG: {exc}")
            failed = True
            continue
        for result in results:
            verdict = "pass" if result.passed else "FAIL"
            print(
                f"{result.workload}: {result.value:.2f} (target {result.target}) {verdict}; "
                f"{result.detail}"
            )
            failed |= not result.passed
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
