"""The per-process cache of API key lookups: used while nothing changed, dropped on a change."""

from sqlalchemy import event

from taskboard import create_app, services
from taskboard.database import KEYS_MARKER_ID
from taskboard.extensions import db
from taskboard.models import ChangeMarker, Permission
from taskboard.services import keycache


def _key_selects(app):
    """Count the SELECTs of the api_key table run on app's engine (a list to read after)."""
    seen: list[str] = []
    with app.app_context():
        engine = db.engine

    @event.listens_for(engine, "before_cursor_execute")
    def count(conn, cursor, statement, parameters, context, executemany):
        if "FROM api_key" in statement:
            seen.append(statement)

    return seen


def test_a_found_key_is_read_once_then_served_from_the_cache(app, client):
    with app.app_context():
        _, dev, cust = services.create_api_key(permission=Permission.read)
    headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    seen = _key_selects(app)
    for _ in range(5):
        assert client.get("/api/v1/tasklists", headers=headers).status_code == 200
    assert len(seen) == 1


def test_an_unknown_key_is_never_cached(app, client):
    with app.app_context():
        services.create_api_key(permission=Permission.read, developer_key="Developer1")
    seen = _key_selects(app)
    headers = {"Authorization": "ODFHIR Developer1/NoSuchCustomer1"}
    for _ in range(3):
        assert client.get("/api/v1/tasklists", headers=headers).status_code == 401
    assert len(seen) == 3


def test_a_key_disabled_here_is_refused_at_once(app, client):
    with app.app_context():
        api_key, dev, cust = services.create_api_key(permission=Permission.write)
        key_num = api_key.api_key_num
    headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    assert client.get("/api/v1/tasklists", headers=headers).status_code == 200
    with app.app_context():
        services.set_api_key_disabled(api_key_num=key_num, disabled=True)
    response = client.get("/api/v1/tasklists", headers=headers)
    assert response.status_code == 401
    assert response.get_json() == {"message": "The API key pair is unknown or disabled."}
    with app.app_context():
        services.set_api_key_disabled(api_key_num=key_num, disabled=False)
    assert client.get("/api/v1/tasklists", headers=headers).status_code == 200


def test_a_key_disabled_by_another_process_is_refused_once_the_generation_is_read(
    app, client, database_url, monkeypatch
):
    with app.app_context():
        api_key, dev, cust = services.create_api_key(permission=Permission.write)
        key_num = api_key.api_key_num
    headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    assert client.get("/api/v1/tasklists", headers=headers).status_code == 200
    # Another process: its own app on the same database; this process's epoch is not raised.
    other = create_app({"TASKBOARD_DATABASE_URL": database_url, "TASKBOARD_SECRET_KEY": "x"})
    epoch = keycache._epoch
    with other.app_context():
        services.set_api_key_disabled(api_key_num=key_num, disabled=True)
        version = db.session.get(ChangeMarker, KEYS_MARKER_ID).version
        db.session.remove()
        db.engine.dispose()
    monkeypatch.setattr(keycache, "_epoch", epoch)  # as if the change happened elsewhere
    with app.app_context():
        cache = keycache.key_cache()
        assert cache.generation < version  # still the generation it read before
    monkeypatch.setattr(keycache, "GENERATION_SECONDS", 0.0)  # the generation is due again
    assert client.get("/api/v1/tasklists", headers=headers).status_code == 401


def test_every_write_to_a_key_pair_raises_the_keys_marker(ctx):
    def version():
        marker = db.session.get(ChangeMarker, KEYS_MARKER_ID)
        return marker.version if marker else 0

    before = version()
    api_key, _, _ = services.create_api_key(permission=Permission.read)
    created = version()
    services.set_api_key_disabled(api_key_num=api_key.api_key_num, disabled=True)
    assert before < created < version()
