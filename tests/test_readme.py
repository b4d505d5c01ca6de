"""The README's promises: every curl example works verbatim against the demo office."""

import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

import dev

README = Path(__file__).resolve().parent.parent / "README.md"


def curl_examples() -> list[str]:
    """Return the README's curl commands, continuation lines joined."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", README.read_text(), re.DOTALL):
        for command in block.replace("\\\n", " ").splitlines():
            if command.startswith("curl "):
                commands.append(command)
    return commands


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo office as dev.py serve sets it up, under real gunicorn workers."""
    folder = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "TASKBOARD_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite'}",
        "TASKBOARD_SECRET_KEY": "readme-test",
    }
    assert dev.setup_demo(env=env)
    assert not dev.setup_demo(env=env), "a second setup must keep the office"
    port = free_port()
    server = subprocess.Popen(
        [str(dev.BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
        cwd=dev.ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("gunicorn did not start")
            time.sleep(0.2)
    yield port
    server.terminate()
    server.wait(timeout=30)


def test_readme_has_an_example_for_every_api_route(app):
    examples = curl_examples()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") or rule.rule == "/healthz":
            path = re.sub(r"<\w+>", "[0-9]+", rule.rule)
            methods = rule.methods - {"HEAD", "OPTIONS"}
            for method in methods:
                flag = "" if method == "GET" else f"-X {method} .*"
                pattern = flag + r"http://127\.0\.0\.1:8000" + path + r"(\?|'|\s|$)"
                assert any(re.search(pattern, example) for example in examples), (
                    f"no README example for {method} {rule}"
                )


@pytest.mark.parametrize("command", curl_examples())
def test_curl_example_works_verbatim(demo_server, command):
    command = command.replace("127.0.0.1:8000", f"127.0.0.1:{demo_server}")
    args = [*shlex.split(command), "--silent", "--show-error", "--fail-with-body"]
    result = subprocess.run(args, capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, f"{command}\n{result.stdout}\n{result.stderr}"
