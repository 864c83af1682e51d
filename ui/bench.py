"""`python -m ui.bench`: the app's speed on this machine, printed as figures.

1. Warm rerun after changing one hyperparameter in the default scene (4 runs x 500 steps):
   the whole script run through Streamlit's AppTest (engine, figure, serialization), and its
   parts measured directly.
2. Figure payload for 4 runs x 1000 steps.
3. Cold start: `streamlit run` in a fresh process until Chromium shows the map (needs
   /usr/bin/chromium and Playwright; skipped with a note otherwise).

Targets: warm rerun <= 150 ms server-side, payload <= 1 MB, cold start <= 8 s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"rerun_ms": 150.0, "payload_mb": 1.0, "cold_s": 8.0}


def _mark(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


def warm_rerun(repeats: int) -> dict:
    from streamlit.testing.v1 import AppTest

    import descent
    from ui import page

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    key = "g0:r3:adam:keras:learning_rate:exact"
    compiled = descent.trace_count()
    times = []
    for i in range(repeats + 2):
        at.number_input(key=key).set_value(0.05 + 0.001 * (i % 7))
        page.run_seconds.clear()
        at.run()
        times.append(sum(page.run_seconds))  # a renamed run reruns the script once more
    assert not at.exception, at.exception
    return {"median_s": statistics.median(times[2:]), "best_s": min(times[2:]), "compiled": descent.trace_count() - compiled}


def parts(repeats: int) -> dict:
    import plotly.io

    import descent
    import viz
    from ui.defaults import DEFAULT_SCENARIO
    from ui.links import Options
    from ui.views import map_spec

    grid = descent.surface(DEFAULT_SCENARIO, resolution=120)
    result = descent.run(DEFAULT_SCENARIO)

    def best(fn):
        fn()
        return min(_timed(fn) for _ in range(repeats))

    engine_s = best(lambda: descent.run(DEFAULT_SCENARIO))
    figure_s = best(lambda: map_spec(DEFAULT_SCENARIO, Options(), result, grid))
    spec = map_spec(DEFAULT_SCENARIO, Options(), result, grid)
    json_s = best(lambda: plotly.io.to_json(spec, validate=False))
    long = DEFAULT_SCENARIO.replace(steps=1000)
    long_spec = viz.trajectory_map_spec(descent.run(long), grid, log_scale=True)
    payload = len(plotly.io.to_json(long_spec, validate=False))
    return {"engine_s": engine_s, "figure_s": figure_s, "json_s": json_s, "payload_1000": payload}


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


MAP_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
    .some(g => g.data && g.data.length > 3 && g.querySelector('.main-svg image'))"""


def cold_start() -> tuple[float, float] | None:
    """Seconds from `streamlit run` to the map drawn in Chromium, and to the page idle (the
    script finished); None without a browser."""
    chromium = "/usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not os.path.exists(chromium):
        return None
    port = _free_port()
    env = os.environ | {"JAX_PLATFORMS": "cpu"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=BROWSER_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        server = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.port", str(port),
             "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_healthy(port)
            page.goto(f"http://127.0.0.1:{port}/")
            page.wait_for_function(MAP_DRAWN, timeout=60_000)  # the map, not the loading chart
            drawn = time.perf_counter() - t0
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            return drawn, time.perf_counter() - t0
        finally:
            browser.close()
            server.terminate()
            server.wait(10)


BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]  # fmt: skip


def _wait_healthy(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.read() == b"ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not become healthy on port {port}")


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m ui.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, no cold start")
    args = parser.parse_args(argv)
    repeats = 3 if args.quick else 10

    print("Descent app benchmark (default scene: Rosenbrock, 4 runs x 500 steps)\n")
    cold = None if args.quick else cold_start()
    if cold is None:
        print("cold start: not measured (needs Playwright and /usr/bin/chromium, and not --quick)")
    else:
        drawn, idle = cold
        print(f"cold start, `streamlit run` to the map drawn in Chromium: {drawn:5.2f} s   "
              f"[target <= {TARGETS['cold_s']:.0f} s: {_mark(drawn <= TARGETS['cold_s'])}]; "
              f"to the page idle: {idle:5.2f} s")  # fmt: skip
    rerun = warm_rerun(repeats)
    print(f"warm rerun after changing Adam's learning rate (every script pass, timed inside it): median {rerun['median_s'] * 1e3:6.1f} ms, "
          f"best {rerun['best_s'] * 1e3:6.1f} ms   [target <= {TARGETS['rerun_ms']:.0f} ms: "
          f"{_mark(rerun['median_s'] * 1e3 <= TARGETS['rerun_ms'])}]; compilations during the reruns: {rerun['compiled']}")  # fmt: skip
    p = parts(repeats)
    print(f"  parts: engine (4 runs) {p['engine_s'] * 1e3:6.2f} ms, map figure (dict) {p['figure_s'] * 1e3:6.1f} ms, "
          f"figure to JSON {p['json_s'] * 1e3:6.1f} ms; the rest is Streamlit drawing the widgets")  # fmt: skip
    mb = p["payload_1000"] / 1e6
    print(f"map payload, 4 runs x 1000 steps: {mb:5.3f} MB   [target <= {TARGETS['payload_mb']:.0f} MB: {_mark(mb <= TARGETS['payload_mb'])}]")
    return {"cold_s": cold, "rerun": rerun, "parts": p}


if __name__ == "__main__":
    main()
