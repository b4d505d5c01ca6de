"""What the per-key rate limit costs a request, timed in one process.

    .venv/bin/python bench/rate_limit.py --requests 2000

For each counter (the database, on SQLite, PostgreSQL and MariaDB, and Redis in front of
SQLite) it migrates a fresh database, creates two read keys, one with no limit (never
counted) and one with a limit it never reaches (counted on every request), and then times
GET /api/v1/userods through Flask's test client with each key, in interleaved batches of
50, plus the counting call alone. It prints the median over batches of the mean time per
request of each and their difference, the limiter's overhead. A timing, not a test.
"""

import argparse
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.serve import KINDS, fresh_database, server_unreachable
from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import Permission

REDIS_URL = "redis://127.0.0.1:6379/0"
NEVER_REACHED = 1_000_000_000


def _time_requests(client, headers: dict, requests: int) -> float:
    start = time.perf_counter()
    for _ in range(requests):
        response = client.get("/api/v1/userods", headers=headers)
        if response.status_code != 200:
            raise SystemExit(f"GET /api/v1/userods answered {response.status_code}.")
    return (time.perf_counter() - start) / requests


def measure(database_url: str, requests: int, redis_url: str | None = None) -> dict[str, float]:
    """Return seconds per request uncounted and counted, and per counting call alone."""
    prefix = f"taskboard-bench:{secrets.token_hex(4)}:"
    app = create_app(
        {
            "TASKBOARD_DATABASE_URL": database_url,
            "TASKBOARD_SECRET_KEY": "bench",
            "TASKBOARD_REDIS_URL": redis_url,
            "RATE_LIMIT_REDIS_PREFIX": prefix,
        }
    )
    runner = app.test_cli_runner()
    with app.app_context():
        runner.invoke(args=["init-db"])
        _, dev, cust = services.create_api_key(permission=Permission.read, rate_limit=0)
        free = {"Authorization": f"ODFHIR {dev}/{cust}"}
        _, dev, cust = services.create_api_key(permission=Permission.read, rate_limit=NEVER_REACHED)
        counted = {"Authorization": f"ODFHIR {dev}/{cust}"}
        key_num = services.authenticate_api_key(developer_key=dev, customer_key=cust).api_key_num
    client = app.test_client()
    _time_requests(client, free, 50)  # warm up both paths
    _time_requests(client, counted, 50)
    uncounted, counted_times = [], []
    rounds = max(1, requests // 50)
    for _ in range(rounds):  # interleaved batches of 50, so a busy moment hits both alike
        uncounted.append(_time_requests(client, free, 50))
        counted_times.append(_time_requests(client, counted, 50))
    alone = []
    with app.app_context():
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(50):
                services.count_api_request(api_key_num=key_num, limit=NEVER_REACHED)
            alone.append((time.perf_counter() - start) / 50)
        db.session.remove()
        db.engine.dispose()
    if redis_url:
        import redis

        client_redis = redis.Redis.from_url(redis_url)
        for name in client_redis.scan_iter(match=f"{prefix}*"):
            client_redis.delete(name)
    return {
        "uncounted": statistics.median(uncounted),
        "counted": statistics.median(counted_times),
        "alone": statistics.median(alone),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    print(f"{'counter':<22} {'uncounted':>10} {'counted':>10} {'overhead':>10} {'count()':>10}")
    targets = [(kind, kind, None) for kind in KINDS] + [("redis (SQLite app)", "sqlite", REDIS_URL)]
    for label, kind, redis_url in targets:
        reason = server_unreachable(kind)
        if reason:
            print(f"{label:<22} skipped: {reason}")
            continue
        with tempfile.TemporaryDirectory() as work, fresh_database(kind, Path(work)) as url:
            result = measure(url, args.requests, redis_url)
        ms = {name: value * 1000 for name, value in result.items()}
        print(
            f"{label:<22} {ms['uncounted']:>8.3f}ms {ms['counted']:>8.3f}ms "
            f"{ms['counted'] - ms['uncounted']:>8.3f}ms {ms['alone']:>8.3f}ms"
        )


if __name__ == "__main__":
    main()
