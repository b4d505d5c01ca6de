"""The board under attack: CSRF on every change, escaped output, security headers, and
no 5xx for hostile input."""

import re
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from boardtest import HTMX, HUGE, PASSWORD, count, db_snapshot, list_form, post
from sqlalchemy import select
from staff import csrf_token

from taskboard import services
from taskboard.extensions import db
from taskboard.models import (
    ObjectType,
    Patient,
    Task,
    User,
)

# (id, URL, form data) of every state-changing request of the board and of sign-in.
STATE_CHANGES = [
    ("create-task", "/board/tasks", {"task_list_num": 74, "descript": "Via a forged form"}),
    (
        "edit",
        "/board/tasks/{n}",
        {"descript": "Forged", "descript_override": "", "priority_def_num": ""},
    ),
    ("status", "/board/tasks/{n}/status", {"task_status": "Done"}),
    ("note", "/board/tasks/{n}/notes", {"note": "Forged note"}),
    ("link", "/board/tasks/{n}/link", {"object_type": "Patient", "key_num": 73}),
    (
        "create-list",
        "/board/lists",
        {"new-descript": "Forged", "new-parent_num": "", "new-default_priority_def_num": ""},
    ),
    (
        "edit-list",
        "/board/lists/75",
        {
            "list75-descript": "Forged",
            "list75-parent_num": "",
            "list75-default_priority_def_num": "",
        },
    ),
    ("archive", "/board/lists/75/archive", {}),
    ("unarchive", "/board/lists/76/unarchive", {}),
    ("logout", "/logout", {}),
    (
        "password",
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "a-forged-password",
            "confirm_password": "a-forged-password",
        },
    ),
]
STATE_IDS = [name for name, _, _ in STATE_CHANGES]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES, ids=STATE_IDS)
def test_post_without_csrf_token_is_400_and_changes_nothing(
    app, client, token, task, name, url, data, htmx
):
    before = db_snapshot(app)
    response = post(client, url.format(n=task), None, htmx=htmx, **data)
    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert db_snapshot(app) == before
    assert client.get("/board/").status_code == 200  # still signed in


@pytest.mark.parametrize(
    "bad", ["", "not-a-token", "other-session"], ids=["empty", "garbage", "other-session"]
)
@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES[:5], ids=STATE_IDS[:5])
def test_post_with_a_bad_csrf_token_is_400(app, client, token, task, name, url, data, bad):
    if bad == "other-session":
        bad = csrf_token(app.test_client())
    before = db_snapshot(app)
    response = post(client, url.format(n=task), bad, htmx=True, **data)
    assert response.status_code == 400
    assert db_snapshot(app) == before
    # The same token in the header does not help either.
    response = client.post(url.format(n=task), data=data, headers={**HTMX, "X-CSRFToken": bad})
    assert response.status_code == 400
    assert db_snapshot(app) == before


@pytest.mark.parametrize(("name", "url", "data"), STATE_CHANGES, ids=STATE_IDS)
def test_post_with_the_csrf_header_is_accepted(app, client, token, task, name, url, data):
    """htmx sends the token as X-CSRFToken (hx-headers on <body>), not in the form."""
    before = db_snapshot(app)
    response = client.post(
        url.format(n=task),
        data={k: str(v) for k, v in data.items()},
        headers={**HTMX, "X-CSRFToken": token},
    )
    assert response.status_code in (200, 302, 303), response.text
    if name == "logout":
        assert client.get("/board/").status_code == 302
    else:
        assert db_snapshot(app) != before


def test_every_page_carries_the_token_for_htmx(client, token):
    page = client.get("/board/").text
    header = re.search(r"<body hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'>", page)
    assert header
    response = client.post(
        "/board/tasks",
        data={"task_list_num": "74", "descript": "From the header"},
        headers={**HTMX, "X-CSRFToken": header.group(1)},
    )
    assert response.status_code == 200


PAYLOADS = [
    ("script", "<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("img", "<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"),
    ("attribute", '" hx-get="/logout', "&#34; hx-get=&#34;/logout"),
    ("template", "{{7*7}}", "{{7*7}}"),
    ("quote", "'><svg onload=alert(1)>", "&#39;&gt;&lt;svg onload=alert(1)&gt;"),
]


@pytest.fixture(params=PAYLOADS, ids=[p[0] for p in PAYLOADS])
def hostile(request, app, client, office, signed_in):
    """Every kind of user text carries the payload, behind a marker word."""
    _, raw, escaped = request.param
    user_name = f"USER {raw}"
    token = signed_in(client, user_name=user_name, is_admin=True)
    with app.app_context():
        user_num = db.session.scalar(select(User.user_num).where(User.user_name == user_name))
        db.session.add(Patient(pat_num=80, l_name=f"PAT {raw}", f_name="Eve"))
        services.create_priority(item_name=f"PRIO {raw}", item_color="#FFC0C0")
        db.session.commit()
        list_num = services.create_task_list(descript=f"LIST {raw}", parent_num=74).task_list_num
        linked = services.create_task(
            task_list_num=list_num, descript=f"DESC {raw}", user_num=user_num,
            object_type=ObjectType.Patient, key_num=80,
        ).task_num  # fmt: skip
        services.add_note(task_num=linked, user_num=user_num, note=f"NOTE {raw}")
        short = services.create_task(
            task_list_num=list_num, descript=f"LONG {raw}", user_num=user_num,
            descript_override=f"SHORT {raw}",
        ).task_num  # fmt: skip
    return SimpleNamespace(
        raw=raw, escaped=escaped, token=token, list_num=list_num, linked=linked, short=short
    )


def assert_escaped(response, raw: str, escaped: str, markers: list[str]) -> None:
    html = response.text
    assert response.status_code < 500
    if raw != escaped:
        assert raw not in html
    for marker in markers:
        assert f"{marker} {escaped}" in html, f"{marker} not shown escaped"
        if raw == "{{7*7}}":
            assert f"{marker} 49" not in html


def hostile_responses(client, h) -> list[tuple[str, object, list[str]]]:
    """(what, response, markers it must show) for every page and fragment."""
    raw, token = h.raw, h.token
    out = []
    for headers, kind in (({}, "page"), (HTMX, "fragment")):
        out += [
            (
                f"board {kind}",
                client.get(f"/board/?list={h.list_num}", headers=headers),
                ["LIST", "DESC", "SHORT", "USER", "PAT"],
            ),
            (
                f"board search {kind}",
                client.get("/board/", query_string={"q": f"Q {raw}"}, headers=headers),
                ["Q"],
            ),
            (
                f"task {kind}",
                client.get(f"/board/tasks/{h.linked}", headers=headers),
                ["DESC", "NOTE", "USER", "PAT", "LIST"],
            ),
            (
                f"users {kind}",
                client.get("/board/admin/users", headers=headers),
                ["USER"],
            ),
            (
                f"priorities {kind}",
                client.get("/board/admin/priorities", headers=headers),
                ["PRIO"],
            ),
            (
                f"short task {kind}",
                client.get(f"/board/tasks/{h.short}", headers=headers),
                ["LONG", "SHORT"],
            ),
            (
                f"patients {kind}",
                client.get(
                    f"/board/tasks/{h.linked}/patients", query_string={"q": "PAT"}, headers=headers
                ),
                ["PAT"],
            ),
            (
                f"no patient {kind}",
                client.get(
                    f"/board/tasks/{h.linked}/patients",
                    query_string={"q": f"QQ {raw}"},
                    headers=headers,
                ),
                ["QQ"],
            ),
            (
                f"new task {kind}",
                client.get(f"/board/tasks/new?list={h.list_num}", headers=headers),
                ["LIST"],
            ),
            (f"lists {kind}", client.get("/board/lists", headers=headers), ["LIST"]),
        ]
    out += [
        ("status row", post(client, f"/board/tasks/{h.linked}/status", token, True,
                            task_status="Viewed"), ["DESC", "USER", "PAT", "LIST"]),
        ("note", post(client, f"/board/tasks/{h.linked}/notes", token, True,
                      note=f"NOTE2 {raw}"), ["NOTE2", "DESC", "USER"]),
        ("edit", post(client, f"/board/tasks/{h.short}", token, True, descript=f"LONG {raw}",
                      descript_override=f"EDIT {raw}", priority_def_num=""), ["EDIT", "LONG"]),
        ("edit error", post(client, f"/board/tasks/{h.short}", token, True, descript="",
                            descript_override=f"EDIT2 {raw}"), ["EDIT2"]),
        ("link error", post(client, f"/board/tasks/{h.linked}/link", token, True,
                            object_type="Patient", key_num="999"), ["DESC"]),
        ("create error", post(client, "/board/tasks", token, True, task_list_num=h.list_num,
                              descript=f"TYPED {raw}", descript_override=f"TYPED2 {raw}",
                              date_time_entry="bad"), ["TYPED", "TYPED2", "LIST"]),
        ("create error page", post(client, "/board/tasks", token, False,
                                   task_list_num=h.list_num, descript=f"TYPED {raw}",
                                   date_time_entry="bad"), ["TYPED", "LIST", "USER"]),
        ("created", post(client, "/board/tasks", token, True, task_list_num=h.list_num,
                         descript=f"MADE {raw}", next=f"/board/?list={h.list_num}"),
         ["MADE", "LIST", "USER"]),
        ("list created", post(client, "/board/lists", token, True,
                              **list_form("new", f"LIST2 {raw}", 74)), ["LIST2", "LIST"]),
        ("list error", post(client, f"/board/lists/{h.list_num}", token, True,
                            **list_form(h.list_num, f"LIST3 {raw}", h.list_num)), ["LIST3"]),
        ("password page", client.get("/account/password"), ["USER"]),
        ("password error", post(client, "/account/password", token, current_password="x",
                                new_password="y", confirm_password="y"), ["USER"]),
        ("not found", client.get("/board/" + quote(f"PATH {raw}")), ["PATH"]),
    ]  # fmt: skip
    stranger = client.application.test_client()
    out += [
        ("sign-in page", stranger.get("/login", query_string={"next": f"/NEXT {raw}"}),
         ["/NEXT"]),
        ("sign-in error", stranger.post("/login", data={
            "csrf_token": csrf_token(stranger), "user_name": f"WHO {raw}",
            "password": "wrong-password", "next": f"/NEXT {raw}"}), ["WHO", "/NEXT"]),
    ]  # fmt: skip
    return out


def test_user_text_is_escaped_in_every_page_and_fragment(client, hostile):
    responses = hostile_responses(client, hostile)
    assert len(responses) == 35
    for what, response, markers in responses:
        try:
            assert_escaped(response, hostile.raw, hostile.escaped, markers)
        except AssertionError as exc:
            raise AssertionError(f"{what}: {exc}") from None


def test_hostile_user_name_signs_in_and_out(client, hostile):
    html = client.get("/board/").text
    assert f"Signed in as <strong>USER {hostile.escaped}</strong>" in html
    assert client.post("/logout", data={"csrf_token": hostile.token}).status_code == 302


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_security_headers_on_html_responses(app, client, token, task):
    responses = {
        "sign-in": app.test_client().get("/login"),
        "board": client.get("/board/"),
        "board fragment": client.get("/board/", headers=HTMX),
        "task": client.get(f"/board/tasks/{task}"),
        "task fragment": client.get(f"/board/tasks/{task}", headers=HTMX),
        "new task": client.get("/board/tasks/new"),
        "lists": client.get("/board/lists"),
        "password": client.get("/account/password"),
        "row": post(client, f"/board/tasks/{task}/status", token, True, task_status="Viewed"),
        "422": post(client, "/board/tasks", token, True, task_list_num=74, descript=""),
        "404": client.get("/board/tasks/424242"),
        "400": post(client, "/board/tasks", None, task_list_num=74, descript="x"),
        "405": client.get("/logout"),
        "redirect": post(client, "/board/tasks", token, task_list_num=74, descript="x"),
    }
    for what, response in responses.items():
        assert response.mimetype == "text/html", what
        headers = response.headers
        assert headers.get("X-Frame-Options") == "DENY", what
        assert headers.get("X-Content-Type-Options") == "nosniff", what
        csp = csp_directives(headers.get("Content-Security-Policy", ""))
        assert csp.get("script-src") == ["'self'"], what
        assert csp.get("frame-ancestors") == ["'none'"], what


def test_pages_need_no_inline_script(client, token, task):
    """With script-src 'self', inline scripts and on* handlers would not run."""
    for path in ("/board/", f"/board/tasks/{task}", "/board/lists", "/login"):
        html = client.get(path).text
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html), path
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), path
        assert "javascript:" not in html, path


def test_static_files_have_nosniff(client):
    response = client.get("/static/board.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


UNKNOWN = 424242

# (id, method, URL, form data, expected status, text the answer must contain)
HOSTILE_INPUT = [
    ("get-unknown-task", "get", f"/board/tasks/{UNKNOWN}", {}, 404, "Task not found."),
    ("get-huge-task", "get", f"/board/tasks/{HUGE}", {}, 404, None),
    ("get-max-task", "get", f"/board/tasks/{2**63 - 1}", {}, 404, "Task not found."),
    ("get-text-task", "get", "/board/tasks/abc", {}, 404, None),
    ("get-negative-task", "get", "/board/tasks/-1", {}, 404, None),
    ("patients-unknown", "get", f"/board/tasks/{UNKNOWN}/patients?q=a", {}, 404, "Task not found."),
    ("patients-huge", "get", f"/board/tasks/{HUGE}/patients?q=a", {}, 404, None),
    ("patients-long-q", "get", "/board/tasks/{n}/patients?q=" + "a" * 5000, {}, 200, None),
    ("edit-unknown", "post", f"/board/tasks/{UNKNOWN}", {"descript": "x"}, 404, "Task not found."),
    ("edit-huge", "post", f"/board/tasks/{HUGE}", {"descript": "x"}, 404, None),
    ("status-unknown", "post", f"/board/tasks/{UNKNOWN}/status", {"task_status": "Done"}, 404,
     "Task not found."),
    ("status-huge", "post", f"/board/tasks/{HUGE}/status", {"task_status": "Done"}, 404,
     None),
    ("note-unknown", "post", f"/board/tasks/{UNKNOWN}/notes", {"note": "x"}, 404,
     "Task not found."),
    ("note-huge", "post", f"/board/tasks/{HUGE}/notes", {"note": "x"}, 404, None),
    ("link-unknown", "post", f"/board/tasks/{UNKNOWN}/link",
     {"object_type": "Patient", "key_num": "73"}, 404, "Task not found."),
    ("link-huge", "post", f"/board/tasks/{HUGE}/link",
     {"object_type": "Patient", "key_num": "73"}, 404, None),
    ("link-huge-key", "post", "/board/tasks/{n}/link",
     {"object_type": "Patient", "key_num": HUGE}, 422, "Patient not found."),
    ("link-huge-apt", "post", "/board/tasks/{n}/link",
     {"object_type": "Appointment", "key_num": HUGE}, 422, "Appointment not found."),
    ("link-float-key", "post", "/board/tasks/{n}/link",
     {"object_type": "Patient", "key_num": "1e5"}, 422, "Not a valid integer value."),
    ("create-huge-list", "post", "/board/tasks", {"task_list_num": HUGE, "descript": "x"}, 422,
     None),
    ("create-text-list", "post", "/board/tasks", {"task_list_num": "abc", "descript": "x"}, 422,
     None),
    ("create-negative-list", "post", "/board/tasks", {"task_list_num": "-1", "descript": "x"},
     422, None),
    ("create-huge-priority", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "priority_def_num": HUGE}, 422,
     None),
    ("create-text-priority", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "priority_def_num": "high"}, 422, None),
    ("create-year-0", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "0000-01-01T00:00"}, 422,
     "Not a valid datetime value."),
    ("create-year-99999", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "99999-01-01T00:00"}, 422,
     "Not a valid datetime value."),
    ("create-feb-30", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x", "date_time_entry": "2022-02-30T10:00"}, 422,
     "Not a valid datetime value."),
    ("create-huge-descript", "post", "/board/tasks",
     {"task_list_num": "74", "descript": "x" * 70000}, 422,
     "Description must be at most 65,535 characters."),
    ("new-huge-list", "get", f"/board/tasks/new?list={HUGE}", {}, 200, None),
    ("new-text-list", "get", "/board/tasks/new?list=abc", {}, 200, None),
    ("board-everything-bad", "get",
     f"/board/?list={HUGE}&status=%00&type=%FF&done_since=0000-00-00&q=%00", {}, 200, None),
    ("edit-unknown-list", "post", f"/board/lists/{UNKNOWN}",
     list_form(UNKNOWN, "x"), 404, "TaskList not found."),
    ("edit-huge-list", "post", f"/board/lists/{HUGE}", list_form(HUGE, "x"), 404,
     None),
    ("archive-unknown-list", "post", f"/board/lists/{UNKNOWN}/archive", {}, 404,
     "TaskList not found."),
    ("archive-huge-list", "post", f"/board/lists/{HUGE}/archive", {}, 404, None),
    ("unarchive-huge-list", "post", f"/board/lists/{HUGE}/unarchive", {}, 404,
     None),
    ("list-huge-parent", "post", "/board/lists", list_form("new", "x", HUGE), 422,
     None),
    ("list-text-parent", "post", "/board/lists", list_form("new", "x", "abc"), 422, None),
    ("list-huge-priority", "post", "/board/lists/74", list_form(74, "x", "", HUGE), 422,
     None),
    ("list-move-huge", "post", "/board/lists/74", list_form(74, "x", HUGE), 422,
     None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "data", "status", "text"),
    [row[1:] for row in HOSTILE_INPUT],
    ids=[row[0] for row in HOSTILE_INPUT],
)
def test_hostile_input_never_gives_a_5xx(app, client, token, task, method, url, data, status, text):
    url = url.format(n=task)
    before = db_snapshot(app)
    response = client.get(url) if method == "get" else post(client, url, token, True, **data)
    assert response.status_code == status, response.text[:2000]
    if text:
        assert text in response.text
    if status >= 400:
        assert db_snapshot(app) == before


def test_404_page_is_html_with_a_way_back(client, token):
    response = client.get(f"/board/tasks/{UNKNOWN}")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "<p>Task not found.</p>" in response.text
    assert '<a href="/board/">Back to the board</a>' in response.text


def test_invalid_utf8_in_a_form_is_no_5xx(app, client, token):
    body = f"csrf_token={quote(token)}&task_list_num=74&descript=%FF%FEabc"
    response = client.post(
        "/board/tasks", data=body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (303, 422)


def test_too_big_a_form_is_413(app, client, token):
    before = count(app, Task)
    response = post(client, "/board/tasks", token, task_list_num=74, descript="x" * (1024 * 1024))
    assert response.status_code == 413
    assert count(app, Task) == before
