"""Office administration: the setting "Tasks New/Viewed tracked per user" and each user's
inbox (Open Dental's Preferences and User Edit), for administrators only."""

from flask import redirect, request, url_for

from .. import services
from ..forms import InboxForm, OfficeForm
from . import bp, is_htmx, render
from .admin import _users_done, _users_page, admins_only


def _office_page(status: int = 200, **context):
    return render(
        "board/admin_office.html",
        "board/_office_admin.html",
        status,
        tracked=services.tracked_per_user(),
        **context,
    )


@bp.get("/admin/office")
@admins_only
def manage_office():
    """Show the office settings."""
    return _office_page()


@bp.post("/admin/office")
@admins_only
def change_office():
    """Switch "Tasks New/Viewed tracked per user" on or off."""
    form = OfficeForm(request.form)
    if not form.validate():
        return _office_page(422, error="Choose on or off.")
    on = form.tracked_per_user.data == "on"
    services.set_tracked_per_user(on=on)
    if not is_htmx():
        return redirect(url_for("board.manage_office"), 303)
    return _office_page(saved=True)


@bp.post("/admin/users/<key:user_num>/inbox")
@admins_only
def set_inbox(user_num: int):
    """Make a task list a user's inbox, or leave the user without one."""
    user = services.get_user(user_num=user_num)  # an unknown user is a 404 page
    form = InboxForm(request.form)
    try:
        if not form.validate():
            raise services.Invalid("Choose a task list as {0}, or No inbox.", "task_list_num")
        services.set_inbox(user_num=user_num, task_list_num=form.task_list_num.data)
    except services.NotFound:  # the user exists: it is the list
        message = f"There is no task list {form.task_list_num.data} to be {user.user_name}'s inbox."
        return _users_page(422, errors={user_num: message})
    except services.ServiceError as exc:
        return _users_page(422, errors={user_num: exc.render(_inbox_label)})
    return _users_done(inbox=user.user_name)


def _inbox_label(attr: str) -> str:
    return "Inbox" if attr == "task_list_num" else attr
