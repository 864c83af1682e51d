"""Start, stop and watch a Streamlit server for the benchmarks, the load test and the tests.

The command is the one Streamlit's own end-to-end suite uses: headless, no usage statistics,
no file watcher, on a free port of the loopback interface; the server is ready when
`/_stcore/health` answers "ok".
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 120
SAMPLE_SECONDS = 0.5  # how often ServerWatch samples a server's memory


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


# -- a server's memory and CPU, from /proc -----------------------------------------------------


def _stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name (which may hold spaces): state, ppid, ..."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text.rsplit(")", 1)[1].split()


def process_tree(root: int) -> list[int]:
    """The pid and all its descendants' pids."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat_fields(int(entry))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(entry))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def status_kb(pid: int, key: str) -> int:
    """A /proc/PID/status figure in kB (VmRSS, VmHWM); 0 if the process is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its reaped children."""
    fields = _stat_fields(pid)
    if not fields:
        return 0.0
    return sum(int(fields[i]) for i in (11, 12, 13, 14)) / os.sysconf("SC_CLK_TCK")


class ServerWatch:
    """Samples the RSS of the servers' process trees every half second (a greenlet under
    gevent), and their CPU time from start to stop."""

    def __init__(self, pids: Sequence[int]):
        self.pids = list(pids)
        self.peak_kb = {pid: 0 for pid in self.pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample_until_stopped, daemon=True)
        self._cpu = {pid: 0.0 for pid in self.pids}

    def start(self) -> ServerWatch:
        self._cpu = {pid: self._tree_cpu(pid) for pid in self.pids}
        self._thread.start()
        return self

    def stop(self, seconds: float) -> dict:
        self._stop.set()
        self._thread.join()
        self._sample()
        cpu = sum(self._tree_cpu(pid) - self._cpu[pid] for pid in self.pids)
        hwm_kb = {pid: status_kb(pid, "VmHWM") for pid in self.pids}
        # The kernel's high-water mark catches a peak between two samples.
        peak_kb = {pid: max(self.peak_kb[pid], hwm_kb[pid]) for pid in self.pids}
        return {"measured": True, "pids": self.pids,
                "peak_rss_mb": sum(peak_kb.values()) / 1024,
                "peak_rss_mb_by_pid": {str(p): kb / 1024 for p, kb in peak_kb.items()},
                "hwm_mb_by_pid": {str(p): kb / 1024 for p, kb in hwm_kb.items()},
                "cpu_seconds": cpu, "cpu_cores_avg": cpu / seconds if seconds > 0 else None}  # fmt: skip

    def _sample_until_stopped(self) -> None:
        while not self._stop.wait(SAMPLE_SECONDS):
            self._sample()

    def _sample(self) -> None:
        for pid in self.pids:
            rss = sum(status_kb(p, "VmRSS") for p in process_tree(pid))
            self.peak_kb[pid] = max(self.peak_kb[pid], rss)

    @staticmethod
    def _tree_cpu(pid: int) -> float:
        return sum(cpu_seconds(p) for p in process_tree(pid))
