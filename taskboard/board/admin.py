"""Administration in the board: staff users and task priorities, for administrators only."""

import functools

from flask import abort, g, redirect, request, url_for

from .. import services
from ..forms import NewUserForm, PriorityForm, ResetPasswordForm, UserFlagForm
from ..web import field_error
from . import bp, is_htmx, list_choices, render

ADMINS_ONLY = "Only an administrator can manage users and task priorities."


def admins_only(view):
    """Let a view run only for an administrator; anyone else gets a 403 page."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not g.user.is_admin:
            abort(403, ADMINS_ONLY)
        return view(**kwargs)

    return wrapped


# ---------------------------------------------------------------- users


def _users_page(status: int = 200, new_form: NewUserForm | None = None, **context):
    return render(
        "board/admin_users.html",
        "board/_users_admin.html",
        status,
        users=services.list_users(include_hidden=True, limit=1000),
        new_form=new_form or NewUserForm(None),
        reset_form=ResetPasswordForm(None),
        inbox_choices=[("", "No inbox"), *list_choices(services.list_tree())],
        errors=context.pop("errors", {}),
        **context,
    )


def _users_done(**context):
    """After a change: the page again for htmx, a redirect for a plain form."""
    if not is_htmx():
        return redirect(url_for("board.manage_users"), 303)
    return _users_page(**context)


@bp.get("/admin/users")
@admins_only
def manage_users():
    """Show every user, hidden ones too, with what they may do."""
    return _users_page()


@bp.post("/admin/users")
@admins_only
def create_user():
    """Create a staff user."""
    form = NewUserForm(request.form)
    if form.validate():
        try:
            user = services.create_user(
                user_name=form.user_name.data or "",
                password=form.password.data or "",
                is_admin=form.is_admin.data,
                can_manage_lists=form.can_manage_lists.data,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "user_name")
        else:
            return _users_done(created=user.user_name)
    return _users_page(422, new_form=form)


@bp.post("/admin/users/<key:user_num>")
@admins_only
def change_user(user_num: int):
    """Hide or show a user, make or unmake an administrator, allow list management."""
    services.get_user(user_num=user_num)  # an unknown user is a 404 page
    form = UserFlagForm(request.form)
    if not form.validate():
        abort(400, "Choose a flag and its value.")
    try:
        services.update_user(user_num=user_num, **{form.flag.data: form.value.data == "true"})
    except services.ServiceError as exc:
        return _users_page(422, errors={user_num: exc.render(_label)})
    return _users_done()


@bp.post("/admin/users/<key:user_num>/password")
@admins_only
def reset_password(user_num: int):
    """Give a user a new password; they are signed out everywhere."""
    user = services.get_user(user_num=user_num)
    form = ResetPasswordForm(request.form)
    try:
        if not form.validate():
            raise services.Invalid("{0} must be at most 1,024 characters.", "new_password")
        services.reset_password(user_num=user_num, new_password=form.new_password.data or "")
    except services.ServiceError as exc:
        return _users_page(422, errors={user_num: exc.render(_label)})
    return _users_done(reset=user.user_name)


def _label(attr: str) -> str:
    return {
        "is_hidden": "Hidden",
        "is_admin": "Administrator",
        "can_manage_lists": "Manages lists",
        "new_password": "New password",
        "task_list_num": "Inbox",
    }.get(attr, attr)


# ---------------------------------------------------------------- priorities


def _priority_form(formdata, definition=None) -> PriorityForm:
    if definition is None:
        return PriorityForm(formdata, prefix="new")
    return PriorityForm(
        formdata,
        prefix=f"priority{definition.def_num}",
        item_name=definition.item_name,
        item_color=definition.item_color,
        item_order=definition.item_order,
        item_value=definition.item_value if definition.item_value in ("D", "R") else "",
        is_hidden=definition.is_hidden,
    )


def _priorities_page(status: int = 200, new_form=None, edited=None):
    priorities = services.list_priorities()
    forms = {
        p.def_num: (edited or {}).get(p.def_num) or _priority_form(None, p) for p in priorities
    }
    return render(
        "board/admin_priorities.html",
        "board/_priorities_admin.html",
        status,
        priorities=priorities,
        forms=forms,
        new_form=new_form or _priority_form(None),
    )


def _priorities_done():
    if not is_htmx():
        return redirect(url_for("board.manage_priorities"), 303)
    return _priorities_page()


def _priority_values(form: PriorityForm) -> dict:
    return {
        "item_name": form.item_name.data,
        "item_color": form.item_color.data,
        "item_order": form.item_order.data,
        "item_value": form.item_value.data or "",
    }


@bp.get("/admin/priorities")
@admins_only
def manage_priorities():
    """Show the task priorities with their colour, order and D/R flags."""
    return _priorities_page()


@bp.post("/admin/priorities")
@admins_only
def create_priority():
    """Add a task priority."""
    form = _priority_form(request.form)
    if form.validate():
        try:
            services.create_priority(**_priority_values(form))
        except services.ServiceError as exc:
            field_error(form, exc, "item_name")
        else:
            return _priorities_done()
    return _priorities_page(422, new_form=form)


@bp.post("/admin/priorities/<key:def_num>")
@admins_only
def edit_priority(def_num: int):
    """Rename, recolour, reorder, flag or hide a priority."""
    definition = next((p for p in services.list_priorities() if p.def_num == def_num), None)
    if definition is None:
        abort(404)
    form = _priority_form(request.form, definition)
    if form.validate():
        values = _priority_values(form)
        if values["item_order"] is None:
            values["item_order"] = services.UNSET
        try:
            services.update_priority(def_num=def_num, is_hidden=form.is_hidden.data, **values)
        except services.ServiceError as exc:
            field_error(form, exc, "item_name")
        else:
            return _priorities_done()
    return _priorities_page(422, edited={def_num: form})
