"""The command line of operations.md: `flask --app taskboard <command>`."""

import functools
import sys
from collections.abc import Callable
from pathlib import Path

import click
from flask import Flask, current_app, url_for
from flask_migrate import upgrade

from . import services, timeouts
from .api.transfer import export_document, import_label, parse_import_document
from .api.wire import WireError
from .demo import seed_demo
from .extensions import db
from .models import Permission

# The options a service's error may be about, as the commands name them.
OPTIONS = {
    "tasks": "--tasks",
    "task_list_nums": "--lists",
    "label": "--label",
    "developer_key": "--developer-key",
    "customer_key": "--customer-key",
    "rate_limit": "--rate-limit",
    "user_name": "User name",
    "password": "The password",
}


def _refused(exc: services.ServiceError) -> click.ClickException:
    """Turn a service's refusal into the command's error, naming the option."""
    return click.ClickException(exc.render(lambda attr: OPTIONS.get(attr, attr)))


def batch(command: Callable) -> Callable:
    """Let a bulk command's statements run as long as they take (TASKBOARD_DB_TIMEOUT is
    for requests); connecting and waiting for a lock stay bounded by it."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        timeouts.batch_work(current_app, db.engine)
        return command(*args, **kwargs)

    return run


def register(app: Flask) -> None:
    """Attach the commands to the app's `flask` command group."""
    for command in (
        init_db,
        import_data_command,
        create_user,
        create_api_key,
        create_kiosk_token,
        seed_demo_command,
        export_data_command,
    ):
        app.cli.add_command(command)


@click.command("init-db")
@batch
def init_db() -> None:
    """Create the database schema, or migrate it to the current version."""
    upgrade()
    click.echo("The database is ready.")


@click.command("import-data")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@batch
def import_data_command(file: Path) -> None:
    """Load Open Dental-shaped records from FILE, keeping their keys; all or nothing."""
    try:
        counts = services.import_data(batch=parse_import_document(file.read_bytes()))
    except WireError as exc:
        raise click.ClickException(f"Nothing was imported. {exc.message}") from None
    except services.ServiceError as exc:
        message = exc.render(import_label)
        raise click.ClickException(f"Nothing was imported. {message}") from None
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
    click.echo(f"Imported {summary or 'nothing'}.")


@click.command("export-data")
@click.argument("file", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@batch
def export_data_command(file: Path) -> None:
    """Write every record to FILE as an import-data document (it holds password digests)."""
    records = services.export_records()
    file.write_bytes(export_document(records))
    file.chmod(0o600)
    summary = ", ".join(f"{len(rows)} {kind}" for kind, rows in records.items() if rows)
    click.echo(f"Exported {summary or 'nothing'} to {file}.")


@click.command("create-user")
@click.argument("username")
@click.option("--admin", is_flag=True, help="Let this user manage kiosk displays.")
def create_user(username: str, admin: bool) -> None:
    """Create a staff user; the password comes from standard input or a prompt."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        user = services.create_user(user_name=username, password=password, is_admin=admin)
    except services.ServiceError as exc:
        raise _refused(exc) from None
    click.echo(user.user_num)


@click.command("create-api-key")
@click.option("--permission", required=True, type=click.Choice([p.value for p in Permission]))
@click.option("--developer-key", help="Use this developer key instead of a random one.")
@click.option("--customer-key", help="Use this customer key instead of a random one.")
@click.option(
    "--rate-limit",
    type=int,
    help="Requests a minute for this key, instead of TASKBOARD_API_RATE_LIMIT (0: no limit).",
)
def create_api_key(
    permission: str, developer_key: str | None, customer_key: str | None, rate_limit: int | None
) -> None:
    """Create an API key pair and print its Authorization header value, once."""
    try:
        _, dev, cust = services.create_api_key(
            permission=Permission(permission),
            developer_key=developer_key,
            customer_key=customer_key,
            rate_limit=rate_limit,
        )
    except services.ServiceError as exc:
        raise _refused(exc) from None
    click.echo(f"ODFHIR {dev}/{cust}")


@click.command("create-kiosk-token")
@click.option("--lists", required=True, help="The TaskListNums to show, e.g. 74,75.")
@click.option("--privacy", is_flag=True, help="Show only short descriptions and initials.")
@click.option("--viewed", is_flag=True, help="Show Viewed tasks as well as New ones.")
@click.option("--chime", is_flag=True, help="Chime when a new task arrives.")
@click.option("--label", default="", help="A name for the display, e.g. 'Front desk TV'.")
def create_kiosk_token(lists: str, privacy: bool, viewed: bool, chime: bool, label: str) -> None:
    """Create a read-only wall-display link and print its path, /kiosk/<token>."""
    parts = [part.strip() for part in lists.split(",")]
    if not all(part.isascii() and part.isdigit() and len(part) < 19 for part in parts):
        raise click.BadParameter("must be TaskListNums separated by commas, e.g. 74,75.")
    try:
        _, token = services.create_kiosk_token(
            task_list_nums=[int(part) for part in parts],
            privacy=privacy,
            show_viewed=viewed,
            chime=chime,
            label=label,
        )
    except services.ServiceError as exc:
        raise _refused(exc) from None
    with current_app.test_request_context():
        click.echo(url_for("kiosk.show", token=token))


@click.command("seed-demo")
@click.option("--tasks", "task_count", default=2000, show_default=True, type=int)
@batch
def seed_demo_command(task_count: int) -> None:
    """Fill an empty database with a believable demo office."""
    bar = click.progressbar(length=max(task_count, 1), label="Seeding tasks", file=sys.stderr)
    with bar:
        try:
            office = seed_demo(tasks=task_count, progress=bar.update)
        except services.ServiceError as exc:
            raise _refused(exc) from None
    click.echo(
        f"Seeded {office.users} users, {office.task_lists} task lists, {office.patients} patients, "
        f"{office.appointments} appointments, {office.tasks} tasks and {office.notes} notes."
    )
