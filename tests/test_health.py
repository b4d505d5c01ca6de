"""GET /healthz (api.md §6)."""

from taskboard import create_app
from taskboard.extensions import db


def test_healthz_when_the_database_answers(client):
    resp = client.get("/healthz")
    assert resp.status_code == 200


def test_healthz_when_the_database_does_not_answer(tmp_path):
    broken = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": f"sqlite:///{tmp_path / 'missing' / 'dir' / 'db.sqlite'}",
            "TASKBOARD_SECRET_KEY": "test-secret",
            "TASKBOARD_TIMEZONE": "America/Denver",
        }
    )
    try:
        resp = broken.test_client().get("/healthz")
        assert resp.status_code == 503
    finally:
        with broken.app_context():
            db.engine.dispose()
