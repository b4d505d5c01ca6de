"""Set up and run Taskboard from a fresh clone with nothing but Python 3.11+.

python3 dev.py serve   virtualenv, install, demo office, gunicorn on TASKBOARD_BIND (127.0.0.1:8000)
python3 dev.py test    virtualenv, test dependencies, ruff and the whole test suite

Installing is skipped when pyproject.toml, the extras and the virtualenv's Python are
what they were at the last install; delete .venv to start afresh.
"""

import errno
import hashlib
import os
import runpy
import socket
import subprocess
import sys
import venv
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYPROJECT = ROOT / "pyproject.toml"
DEMO_KEY = "ODFHIR DemoDeveloperKey/DemoCustomerKey1"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"
# gunicorn's default listen backlog: the socket is handed to it already listening.
BACKLOG = 2048
# pip's notice of its own new releases, and setuptools' box warning that a folder named
# like the package may shadow it (here that folder is the package), say nothing to act on.
QUIET_INSTALL = {
    "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    "PYTHONWARNINGS": "ignore:Editable installation:UserWarning:setuptools.command.editable_wheel",
}


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command from the project folder, stopping on failure unless told not to."""
    kwargs.setdefault("check", True)
    return subprocess.run(args, cwd=ROOT, **kwargs)


def venv_python_version() -> str | None:
    """Return the version of the virtualenv's Python, or None if there is none that runs."""
    try:
        probe = subprocess.run(
            [str(BIN / "python"), "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
        )
    except OSError:
        return None
    return probe.stdout if probe.returncode == 0 else None


def install(extras: str = "") -> None:
    """Create .venv if needed and install Taskboard into it, unless that is already done."""
    version = venv_python_version()
    if version is None:
        print("Creating the virtualenv in .venv ...", flush=True)
        venv.create(VENV, with_pip=True, clear=VENV.exists())
        version = venv_python_version()
    stamp = VENV / f"dev-installed{extras}"
    digest = hashlib.sha256(
        b"\0".join([PYPROJECT.read_bytes(), extras.encode(), str(version).encode()])
    ).hexdigest()
    if stamp.exists() and stamp.read_text() == digest:
        return
    print("Installing Taskboard and its dependencies ...", flush=True)
    env = dict(os.environ, **QUIET_INSTALL)
    if os.environ.get("PYTHONWARNINGS"):
        env["PYTHONWARNINGS"] += "," + os.environ["PYTHONWARNINGS"]
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".{extras}", env=env)
    stamp.write_text(digest)


def flask(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run(str(BIN / "flask"), "--app", "taskboard", *args, **kwargs)


def setup_demo(env: dict[str, str] | None = None) -> bool:
    """Create or migrate the database; fill an empty one with the demo office and logins."""
    flask("init-db", env=env, capture_output=True)
    seeded = flask(
        "seed-demo", "--tasks", "2000", check=False, capture_output=True, text=True, env=env
    )
    if seeded.returncode != 0:
        return False
    developer, customer = DEMO_KEY.removeprefix("ODFHIR ").split("/")
    flask(
        "create-api-key",
        "--permission",
        "write",
        "--developer-key",
        developer,
        "--customer-key",
        customer,
        env=env,
        capture_output=True,
    )
    flask(
        "create-user",
        "--admin",
        DEMO_USER,
        input=DEMO_PASSWORD + "\n",
        text=True,
        env=env,
        capture_output=True,
    )
    return True


def host_port(host: str, port: int) -> str:
    """Write an address as TASKBOARD_BIND takes it (IPv6 hosts in brackets)."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def bind_listener(host: str, port: int) -> socket.socket:
    """Bind and listen on host:port as gunicorn would, raising OSError if that fails."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    # As gunicorn does: connections of the last run still in TIME_WAIT must not block this one.
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(BACKLOG)
    except OSError:
        sock.close()
        raise
    return sock


def listen(bind: str) -> socket.socket:
    """Take the address gunicorn.conf.py binds, or exit with one line saying what to do."""
    parts = urlsplit("//" + bind)
    try:
        host, port = parts.hostname or "", 8000 if parts.port is None else parts.port
    except ValueError:
        host = None
    if host is None or parts.netloc != bind:
        sys.exit(f"TASKBOARD_BIND={bind} is not HOST:PORT (like 127.0.0.1:8000).")
    try:
        return bind_listener(host, port)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            sys.exit(
                f"Cannot listen on {host_port(host, port)} ({exc.strerror}); set TASKBOARD_BIND "
                "to an address of this machine and a free port, like 127.0.0.1:8000"
            )
    spare = next((p for p in range(port + 1, min(port + 100, 65536)) if _free(host, p)), port + 1)
    sys.exit(
        f"Port {port} on {host or 'every address'} is in use; stop what uses it "
        f"or set TASKBOARD_BIND={host_port(host, spare)}"
    )


def _free(host: str, port: int) -> bool:
    try:
        bind_listener(host, port).close()
    except OSError:
        return False
    return True


def serve() -> None:
    """Take the port, install, create the demo office on first run, and hand over to gunicorn."""
    listener = listen(runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"])
    install()
    if setup_demo():
        print("Created the demo office.")
    else:
        print("The database already holds an office; keeping it.")
    host, port = listener.getsockname()[:2]
    print(
        f"\nTaskboard is starting on http://{host_port(host, port)}\n"
        f"  API header:  Authorization: {DEMO_KEY}\n"
        f"  Staff login: {DEMO_USER} / {DEMO_PASSWORD}\n",
        flush=True,
    )
    # gunicorn serves the socket taken above, so it never binds, retries or races for it.
    fd = listener.detach()
    os.set_inheritable(fd, True)
    gunicorn = str(BIN / "gunicorn")
    os.chdir(ROOT)
    os.execv(gunicorn, [gunicorn, "--bind", f"fd://{fd}", "wsgi:app"])


def test() -> None:
    """Install the test dependencies, lint, type-check, then run the whole suite."""
    install("[test]")
    run(str(BIN / "ruff"), "check", ".")
    run(str(BIN / "ruff"), "format", "--check", ".")
    run(str(BIN / "mypy"))
    pytest = [str(BIN / "python"), "-m", "pytest", "-n", "auto", *sys.argv[2:]]
    sys.exit(run(*pytest, check=False).returncode)


if __name__ == "__main__":
    commands = {"serve": serve, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    try:
        commands[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        if exc.stderr:
            sys.stderr.write(exc.stderr if isinstance(exc.stderr, str) else exc.stderr.decode())
        sys.exit(f"Failed: {' '.join(map(str, exc.cmd))} (exit {exc.returncode})")
