"""dev.py: the address it serves, a busy port, and installs skipped when nothing changed."""

import os
import re
import socket
import subprocess
import sys
import urllib.request
import venv

import pytest

import dev
from tests.browser.server import free_port, server_env


class Exec(Exception):
    """os.execv was called: serve() got as far as handing over to gunicorn."""


@pytest.fixture
def handover(monkeypatch):
    """Run serve() up to os.execv, without install and demo office; return gunicorn's argv."""
    monkeypatch.setattr(dev, "install", lambda extras="": None)
    monkeypatch.setattr(dev, "setup_demo", lambda env=None: False)
    monkeypatch.chdir(os.getcwd())  # serve() moves to the project folder for gunicorn

    def execv(path, args):
        raise Exec(args)

    monkeypatch.setattr(dev.os, "execv", execv)

    def serve() -> list[str]:
        with pytest.raises(Exec) as handed:
            dev.serve()
        return handed.value.args[0]

    return serve


def test_serve_prints_and_hands_gunicorn_the_address_it_binds(
    handover, monkeypatch, capsys, tmp_path
):
    port = free_port()
    monkeypatch.setenv("TASKBOARD_BIND", f"127.0.0.1:{port}")
    args = handover()
    assert f"Taskboard is starting on http://127.0.0.1:{port}\n" in capsys.readouterr().out
    assert args[1] == "--bind" and args[3:] == ["wsgi:app"]
    fd = int(args[2].removeprefix("fd://"))
    assert os.get_inheritable(fd)

    # gunicorn as os.execv would have started it: the socket serve() took is its only one.
    env = server_env(f"sqlite:///{tmp_path / 'empty.sqlite'}")
    env["TASKBOARD_WORKERS"] = "1"
    gunicorn = subprocess.Popen(
        args, cwd=dev.ROOT, env=env, pass_fds=[fd], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    os.close(fd)
    try:
        # Connections wait in the socket's backlog until gunicorn's workers are up.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=60) as response:
            assert response.status == 200
    finally:
        gunicorn.terminate()
        log = gunicorn.communicate(timeout=30)[0].decode()
    assert f"Listening at: http://127.0.0.1:{port}" in log
    assert "Connection in use" not in log


def test_a_busy_port_gives_one_line_naming_taskboard_bind(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = server_env(f"sqlite:///{tmp_path / 'unused.sqlite'}")
        env["TASKBOARD_BIND"] = f"127.0.0.1:{port}"
        result = subprocess.run(
            [sys.executable, str(dev.ROOT / "dev.py"), "serve"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (result.returncode, result.stdout) == (1, "")
    line = re.fullmatch(
        rf"Port {port} on 127\.0\.0\.1 is in use; stop what uses it "
        r"or set TASKBOARD_BIND=127\.0\.0\.1:(\d+)\n",
        result.stderr,
    )
    assert line, result.stderr
    assert int(line[1]) > port


@pytest.mark.parametrize("bind", ["unix:/run/taskboard.sock", "127.0.0.1:80x", "fd://3", "::1"])
def test_serve_refuses_a_bind_it_cannot_check(handover, monkeypatch, bind):
    monkeypatch.setenv("TASKBOARD_BIND", bind)
    with pytest.raises(SystemExit, match=re.escape(f"TASKBOARD_BIND={bind} is not HOST:PORT")):
        handover()


@pytest.fixture
def project(tmp_path, monkeypatch):
    """Point dev.py at a new virtualenv and a copy of pyproject.toml; record, not run, pip."""
    venv.create(tmp_path / ".venv", symlinks=True)
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_bytes(dev.PYPROJECT.read_bytes())
    monkeypatch.setattr(dev, "VENV", tmp_path / ".venv")
    monkeypatch.setattr(dev, "BIN", tmp_path / ".venv" / dev.BIN.name)
    monkeypatch.setattr(dev, "PYPROJECT", pyproject)
    installs = []

    def run(*args, **kwargs):
        assert args[1:4] == ("-m", "pip", "install")
        installs.append(args[-1])

    monkeypatch.setattr(dev, "run", run)
    return pyproject, installs


def test_install_runs_pip_only_when_something_changed(project, monkeypatch):
    pyproject, installs = project
    dev.install("[test]")
    dev.install("[test]")
    assert installs == [".[test]"]
    dev.install()
    dev.install("[test]")
    dev.install()
    assert installs == [".[test]", "."]
    pyproject.write_text(pyproject.read_text() + "\n# a new dependency\n")
    dev.install("[test]")
    monkeypatch.setattr(dev, "venv_python_version", lambda: "3.99.0 (another Python)")
    dev.install("[test]")
    assert installs == [".[test]", ".", ".[test]", ".[test]"]


def test_a_failed_install_is_tried_again(project, monkeypatch):
    _, installs = project

    def fail(*args, **kwargs):
        raise subprocess.CalledProcessError(1, args)

    with monkeypatch.context() as failing:
        failing.setattr(dev, "run", fail)
        with pytest.raises(subprocess.CalledProcessError):
            dev.install()
    dev.install()
    assert installs == ["."]


def test_install_silences_only_setuptools_editable_notice():
    emit = (
        "import warnings\n"
        "for text in ('Editable installation.\\n!!\\n****', 'A real problem.'):\n"
        "    warnings.warn_explicit(text, UserWarning, 'editable_wheel.py', 1,\n"
        "                           module='setuptools.command.editable_wheel')\n"
    )
    env = {**os.environ, **dev.QUIET_INSTALL}
    result = subprocess.run([sys.executable, "-c", emit], env=env, capture_output=True, text=True)
    assert "Editable installation" not in result.stderr
    assert "UserWarning: A real problem." in result.stderr
    assert "Invalid -W option" not in result.stderr
