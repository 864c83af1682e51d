"""Start and stop a Streamlit server for the benchmarks, the load test and the tests.

The command is the one Streamlit's own end-to-end suite uses: headless, no usage statistics,
no file watcher, on a free port of the loopback interface; the server is ready when
`/_stcore/health` answers "ok".
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 120


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def command(script: str | Path, port: int) -> list[str]:
    return [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true", "--server.port", str(port),
            "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]  # fmt: skip


def healthy(url: str) -> bool:
    """Whether the Streamlit server at `url` (http://host:port) says it is healthy."""
    try:
        with urllib.request.urlopen(url.rstrip("/") + "/_stcore/health", timeout=2) as response:
            return response.read().decode().strip() == "ok"
    except OSError:
        return False


def wait_healthy(url: str, timeout: float = START_SECONDS, alive: Callable[[], bool] = lambda: True) -> None:
    """Until the server at `url` is healthy; RuntimeError if it exits (`alive()` turns False)
    or takes longer than `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"the server at {url} exited before it was healthy")
        if healthy(url):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{url}/_stcore/health did not say ok within {timeout:g} s")


def start_streamlit(script: str | Path = ROOT / "app.py", *, port: int | None = None, env: dict | None = None,
                    log=subprocess.DEVNULL) -> tuple[subprocess.Popen, int]:  # fmt: skip
    """`streamlit run script` in the repository's root, healthy; (process, port). `env` adds to
    the environment (JAX on the CPU by default); `log` receives its output."""
    port = port or free_port()
    environment = {**os.environ, "JAX_PLATFORMS": "cpu", "PYTHONUNBUFFERED": "1", **(env or {})}
    process = subprocess.Popen(command(script, port), cwd=ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", alive=lambda: process.poll() is None)
    except BaseException:
        stop(process)
        raise
    return process, port


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=15)
