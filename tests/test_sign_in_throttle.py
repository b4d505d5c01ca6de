"""The sign-in throttle is race-free: an attempt is counted, in one atomic statement, first.

Five wrong passwords a name or twenty an address lock sign-in for 15 minutes (README);
parallel guesses can never get more passwords checked than that.
"""

import threading
import time

import pytest
from sqlalchemy import select
from staff import csrf_token, sign_in
from test_auth import PASSWORD, make_user

from taskboard.extensions import db
from taskboard.models import SignInFailure
from taskboard.services import accounts


def _sign_in_in_parallel(app, monkeypatch, threads: int, password: str = "wrong-password"):
    """`threads` clients post the sign-in form at once; return statuses and passwords checked."""
    checked, lock = [], threading.Lock()
    real_check = accounts.check_password_hash

    def counting_check(stored: str, offered: str) -> bool:
        with lock:
            checked.append(offered)
        time.sleep(0.05)  # as long as a real scrypt hash: the window a race needs
        return real_check(stored, offered)

    monkeypatch.setattr(accounts, "check_password_hash", counting_check)
    barrier, statuses = threading.Barrier(threads, timeout=60), []

    def attempt() -> None:
        client = app.test_client()
        data = {"csrf_token": csrf_token(client), "user_name": "demo", "password": password}
        barrier.wait()
        response = client.post("/login", data=data)
        statuses.append(response.status_code)

    workers = [threading.Thread(target=attempt) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sorted(statuses), checked


def _failures(app) -> dict[str, int]:
    with app.app_context():
        rows = db.session.scalars(select(SignInFailure)).all()
        return {row.throttle_key: row.failures for row in rows}


@pytest.mark.parametrize("threads", [6, 30])
def test_parallel_wrong_passwords_check_at_most_five(app, monkeypatch, threads):
    make_user(app)
    statuses, checked = _sign_in_in_parallel(app, monkeypatch, threads)
    assert statuses == [401] * 5 + [429] * (threads - 5)  # no 500: no IntegrityError
    assert len(checked) == 5
    assert _failures(app) == {"user:demo": threads, "addr:127.0.0.1": 5}


def test_parallel_right_passwords_neither_lock_nor_count(app, monkeypatch):
    make_user(app)
    statuses, checked = _sign_in_in_parallel(app, monkeypatch, 5, PASSWORD)
    assert statuses == [302] * 5
    assert len(checked) == 5
    assert _failures(app) == {"addr:127.0.0.1": 0}


def test_a_locked_name_does_not_count_against_the_address(app, client):
    make_user(app)
    for _ in range(5):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    for _ in range(10):
        response = sign_in(client, "demo", PASSWORD)
        assert response.status_code == 429
        assert 14 * 60 < int(response.headers["Retry-After"]) <= 15 * 60
    assert _failures(app) == {"user:demo": 15, "addr:127.0.0.1": 5}


def test_an_attempt_the_address_refuses_gives_its_name_number_back(app, client):
    make_user(app)
    for number in range(20):
        assert sign_in(client, f"guess{number}", "wrong-password").status_code == 401
    for _ in range(3):
        assert sign_in(client, "demo", PASSWORD).status_code == 429
    failures = _failures(app)
    assert failures["addr:127.0.0.1"] == 23
    assert "user:demo" not in failures or failures["user:demo"] == 0


def test_a_success_gives_the_address_its_number_back(app, client):
    make_user(app)
    for _ in range(25):  # more than the address allows, had successes counted
        assert sign_in(app.test_client(), "demo", PASSWORD).status_code == 302
    for _ in range(2):
        assert sign_in(client, "demo", "wrong-password").status_code == 401
    assert _failures(app) == {"user:demo": 2, "addr:127.0.0.1": 2}


def test_keys_continue_above_imported_ones_after_sign_ins(app, client):
    """advance_sequences (after an import) skips the throttle's text keys (PostgreSQL)."""
    make_user(app)
    assert sign_in(client, "demo", "wrong-password").status_code == 401
    assert sign_in(client, "demo", PASSWORD).status_code == 302
    make_user(app, "other")  # advances the sequences over every table
    assert sign_in(app.test_client(), "other", PASSWORD).status_code == 302
