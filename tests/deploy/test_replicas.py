"""Two replicas of the app behind HAProxy, as compose.yaml deploys them, under a small
lecture-hall load: every session sticks to one replica, both replicas serve, nothing fails.

Starts two `streamlit run app.py` processes and Debian's HAProxy (deploy/haproxy.cfg with
localhost servers), then runs `python -m ui.loadtest` through the proxy.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
import requests

from tests.conftest import ROOT
from tests.deploy.haproxy import haproxy, local_config
from ui.loadtest import SERVED_BY
from ui.serve import command as streamlit_command
from ui.serve import wait_healthy

pytestmark = pytest.mark.slow

SESSIONS = 12
LOAD = ["--sessions", str(SESSIONS), "--ramp", "5", "--edit-every", "1,3", "--duration", "20", "--timeout", "120",
        "--seed", "7", "--json"]  # fmt: skip


def free_ports(n: int) -> list[int]:
    """n distinct free ports (held open together, so none is handed out twice)."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


@contextmanager
def process(command: list, log: Path) -> Iterator[subprocess.Popen]:
    """A background process with its output in a log file; always stopped at the end."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "JAX_PLATFORMS": "cpu"},
                                stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    try:
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def wait_until_both_serve(url: str, names: set[str], timeout: float = 60) -> None:
    """Until requests without a cookie have reached every replica (HAProxy's checks passed)."""
    seen: set[str] = set()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and seen != names:
        try:
            response = requests.get(url + "/_stcore/health", timeout=5)
            if response.text == "ok":
                seen.add(response.headers.get(SERVED_BY, "?"))
        except requests.RequestException:
            pass
        time.sleep(0.2)
    assert seen == names, f"HAProxy served from {sorted(seen)}, not {sorted(names)}"


def test_sessions_stick_to_one_replica_and_both_replicas_serve(tmp_path):
    binary = haproxy()  # fails, with how to install it, when missing
    proxy_port, *app_ports = free_ports(3)
    with ExitStack() as stack:
        apps = [stack.enter_context(process(streamlit_command(ROOT / "app.py", port), tmp_path / f"app{i}.log"))
                for i, port in enumerate(app_ports, 1)]  # fmt: skip
        for app, port in zip(apps, app_ports):
            wait_healthy(f"http://127.0.0.1:{port}", 120, alive=lambda app=app: app.poll() is None)

        config = tmp_path / "haproxy.cfg"
        config.write_text(local_config(proxy_port, app_ports))
        proxy_log = tmp_path / "haproxy.log"
        proxy = stack.enter_context(process([binary, "-db", "-f", config], proxy_log))
        url = f"http://127.0.0.1:{proxy_port}"
        wait_until_both_serve(url, {"app1", "app2"})

        pids = [arg for app in apps for arg in ("--server-pid", str(app.pid))]
        run = subprocess.run([sys.executable, "-m", "ui.loadtest", url, *LOAD, *pids], cwd=ROOT,
                             capture_output=True, text=True, timeout=480)  # fmt: skip
        assert proxy.poll() is None, tail(proxy_log)

    context = f"stdout:\n{run.stdout}\nstderr:\n{run.stderr[-3000:]}\nhaproxy:\n{tail(proxy_log)}"
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"ui.loadtest printed no JSON report (exit {run.returncode})\n{context}")
    assert report["errors"]["total"] == 0, context
    assert run.returncode == 0, context
    assert report["sessions_loaded"] == SESSIONS, context
    assert report["sessions_without_edit"] == 0, context
    assert report["split_sessions"] == 0, context
    assert report["sessions_with_cookie"] == SESSIONS, context
    replicas = report["replicas"]
    assert set(replicas) == {"app1", "app2"} and all(n >= 1 for n in replicas.values()), context
    assert sum(replicas.values()) == SESSIONS, context
    assert report["memory"]["measured"] and report["memory"]["peak_rss_mb"] > 0, context
