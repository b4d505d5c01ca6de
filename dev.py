"""Set up and run Taskboard from a fresh clone with nothing but Python 3.11+.

python3 dev.py serve   virtualenv, install, demo office, gunicorn on 127.0.0.1:8000
python3 dev.py test    virtualenv, test dependencies, ruff and the whole test suite
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
DEMO_KEY = "ODFHIR DemoDeveloperKey/DemoCustomerKey1"
DEMO_USER, DEMO_PASSWORD = "demo", "demo-password"


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """Run a command from the project folder, stopping on failure unless told not to."""
    kwargs.setdefault("check", True)
    return subprocess.run(args, cwd=ROOT, **kwargs)


def install(extras: str = "") -> None:
    """Create .venv if needed and install Taskboard into it."""
    if not (BIN / "python").exists():
        print("Creating the virtualenv in .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    print("Installing Taskboard and its dependencies ...", flush=True)
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(str(BIN / "python"), "-m", "pip", "install", "--quiet", "-e", f".{extras}")


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


def serve() -> None:
    """Install, create the demo office on first run, and serve it with gunicorn."""
    install()
    if setup_demo():
        print("Created the demo office.")
    else:
        print("The database already holds an office; keeping it.")
    print(
        "\nTaskboard is starting on http://127.0.0.1:8000\n"
        f"  API header:  Authorization: {DEMO_KEY}\n"
        f"  Staff login: {DEMO_USER} / {DEMO_PASSWORD}\n",
        flush=True,
    )
    os.execv(str(BIN / "gunicorn"), [str(BIN / "gunicorn"), "wsgi:app"])


def test() -> None:
    """Install the test dependencies, then lint and run the whole suite."""
    install("[test]")
    run(str(BIN / "ruff"), "check", ".")
    run(str(BIN / "ruff"), "format", "--check", ".")
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
