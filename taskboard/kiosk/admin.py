"""The page where an administrator creates and disconnects wall-display links."""

from flask import Blueprint, abort, g, request, url_for

from .. import services
from ..auth import sign_in_required
from ..board import list_choices, render
from ..forms import KioskForm
from ..web import field_error

bp = Blueprint("kiosk_admin", __name__, url_prefix="/board/kiosks")


@bp.before_request
def require_admin():
    """Only a signed-in administrator manages wall displays."""
    refused = sign_in_required()
    if refused is None and not g.user.is_admin:
        abort(403, "Only an administrator can manage wall displays.")
    return refused


def _kiosk_form(formdata=None) -> KioskForm:
    form = KioskForm(formdata)
    form.task_list_nums.choices = list_choices(services.list_tree())
    return form


def _page(form: KioskForm, status: int = 200, new_url: str | None = None):
    return render(
        "board/kiosks.html",
        "board/_kiosks.html",
        status,
        form=form,
        kiosks=services.list_kiosk_tokens(),
        names=dict(list_choices(services.list_tree(include_archived=True))),
        new_url=new_url,
    )


@bp.get("")
def manage():
    """List the wall-display links."""
    return _page(_kiosk_form())


@bp.post("")
def create():
    """Create a wall-display link; its address is shown once."""
    form = _kiosk_form(request.form)
    if form.validate():
        try:
            _, token = services.create_kiosk_token(
                task_list_nums=form.task_list_nums.data,
                privacy=form.privacy.data,
                show_viewed=form.show_viewed.data,
                chime=form.chime.data,
                label=form.label.data or "",
            )
        except services.ServiceError as exc:
            field_error(form, exc, "task_list_nums")
        else:
            return _page(_kiosk_form(), new_url=url_for("kiosk.show", token=token, _external=True))
    return _page(form, 422)


@bp.post("/<key:kiosk_token_num>/revoke")
def revoke(kiosk_token_num: int):
    """Disconnect a wall display."""
    services.revoke_kiosk_token(kiosk_token_num=kiosk_token_num)
    return _page(_kiosk_form())
