"""The database goes away under a running gunicorn: the wall display and the board say so
in the browser and recover by themselves when it comes back (issue 8).

gunicorn stays up; only its PostgreSQL database, reached through a FaultProxy, goes down.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.server import (
    PASSWORD,
    USER_NAME,
    VIEWPORT,
    flask_command,
    server_env,
    sign_in,
    start_host,
)
from tests.faultproxy import FaultProxy
from tests.testdb import temporary_database

POSTGRESQL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
FRONT_DESK = 74


@pytest.fixture(scope="module")
def office(chromium_installed, tmp_path_factory):
    """gunicorn on a seeded PostgreSQL database behind a FaultProxy; the display link."""
    with temporary_database(POSTGRESQL, prefix="taskboard_fault") as url:
        proxy = FaultProxy((url.host, url.port))
        through = url.set(host="127.0.0.1", port=proxy.port)
        env = server_env(through.render_as_string(hide_password=False))
        env["TASKBOARD_DB_TIMEOUT"] = "1"
        flask_command(env, "init-db")
        flask_command(env, "seed-demo", "--tasks", "40")
        flask_command(env, "create-user", USER_NAME, stdin=f"{PASSWORD}\n")
        kiosk = flask_command(env, "create-kiosk-token", "--lists", str(FRONT_DESK)).strip()
        header = flask_command(env, "create-api-key", "--permission", "write").strip()
        host = start_host(env, tmp_path_factory.mktemp("db-fault"), {"Authorization": header})
        try:
            status, _ = host.api(
                "POST", "/tasks", {"TaskListNum": FRONT_DESK, "UserNum": 1, "Descript": "Call back"}
            )
            assert status == 201
            yield host, proxy, kiosk
        finally:
            host.stop()
            proxy.close()


@pytest.fixture
def page(browser, office):
    host, proxy, _ = office
    context = browser.new_context(base_url=host.url, viewport=VIEWPORT)
    context.set_default_timeout(5000)
    yield context.new_page()
    context.close()
    proxy.set("up")
    assert host.process.poll() is None, host.log()


def test_an_open_display_shows_the_stale_banner_while_the_database_is_down(office, page):
    host, proxy, kiosk = office
    response = page.goto(f"{kiosk}?poll_ms=500")
    assert response is not None and response.status == 200
    page.evaluate("window.__marker = 1")
    banner = page.locator("#stale-banner")
    expect(page.locator("#display .display-task").first).to_be_visible()
    expect(banner).to_be_hidden()

    proxy.set("down")
    expect(banner).to_be_visible(timeout=8000)
    expect(banner).to_have_text(re.compile(r"^Not updating since \d{2}:\d{2}$"))
    expect(page.locator("#display .display-task").first).to_be_visible()  # kept, dimmed

    proxy.set("up")
    expect(banner).to_be_hidden(timeout=8000)
    assert page.evaluate("window.__marker") == 1, "the display reloaded"
    assert "Traceback" not in host.log()


def test_a_display_opened_while_the_database_is_down_waits_and_then_shows_the_tasks(office, page):
    _, proxy, kiosk = office
    proxy.set("down")
    response = page.goto(kiosk)
    assert response is not None and response.status == 503
    expect(page.get_by_role("heading", name="Waiting for the server")).to_be_visible()
    proxy.set("up")
    # The page asks again by itself (Retry-After, 5 s) and the display appears.
    expect(page.locator("#display .display-task").first).to_be_visible(timeout=12000)
    expect(page.locator("#stale-banner")).to_be_hidden()


def test_the_board_says_the_database_is_not_answering_and_recovers(office, page):
    host, proxy, _ = office
    sign_in(page, host.url)
    expect(page.locator("#board .task").first).to_be_visible()
    proxy.set("down")
    error = page.locator("#request-error")
    # The board's live poll fails: the page says why instead of silently going stale.
    expect(error).to_have_text(
        "The database is not answering, so that did not go through. Try again in a moment.",
        timeout=8000,
    )
    response = page.reload()
    assert response is not None and response.status == 503
    expect(page.get_by_role("heading", name="Try again in a moment")).to_be_visible()
    proxy.set("up")
    expect(page.locator("#board .task").first).to_be_visible(timeout=12000)  # retried itself
