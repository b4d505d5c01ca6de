"""Browser fixtures: one live gunicorn on the demo office, one Chromium, a fresh page per test."""

import os

import pytest
from playwright.sync_api import sync_playwright

from taskboard import create_app
from taskboard.extensions import db
from tests.browser.server import CHROMIUM, VIEWPORT, launch_chromium, sign_in, start_server

NO_CHROMIUM = "Chromium is not installed (apt-get install chromium)"


@pytest.fixture(scope="session")
def chromium_installed():
    """Skip the browser tests without Chromium, except in CI, where they must run."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{NO_CHROMIUM}; CI must run the browser tests.", pytrace=False)
        pytest.skip(NO_CHROMIUM)


@pytest.fixture(scope="session")
def live_server(chromium_installed, tmp_path_factory):
    """gunicorn on a migrated SQLite database seeded with the demo office (200 tasks)."""
    server = start_server(tmp_path_factory.mktemp("live-server"))
    yield server
    server.stop()


@pytest.fixture
def server_still_up(live_server):
    """Fail loudly if the shared gunicorn died during a test (its log says why)."""
    yield
    assert live_server.process.poll() is None, live_server.log()


@pytest.fixture(scope="module")
def live_app(live_server):
    """The live server's database, in this process, to prepare data fast."""
    env = live_server.env
    app = create_app({key: value for key, value in env.items() if key.startswith("TASKBOARD_")})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(scope="session")
def base_url(live_server) -> str:
    return live_server.url


@pytest.fixture(scope="session")
def api_headers(live_server) -> dict[str, str]:
    """The Authorization header of a write key, to change data behind the browser's back."""
    return dict(live_server.api_headers)


@pytest.fixture(scope="session")
def browser(chromium_installed):
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


@pytest.fixture
def new_context(browser, base_url):
    """Open browser contexts (1400x900) that are closed after the test; kwargs as Playwright's."""
    contexts = []

    def make(**options):
        options.setdefault("viewport", VIEWPORT)
        context = browser.new_context(base_url=base_url, **options)
        context.set_default_timeout(5000)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def signed_in_page(page, base_url):
    """A page signed in as the demo user, on the board."""
    sign_in(page, base_url)
    return page
