"""Staff sign-in, sign-out and password change, and the login_required guard."""

import functools
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from . import services
from .forms import PasswordForm, SignInForm
from .web import field_error

bp = Blueprint("auth", __name__)


@bp.before_request
def load_user(active: bool = True) -> None:
    """Put the signed-in user, if any, on `g.user`; `active`: the user did something."""
    g.user = None
    token = session.get("token")
    if isinstance(token, str):
        g.user = services.session_user(token=token, active=active)
    if g.user is None and session:
        session.clear()


def require_user():
    """Send anyone not signed in to the sign-in page (an htmx request via HX-Redirect)."""
    if g.user is not None:
        return None
    # After signing in, come back to this page; a form post cannot be repeated by a
    # redirect, so it comes back to the page the form was on.
    if request.method == "GET":
        back_to = request.full_path.rstrip("?")
    else:
        back_to = safe_next(request.form.get("next"))
    target = url_for("auth.sign_in", next=back_to)
    if request.headers.get("HX-Request"):
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    return redirect(target)


def sign_in_required():
    """Load the signed-in user; answer anyone else with the way to the sign-in page."""
    load_user()
    return require_user()


def login_required(view):
    """Let a view run only for a signed-in user."""

    @functools.wraps(view)
    def wrapped(**kwargs):
        return require_user() or view(**kwargs)

    return wrapped


def safe_next(target: str | None) -> str:
    """Return `target` if it is a path on this site, else the board."""
    target = target or ""
    # "//host" and "/\\host" are other sites to a browser, though they start with "/"; a
    # control character (CR, LF) could never go into a Location header.
    if (
        target.startswith("/")
        and not target.startswith(("//", "/\\"))
        and "\\" not in target
        and target.isprintable()
    ):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("board.index")


@bp.route("/login", methods=["GET", "POST"])
def sign_in():
    """Sign a staff user in."""
    form = SignInForm(next=request.args.get("next", ""))
    status, headers = 200, {}
    if form.validate_on_submit():
        try:
            user = services.authenticate_user(
                user_name=form.user_name.data,
                password=form.password.data,
                address=request.remote_addr or "",
            )
        except services.Throttled as exc:
            field_error(form, exc, "user_name")
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        except services.Invalid as exc:
            field_error(form, exc, "user_name")
            status = 401
        else:
            session.clear()
            session["token"] = services.start_session(user_num=user.user_num)
            session.permanent = True
            return redirect(safe_next(form.next.data))
    elif request.method == "POST":
        status = 400
    return render_template("auth/sign_in.html", form=form), status, headers


@bp.post("/logout")
def sign_out():
    """Sign out: the session ends on the server, so a copy of its cookie is worthless too."""
    token = session.get("token")
    if isinstance(token, str):
        services.end_session(token=token)
    session.clear()
    return redirect(url_for("auth.sign_in"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Let the signed-in user change their own password."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            user = services.change_password(
                user_num=g.user.user_num,
                current_password=form.current_password.data,
                new_password=form.new_password.data,
            )
        except services.ServiceError as exc:
            field_error(form, exc, "new_password")
            status = 400
        else:
            services.end_other_sessions(user_num=user.user_num, token=session["token"])
            flash("Your password was changed.")
            return redirect(url_for("board.index"))
    elif request.method == "POST":
        status = 400
    return render_template("auth/password.html", form=form), status
