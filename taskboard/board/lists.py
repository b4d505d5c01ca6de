"""The board's task-list views: create, rename, nest, archive and default priority."""

import functools

from flask import abort, g, render_template, request

from .. import services
from ..forms import TaskListForm
from ..models import TaskListStatus
from ..web import field_error
from . import back, bp, is_htmx, list_choices, render

LIST_MANAGERS_ONLY = (
    "Only an administrator, or a user an administrator allowed to, can manage task lists."
)


def list_managers_only(view):
    """Let a view run only for a user who may manage task lists; others get a 403 page."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        if not services.may_manage_lists(g.user):
            abort(403, LIST_MANAGERS_ONLY)
        return view(**kwargs)

    return wrapped


def _choices() -> dict[str, list]:
    """Read the select boxes' options once per request."""
    tree = services.list_tree(include_archived=True)
    return {
        "tree": tree,
        "parents": [("", "(top level)"), *list_choices(tree)],
        "priorities": [
            ("", "Office default"),
            *((p.def_num, p.item_name) for p in services.priorities()),
        ],
    }


def _list_form(formdata, choices: dict, prefix: str = "new", **defaults) -> TaskListForm:
    form = TaskListForm(formdata, prefix=prefix, **defaults)
    form.parent_num.choices = choices["parents"]
    form.default_priority_def_num.choices = choices["priorities"]
    return form


def _nodes(tree: list[services.ListNode]):
    for node in tree:
        yield node
        yield from _nodes(node.children)


def _context(new_form: TaskListForm | None = None, edited: dict | None = None) -> dict:
    choices = _choices()
    edit_forms = {}
    for node in _nodes(choices["tree"]):
        task_list = node.task_list
        edit_forms[task_list.task_list_num] = (edited or {}).get(
            task_list.task_list_num
        ) or _list_form(
            None,
            choices,
            prefix=f"list{task_list.task_list_num}",
            descript=task_list.descript,
            parent_num=task_list.parent_num,
            default_priority_def_num=task_list.default_priority_def_num,
        )
    return {
        "all_lists": choices["tree"],
        "tree": services.list_tree(),
        "new_form": new_form or _list_form(None, choices),
        "edit_forms": edit_forms,
    }


def _answer(status: int = 200, **forms):
    """Re-render the list manager (and the sidebar tree) for htmx, or redirect."""
    if status == 200 and not is_htmx():
        return back()
    if is_htmx():
        return render_template("board/lists_changed.html", **_context(**forms)), status
    return render("board/lists.html", "board/_lists_admin.html", status, **_context(**forms))


@bp.get("/lists")
@list_managers_only
def manage_lists():
    """Show every task list, archived ones too, with their forms."""
    return render("board/lists.html", "board/_lists_admin.html", **_context())


@bp.post("/lists")
@list_managers_only
def create_list():
    """Create a task list."""
    form = _list_form(request.form, _choices())
    if form.validate():
        try:
            services.create_task_list(
                descript=form.descript.data,
                parent_num=form.parent_num.data,
                default_priority_def_num=form.default_priority_def_num.data,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "descript")
        else:
            return _answer()
    return _answer(422, new_form=form)


@bp.post("/lists/<key:task_list_num>")
@list_managers_only
def edit_list(task_list_num: int):
    """Rename a list, move it, or choose its default priority."""
    services.get_task_list(task_list_num=task_list_num)  # an unknown list is a 404 page
    form = _list_form(request.form, _choices(), prefix=f"list{task_list_num}")
    if form.validate():
        try:
            services.update_task_list(
                task_list_num=task_list_num,
                descript=form.descript.data,
                parent_num=form.parent_num.data,
                default_priority_def_num=form.default_priority_def_num.data,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "descript")
        else:
            return _answer()
    return _answer(422, edited={task_list_num: form})


@bp.post("/lists/<key:task_list_num>/archive")
@list_managers_only
def archive_list(task_list_num: int):
    """Archive a list."""
    services.set_task_list_status(task_list_num=task_list_num, status=TaskListStatus.Archived)
    return _answer()


@bp.post("/lists/<key:task_list_num>/unarchive")
@list_managers_only
def unarchive_list(task_list_num: int):
    """Bring an archived list back."""
    services.set_task_list_status(task_list_num=task_list_num, status=TaskListStatus.Active)
    return _answer()
