"""The board's page where an administrator creates and revokes wall-display links."""

from flask import abort, g, request, url_for

from .. import services
from ..forms import KioskForm
from . import bp, render


def _require_admin() -> None:
    if not g.user.is_admin:
        abort(403, "Only an administrator can manage wall displays.")


def _kiosk_form(formdata=None) -> KioskForm:
    form = KioskForm(formdata)
    form.lists.choices = services.list_choices(services.list_tree())
    return form


def _page(form: KioskForm, status: int = 200, new_url: str | None = None):
    return render(
        "board/kiosks.html",
        "board/_kiosks.html",
        status,
        form=form,
        kiosks=services.list_kiosk_tokens(),
        names=dict(services.list_choices(services.list_tree(include_archived=True))),
        new_url=new_url,
    )


@bp.get("/kiosks")
def manage_kiosks():
    """List the wall-display links."""
    _require_admin()
    return _page(_kiosk_form())


@bp.post("/kiosks")
def create_kiosk():
    """Create a wall-display link; its address is shown once."""
    _require_admin()
    form = _kiosk_form(request.form)
    if form.validate():
        try:
            _, token = services.create_kiosk_token(
                task_list_nums=form.lists.data,
                privacy=form.privacy.data,
                show_viewed=form.show_viewed.data,
                chime=form.chime.data,
                label=form.label.data or "",
            )
        except services.ServiceError as exc:
            form.lists.errors = [*form.lists.errors, exc.message]
        else:
            return _page(_kiosk_form(), new_url=url_for("kiosk.show", token=token, _external=True))
    return _page(form, 422)


@bp.post("/kiosks/<key:kiosk_token_num>/revoke")
def revoke_kiosk(kiosk_token_num: int):
    """Disconnect a wall display."""
    _require_admin()
    services.revoke_kiosk_token(kiosk_token_num=kiosk_token_num)
    return _page(_kiosk_form())
