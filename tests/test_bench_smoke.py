"""A CI-sized run of the benchmarks' checks: Taskboard must answer exactly as the references.

It builds the tiny benchmark database with bench/data.py, starts the reference app and
Taskboard under real gunicorn (the benchmarks' own settings, one worker each) and compares
every answer the benchmarks time: W1's page, W2's tasks by key, W3's POST and PUT. It
fails on a wrong status or different bytes, never on timing (nothing here is timed).
"""

import shutil
from pathlib import Path

import pytest

from bench import data, harness, w_reads, w_writes


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> Path:
    return data.sqlite_database("tiny", tmp_path_factory.mktemp("benchdata"))


def test_w1_and_w2_answers_are_the_references_bytes(tiny, tmp_path):
    copy = tmp_path / "reads.sqlite"
    shutil.copyfile(tiny, copy)
    url = f"sqlite:///{copy}"
    with harness.servers([("reference", url, 1), ("taskboard", url, 1)]) as (reference, board):
        status, _, body = board.request("GET", data.W1_PATH, {"Authorization": data.READ_AUTH})
        assert status == 200
        assert body.count(b'"TaskNum"') >= 50  # a real page, not an empty list
        assert w_reads.check_same(reference, board, [data.W1_PATH]) == 1
        paths = w_reads.w2_paths(data.size_of("tiny"), count=100)
        assert w_reads.check_same(reference, board, paths) == 100
        # The cached key still refuses a write with the read key.
        denied = board.request("PUT", paths[0], {"Authorization": data.READ_AUTH})
        assert denied[0] == 401


def test_check_same_fails_on_different_bytes(tiny, tmp_path):
    """The comparison itself: a body that differs in one task is reported, not passed."""
    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    shutil.copyfile(tiny, first)
    shutil.copyfile(tiny, second)
    import sqlite3

    with sqlite3.connect(second) as connection:
        connection.execute("UPDATE task SET descript = 'changed' WHERE task_num = ?", (9001,))
    specs = [("reference", f"sqlite:///{first}", 1), ("taskboard", f"sqlite:///{second}", 1)]
    with (
        harness.servers(specs) as (reference, board),
        pytest.raises(harness.BenchError, match="bodies differ"),
    ):
        w_reads.check_same(reference, board, ["/api/v1/tasks/9001"])


def test_w3_post_and_put_answer_as_the_reference(tiny, tmp_path):
    copies = w_writes.Copies("sqlite", tmp_path, tiny.parent, size="tiny")
    w_writes.check_same(copies)  # raises BenchError on any difference
    assert copies.count == 2  # one fresh copy for each side


def test_w4_board_fragment_is_the_bare_jinja_markup(tiny, tmp_path):
    """W4's check at CI size: Taskboard's htmx fragment and bench/reference_board.py's give
    the same bytes (the CSRF token's value masked) for both views; a changed row is seen."""
    from types import SimpleNamespace

    from bench import w_board

    args = SimpleNamespace(size="tiny", data_dir=tiny.parent, workers=1)
    with w_board.board_servers(args, tmp_path) as (board, reference, cookie):
        for path in w_board.VIEWS.values():
            assert w_board.check_same(reference, board, cookie, path) > 5
        # A change through the API shows on both sides alike (they read the same file).
        body = w_board.fragment(board, cookie, w_board.VIEWS["500"])
        w_board.change_one_row(board, body)
        assert w_board.check_same(reference, board, cookie, w_board.VIEWS["500"]) > 5
        changed = w_board.fragment(reference, cookie, w_board.VIEWS["500"])
        assert b"Changed elsewhere" in changed


def test_w5_poll_after_one_change_sends_that_row(tiny, tmp_path):
    from types import SimpleNamespace

    from bench import w_board

    args = SimpleNamespace(size="tiny", data_dir=tiny.parent, workers=1)
    with w_board.board_servers(args, tmp_path, reference=False) as (board, _, cookie):
        path = w_board.VIEWS["500"]
        full = w_board.fragment(board, cookie, path)
        poll = w_board.POLL.search(full)[1].decode().replace("&amp;", "&")
        num = w_board.change_one_row(board, full)
        status, _, answer = board.request("GET", poll, w_board.htmx_headers(board, cookie, path))
        assert status == 200
        assert w_board.BOARD_ROW.findall(answer) == [str(num).encode()]
        assert b"Changed elsewhere" in answer and len(answer) < len(full) / 3
