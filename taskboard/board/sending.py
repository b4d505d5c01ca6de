"""Send To (a list or a user's inbox) and Reply, from the task panel."""

from flask import g, request

from .. import services
from . import back, bp, is_htmx, list_choices, render
from .tasks import _after_change, _detail

USERS_SHOWN = 100  # the inbox choices list the first this many visible users


@bp.app_template_global()
def send_choices() -> list[tuple[str, str]]:
    """Return the Send To choices: every active list, then each user's inbox."""
    lists = [(f"list:{num}", name) for num, name in list_choices(services.list_tree())]
    inboxes = [
        (f"user:{user.user_num}", f"{user.user_name}'s inbox")
        for user in services.list_users(limit=USERS_SHOWN)
        if user.task_list_inbox
    ]
    return lists + inboxes


def _target(value: str) -> dict[str, int] | None:
    kind, _, num = value.partition(":")
    if kind in ("list", "user") and num.isdigit() and 0 < int(num) < 2**63:
        return {"task_list_num" if kind == "list" else "user_num": int(num)}
    return None


@bp.post("/tasks/<key:task_num>/send")
def send_task(task_num: int):
    """Send the task to another list or to a user's inbox; it turns New for them."""
    target = _target(request.form.get("target", ""))
    if target is None:
        return _refused(task_num, "Choose a list or an inbox to send the task to.")
    try:
        services.send_to(task_num=task_num, actor=g.user.user_num, **target)
    except services.NotFound:
        raise
    except services.ServiceError as exc:
        return _refused(task_num, exc.message)
    return _after_change(task_num) if is_htmx() else back()


@bp.post("/tasks/<key:task_num>/reply")
def reply_task(task_num: int):
    """Send the task back to the inbox of the last note's author (else its creator)."""
    note = (request.form.get("note") or "").strip() or None
    try:
        services.reply(task_num=task_num, actor=g.user.user_num, note=note)
    except services.NotFound:
        raise
    except services.ServiceError as exc:
        return _refused(task_num, exc.message)
    return _after_change(task_num) if is_htmx() else back()


def _refused(task_num: int, message: str):
    context = _detail(task_num)
    context["send_error"] = message
    return render("board/task_page.html", "board/_task_detail.html", 422, **context)
