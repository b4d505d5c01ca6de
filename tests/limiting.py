"""Helpers of the rate-limit tests: apps sharing a database, keys and counts (clock: conftest)."""

from sqlalchemy import select
from testdb import TEST_ZONE, prepare_database

from taskboard import create_app, services
from taskboard.extensions import db
from taskboard.models import ApiRequestCount, Permission

TASK = {"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1}
# A moment 45.2 seconds into a minute: Retry-After is the 15 seconds left of it (rounded up).
MINUTE = 29_000_000
MOMENT = MINUTE * 60 + 45.2


def make_app(database_url: str, prepare: bool = False, **config):
    """Another app on the same database: another worker, or another host."""
    settings = {
        "TESTING": True,
        "TASKBOARD_DATABASE_URL": database_url,
        "TASKBOARD_SECRET_KEY": "test-secret",
        "TASKBOARD_TIMEZONE": TEST_ZONE,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }
    app = create_app({**settings, **config})
    if prepare:  # the first app on this database
        prepare_database(app)
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def key_header(app, permission=Permission.read, rate_limit=None) -> dict[str, str]:
    with app.app_context():
        _, dev, cust = services.create_api_key(permission=permission, rate_limit=rate_limit)
    return {"Authorization": f"ODFHIR {dev}/{cust}"}


def counts(app) -> list[tuple[int, int, int]]:
    with app.app_context():
        rows = db.session.scalars(select(ApiRequestCount)).all()
        return [(row.api_key_num, row.window_minute, row.hits) for row in rows]


def assert_throttled(response, limit: int, wait: int) -> None:
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    assert response.headers["Retry-After"] == str(wait)
    assert response.get_json() == {
        "message": f"This API key made more than {limit} requests this minute; "
        f"try again in {wait} seconds."
    }
