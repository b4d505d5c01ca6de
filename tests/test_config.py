"""Configuration: layering, validation, the instance secret key, and the office time zone."""

import datetime as dt
import itertools
import stat
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from testdb import prepare_database

import taskboard
from taskboard import ConfigError, create_app, services
from taskboard.extensions import db
from taskboard.models import Permission, Task, TaskList, User

TOLERANCE = dt.timedelta(seconds=5)


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """Give create_app a fresh instance folder and a clean TASKBOARD_* environment."""
    path = tmp_path / "instance"
    path.mkdir()

    class InstanceFlask(Flask):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("instance_path", str(path))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(taskboard, "Flask", InstanceFlask)
    for key in taskboard.ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    return path


def write_instance_config(path, values: dict) -> None:
    (path / "config.py").write_text(
        "".join(f"{key} = {value!r}\n" for key, value in values.items())
    )


LAYERS = {
    "instance": {
        "TASKBOARD_DATABASE_URL": "sqlite:////tmp/from-instance.sqlite",
        "TASKBOARD_SECRET_KEY": "instance-secret",
        "TASKBOARD_TIMEZONE": "Europe/Paris",
        "TASKBOARD_API_MAX_LIMIT": 500,
    },
    "environment": {
        "TASKBOARD_DATABASE_URL": "sqlite:////tmp/from-environment.sqlite",
        "TASKBOARD_SECRET_KEY": "environment-secret",
        "TASKBOARD_TIMEZONE": "Asia/Tokyo",
        "TASKBOARD_API_MAX_LIMIT": "200",
    },
    "test_config": {
        "TASKBOARD_DATABASE_URL": "sqlite:////tmp/from-test-config.sqlite",
        "TASKBOARD_SECRET_KEY": "test-config-secret",
        "TASKBOARD_TIMEZONE": "UTC",
        "TASKBOARD_API_MAX_LIMIT": 50,
    },
}
LAYER_SETS = [
    combination
    for size in range(len(LAYERS) + 1)
    for combination in itertools.combinations(LAYERS, size)
]


def make_app(instance, monkeypatch, layers: dict[str, dict]) -> Flask:
    """Apply the given layers (instance/config.py, environment, test_config) and build an app."""
    if "instance" in layers:
        write_instance_config(instance, layers["instance"])
    for key, value in layers.get("environment", {}).items():
        monkeypatch.setenv(key, str(value))
    return create_app(layers.get("test_config"))


@pytest.mark.parametrize("present", LAYER_SETS, ids=lambda layers: "+".join(layers) or "none")
def test_layers_each_override_the_one_below(instance, monkeypatch, present):
    app = make_app(instance, monkeypatch, {name: LAYERS[name] for name in present})
    top = LAYERS[present[-1]] if present else None
    cfg = app.config
    if top is None:
        url = f"sqlite:///{instance / 'taskboard.sqlite'}"
        assert cfg["TASKBOARD_DATABASE_URL"] == url
        assert cfg["SQLALCHEMY_DATABASE_URI"] == url
        assert cfg["SECRET_KEY"] == (instance / "secret_key").read_text().strip()
        assert cfg["TASKBOARD_API_MAX_LIMIT"] == 1000
        with app.app_context():
            assert abs(services.now() - dt.datetime.now()) <= TOLERANCE
        return
    assert cfg["TASKBOARD_DATABASE_URL"] == top["TASKBOARD_DATABASE_URL"]
    assert cfg["SQLALCHEMY_DATABASE_URI"] == top["TASKBOARD_DATABASE_URL"]
    assert cfg["SECRET_KEY"] == top["TASKBOARD_SECRET_KEY"]
    assert cfg["TASKBOARD_API_MAX_LIMIT"] == int(top["TASKBOARD_API_MAX_LIMIT"])
    assert type(cfg["TASKBOARD_API_MAX_LIMIT"]) is int
    zone = ZoneInfo(top["TASKBOARD_TIMEZONE"])
    with app.app_context():
        expected = dt.datetime.now(zone).replace(tzinfo=None)
        assert abs(services.now() - expected) <= TOLERANCE


def test_environment_max_limit_clamps_pages(instance, monkeypatch, tmp_path):
    monkeypatch.setenv("TASKBOARD_DATABASE_URL", f"sqlite:///{tmp_path / 'limit.sqlite'}")
    monkeypatch.setenv("TASKBOARD_SECRET_KEY", "x")
    monkeypatch.setenv("TASKBOARD_API_MAX_LIMIT", "2")
    app = create_app()
    with app.app_context():
        db.create_all()
        db.session.add_all([User(user_num=n, user_name=f"User {n}") for n in (1, 2, 3)])
        db.session.commit()
        _, dev, cust = services.create_api_key(permission=Permission.read)
    response = app.test_client().get(
        "/api/v1/userods?Limit=1000", headers={"Authorization": f"ODFHIR {dev}/{cust}"}
    )
    assert response.status_code == 200
    assert [user["UserNum"] for user in response.json] == [1, 2]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


BAD_SETTINGS = [
    ("TASKBOARD_TIMEZONE", "Mars/Olympus_Mons"),
    ("TASKBOARD_TIMEZONE", "not a zone"),
    ("TASKBOARD_TIMEZONE", "../../etc/passwd"),
    ("TASKBOARD_API_MAX_LIMIT", "0"),
    ("TASKBOARD_API_MAX_LIMIT", "1001"),
    ("TASKBOARD_API_MAX_LIMIT", "abc"),
    ("TASKBOARD_API_MAX_LIMIT", "-5"),
    ("TASKBOARD_API_MAX_LIMIT", "2.5"),
    ("TASKBOARD_API_MAX_LIMIT", ""),
]


@pytest.mark.parametrize(("key", "value"), BAD_SETTINGS)
def test_bad_environment_setting_is_a_config_error(instance, monkeypatch, key, value):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as exc:
        create_app({"TASKBOARD_SECRET_KEY": "x"})
    assert key in str(exc.value)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("TASKBOARD_TIMEZONE", "Mars/Olympus_Mons"),
        ("TASKBOARD_API_MAX_LIMIT", 0),
        ("TASKBOARD_API_MAX_LIMIT", 1001),
        ("TASKBOARD_API_MAX_LIMIT", "abc"),
        ("TASKBOARD_API_MAX_LIMIT", None),
    ],
)
@pytest.mark.parametrize("layer", ["instance", "test_config"])
def test_bad_setting_in_any_layer_is_a_config_error(instance, monkeypatch, layer, key, value):
    with pytest.raises(ConfigError) as exc:
        make_app(instance, monkeypatch, {layer: {"TASKBOARD_SECRET_KEY": "x", key: value}})
    assert key in str(exc.value)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("1000", 1000)])
def test_max_limit_bounds_are_accepted(instance, monkeypatch, value, expected):
    monkeypatch.setenv("TASKBOARD_API_MAX_LIMIT", value)
    app = create_app({"TASKBOARD_SECRET_KEY": "x"})
    assert app.config["TASKBOARD_API_MAX_LIMIT"] == expected


def test_secret_key_is_generated_once_into_instance(instance):
    first = create_app()
    secret_file = instance / "secret_key"
    assert secret_file.is_file()
    key = first.config["SECRET_KEY"]
    assert len(key) >= 32
    assert secret_file.read_text().strip() == key
    assert stat.S_IMODE(secret_file.stat().st_mode) & 0o077 == 0
    second = create_app()
    assert second.config["SECRET_KEY"] == key
    assert secret_file.read_text().strip() == key


def test_secret_key_in_instance_is_reused(instance):
    (instance / "secret_key").write_text("kept-from-an-earlier-install\n")
    assert create_app().config["SECRET_KEY"] == "kept-from-an-earlier-install"


def test_each_installation_gets_its_own_secret(instance, tmp_path, monkeypatch):
    first = create_app().config["SECRET_KEY"]
    other = tmp_path / "other-instance"
    other.mkdir()

    class OtherFlask(Flask):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("instance_path", str(other))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(taskboard, "Flask", OtherFlask)
    assert create_app().config["SECRET_KEY"] != first


def test_given_secret_key_wins_over_instance_file(instance, monkeypatch):
    (instance / "secret_key").write_text("file-secret")
    monkeypatch.setenv("TASKBOARD_SECRET_KEY", "environment-secret")
    assert create_app().config["SECRET_KEY"] == "environment-secret"


# --- the office time zone ------------------------------------------------------------------

ZONES = ["UTC", "Pacific/Kiritimati", "America/Denver"]


@pytest.fixture(params=ZONES)
def zone_app(request, database_url):
    """An app whose office is in the parametrized zone, with list 74, user 1 and a write key."""
    app = create_app(
        {
            "TESTING": True,
            "TASKBOARD_DATABASE_URL": database_url,
            "TASKBOARD_SECRET_KEY": "x",
            "TASKBOARD_TIMEZONE": request.param,
            "TASKBOARD_API_MAX_LIMIT": 1000,
        }
    )
    prepare_database(app)
    with app.app_context():
        db.session.add(User(user_num=1, user_name="Admin"))
        db.session.flush()
        db.session.add(
            TaskList(
                task_list_num=74, descript="Front Desk", date_time_entry=dt.datetime(2022, 1, 1)
            )
        )
        db.session.commit()
        _, dev, cust = services.create_api_key(permission=Permission.write)
    app.zone = ZoneInfo(request.param)
    app.headers = {"Authorization": f"ODFHIR {dev}/{cust}"}
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def zone_now(zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.now(zone).replace(tzinfo=None)


def parse_stamp(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")


def test_posted_task_is_stamped_with_the_office_wall_clock(zone_app):
    response = zone_app.test_client().post(
        "/api/v1/tasks",
        json={"TaskListNum": 74, "Descript": "Call Mr. Anderson", "UserNum": 1},
        headers=zone_app.headers,
    )
    assert response.status_code == 201, response.json
    expected = zone_now(zone_app.zone)
    for field in ("DateTimeOriginal", "SecDateTEdit", "DateTimeEntry"):
        assert abs(parse_stamp(response.json[field]) - expected) <= TOLERANCE, field


def test_default_list_window_is_fourteen_days_in_the_office_zone(zone_app):
    window_start = zone_now(zone_app.zone) - dt.timedelta(days=14)
    with zone_app.app_context():
        for task_num, original in (
            (1, window_start + dt.timedelta(hours=1)),
            (2, window_start - dt.timedelta(hours=1)),
        ):
            db.session.add(
                Task(
                    task_num=task_num,
                    task_list_num=74,
                    descript=f"Task {task_num}",
                    user_num=1,
                    date_time_entry=original,
                    date_time_original=original,
                    sec_date_t_edit=original,
                )
            )
        db.session.commit()
    response = zone_app.test_client().get("/api/v1/tasks", headers=zone_app.headers)
    assert response.status_code == 200
    assert [task["TaskNum"] for task in response.json] == [1]


@pytest.mark.parametrize(("value", "expected"), [("0", 0), ("75", 75), (" 9 ", 9)])
def test_the_rate_limit_comes_from_the_environment(instance, monkeypatch, value, expected):
    assert create_app().config["TASKBOARD_API_RATE_LIMIT"] == 1200
    monkeypatch.setenv("TASKBOARD_API_RATE_LIMIT", value)
    assert create_app().config["TASKBOARD_API_RATE_LIMIT"] == expected


@pytest.mark.parametrize("value", ["-1", "lots", "1.5", "", str(2**31)])
def test_an_impossible_rate_limit_stops_the_start(instance, monkeypatch, value):
    monkeypatch.setenv("TASKBOARD_API_RATE_LIMIT", value)
    with pytest.raises(ConfigError, match="TASKBOARD_API_RATE_LIMIT must be a whole number"):
        create_app()


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis"])
def test_a_redis_url_that_is_not_one_stops_the_start(instance, monkeypatch, url):
    monkeypatch.setenv("TASKBOARD_REDIS_URL", url)
    with pytest.raises(ConfigError, match="TASKBOARD_REDIS_URL must be a redis://"):
        create_app()


def test_an_empty_redis_url_means_none(instance, monkeypatch):
    monkeypatch.setenv("TASKBOARD_REDIS_URL", "")
    assert create_app().config["TASKBOARD_REDIS_URL"] is None
