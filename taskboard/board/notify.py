"""Notifications: Open Dental's "Manage Blocks" for the signed-in user, and this browser's
notification and chime switches (kept in the browser; the page only shows them)."""

from flask import flash, g, redirect, request, url_for

from .. import services
from ..forms import PopupBlocksForm
from . import bp, is_htmx, list_choices, render


def _form(formdata=None) -> PopupBlocksForm:
    form = PopupBlocksForm(formdata)
    form.blocked.choices = list_choices(services.list_tree())
    if formdata is None:
        form.blocked.data = [
            t.task_list_num for t in services.popup_blocks(user_num=g.user.user_num)
        ]
    return form


def _page(form: PopupBlocksForm, status: int = 200, saved: str | None = None):
    return render(
        "board/notifications.html",
        "board/_notifications.html",
        status,
        form=form,
        saved=saved,
    )


@bp.get("/notifications")
def notifications():
    """Show the lists with a Block checkbox each, and the notification switches."""
    return _page(_form())


@bp.post("/notifications")
def save_blocks():
    """Save which lists' new tasks do not pop up for the signed-in user (one transaction)."""
    form = _form(request.form)
    if not form.validate():
        form.blocked.errors = ["Choose only lists shown here; reload the page to see them all."]
        return _page(form, 422)
    blocked = set(form.blocked.data or [])
    try:
        services.set_popup_blocks(user_num=g.user.user_num, task_list_nums=blocked)
    except services.NotFound:
        form.blocked.errors = ["One of those lists no longer exists; reload the page."]
        return _page(form, 422)
    names = [name.strip() for num, name in form.blocked.choices if num in blocked]
    message = (
        "Popups blocked for: " + ", ".join(names) + "."
        if names
        else "No lists blocked: every subscribed list pops up."
    )
    if is_htmx():
        return _page(_form(), saved=message)
    flash(message)
    return redirect(url_for("board.notifications"), 303)
