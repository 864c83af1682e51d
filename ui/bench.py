"""`python -m ui.bench`: what a user of the app feels on this machine, printed as figures.

1. Edit latency in Chromium on the default scene (500 steps; the steps edits keep it between 437
   and 944), against a bare Streamlit page measured in the same run. An edit's
   latency runs from the user's last keystroke or click (taken inside the page) to the redrawn
   view: the chart's data replaced by plotly.js (`.js-plotly-plot`.data is a new object) or, for
   the table and the code, the view's DOM changed and the script finished. Edits of the app and
   of the bare page alternate, so both see the same machine load. Targets: median ≤ 1.3× the
   bare page's median; the slowest edit ≤ 2.5× that median.
2. Cold start: `streamlit run` in a fresh process until Chromium shows the map, with the JAX
   compilation cache empty and then with the cache the first start filled (a machine that has
   run the app before). Target with the cache: ≤ 4 s.
3. Memory: the server's peak RSS while one user opens every view of every lesson. Target:
   ≤ 690 MB, Streamlit Community Cloud's smallest allowance.
4. The server's part of an edit (the script through Streamlit's AppTest), the compilations
   edits cause (none are expected), and each view's payload.
5. Maps (only with `--only maps`, ui/maps_bench.py): each of the three big maps from the click
   that asks for it to the map drawn in Chromium, and the engine's part (`descent bench --maps`).
6. The Network page's edit latency (`--only network`), measured as in 1 against the same bare
   page: a run's learning rate and the batch size, each edit a new training, and the epoch
   slider, which trains from the last whole chunk of epochs the previous training kept.
   Then the same edits on the same scene trained for 5 epochs (the page's own part of an edit),
   and the engine's part: the default scene's training, warm, next to a bare jitted loop of the
   same updates (descent/network_bench.py).

Speed is measured here, not asserted in tests: these machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ui.serve import ROOT, start_streamlit, stop

TARGETS = {"latency_median_ratio": 1.3, "latency_max_ratio": 2.5, "cold_s": 4.0, "memory_mb": 690.0}
CHROMIUM = "/usr/bin/chromium"
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run"]  # fmt: skip
IDLE = "[data-testid='stApp'][data-test-connection-state='CONNECTED'][data-test-script-state='notRunning']"
CHART = ".js-plotly-plot"
ARTEFACTS = ROOT / "test-artefacts"


def _mark(ok: bool) -> str:
    return "meets target" if ok else "MISSES target"


# -- edit latency in the browser -------------------------------------------------------------

# Armed before an edit's last action: the time of that action (the first keydown, keyup or
# pointerup after arming), then the time the view is redrawn.
ARM = """([chartSelector, panelSelector]) => {
  const w = window;
  w.__edit = {t0: null, t1: null, chart: null, drawn: null, mutated: null};
  const chart = chartSelector ? document.querySelector(chartSelector) : null;
  w.__edit.chart = chart && chart.data;
  w.__edit.drawn = chart && chart.dataset.shown;
  const stamp = e => { if (w.__edit.t0 === null && (e.type !== 'keydown' || e.key === 'Enter' || e.key.startsWith('Arrow')))
                          { w.__edit.t0 = performance.now(); performance.mark('bench:t0'); } };
  for (const type of ['keydown', 'pointerup']) document.addEventListener(type, stamp, {capture: true, once: false});
  w.__edit.unarm = () => { for (const type of ['keydown', 'pointerup']) document.removeEventListener(type, stamp, {capture: true}); };
  if (chartSelector) {
    const poll = () => {
      const g = document.querySelector(chartSelector);
      // Redrawn: plotly.js holds new data (a new chart, or Plotly.react), or the app's chart
      // counted one more update shown (one that moved the traces in place).
      const redrawn = g && g._fullLayout && ((g.data && g.data !== w.__edit.chart) || g.dataset.shown !== w.__edit.drawn);
      if (w.__edit.t0 !== null && redrawn) { w.__edit.t1 = performance.now(); performance.mark('bench:t1'); return; }
      setTimeout(poll, 5);
    };
    poll();
  } else {
    const panel = document.querySelector(panelSelector);
    const observer = new MutationObserver(() => { if (w.__edit.t0 !== null) w.__edit.mutated = performance.now(); });
    observer.observe(panel, {subtree: true, childList: true, characterData: true, attributes: true});
    w.__edit.observer = observer;
  }
}"""
DONE = """() => { const e = window.__edit; if (e.t1 !== null) return true;
  const app = document.querySelector("[data-testid='stApp']");
  if (e.mutated !== null && app.dataset.testScriptState === 'notRunning' && performance.now() - e.mutated > 300) {
    e.t1 = e.mutated; return true; }
  return false; }"""
RESULT = "() => { const e = window.__edit; e.unarm(); if (e.observer) e.observer.disconnect(); return e.t1 - e.t0; }"


@dataclass
class Edit:
    """One kind of edit: how to reach it (`prepare`) and how to make the i-th one (`act`)."""

    name: str
    act: Callable[[object, int, Callable[[], None]], None]  # (page, i, arm): arm() before the last action
    prepare: Callable[[object], None] = lambda page: None
    view: str = "Map"
    times: list[float] = field(default_factory=list)


def _sidebar_expander(page, title: str):
    summary = page.locator("summary", has_text=title)
    return page.locator("[data-testid='stSidebar'] [data-testid='stExpander']").filter(has=summary)


def _open(page, title: str):
    expander = _sidebar_expander(page, title)
    if expander.locator("details").get_attribute("open") is None:
        expander.locator("summary").click()
        expander.locator("details[open]").wait_for()
        page.wait_for_selector(IDLE)
    return expander


def _type_into(locator, text: str) -> Callable:
    """Fill a number box and arm just before pressing Enter (the user's final action)."""

    def act(page, arm) -> None:
        locator(page).fill(text)
        arm()
        locator(page).press("Enter")

    return act


def _number_box(label: str):
    return lambda page: page.get_by_label(label, exact=True)


def _adam_rate(page):
    return _sidebar_expander(page, "Adam").locator("[data-testid='stNumberInput'] input").first


def _view(name: str) -> Callable:
    """Switch the main area to the view `name` (if it is not already shown)."""

    def prepare(page) -> None:
        button = page.locator("[data-testid='stMain'] [data-testid='stButtonGroup']").get_by_role("radio", name=name, exact=True)
        if button.get_attribute("aria-checked") != "true":
            button.click()
            page.wait_for_selector(IDLE)
            page.wait_for_timeout(800)

    return prepare


def _code_of(run: str) -> Callable:
    """Show the Code view of the run whose label starts with `run`."""

    def prepare(page) -> None:
        _view("Code")(page)
        select = page.locator("[data-testid='stMain'] [data-testid='stSelectbox']").filter(has_text="Run")
        if run not in select.inner_text():
            select.locator("input").click()
            page.get_by_role("option").filter(has_text=run).first.click()
            page.wait_for_selector(IDLE)
            page.wait_for_timeout(400)

    return prepare


def app_edits() -> list[Edit]:
    """Every kind of edit a user makes: each sidebar widget, in each view."""

    def start(axis: str, view: str = "Map") -> Edit:
        base = -1.5 if axis == "x" else 2.0
        return Edit(f"start {axis}" + ("" if view == "Map" else f" ({view})"),
                    lambda page, i, arm: _type_into(_number_box(f"Start {axis}"), f"{base + 0.01 * (i % 40 + 1):g}")(page, arm),
                    _view(view), view)  # fmt: skip

    def steps(page, i, arm) -> None:  # a new length each time (nothing may compile), near the default scene's 500
        # (a length that grew with every edit made every later edit of the run a 4000-step scene)
        _type_into(_number_box("Steps"), str(437 + 13 * (i % 40)))(page, arm)

    def rate(page, i, arm) -> None:  # never the default 0.05: an edit must change something
        _type_into(_adam_rate, f"{0.0305 + 0.001 * (i % 40):g}")(page, arm)

    def beta(page, i, arm) -> None:  # a slider, moved with the keyboard, one notch back and forth
        slider = _sidebar_expander(page, "Adam").locator("[data-testid='stSlider'] input[type=range]").nth(1)
        slider.focus()
        arm()
        page.keyboard.press("ArrowRight" if slider.get_attribute("aria-valuenow") == "0.9" else "ArrowLeft")

    def sigma(page, i, arm) -> None:
        _type_into(_number_box("Gradient noise σ"), f"{0.1 * (i % 40 + 1):g}")(page, arm)

    def flavour(page, i, arm) -> None:  # Keras ⇄ PyTorch
        group = _sidebar_expander(page, "Adam")
        target = "Keras" if group.get_by_role("radio", name="PyTorch", exact=True).get_attribute("aria-checked") == "true" else "PyTorch"
        arm()
        group.get_by_role("radio", name=target, exact=True).click()

    def open_adam(page) -> None:
        _view("Map")(page)
        _open(page, "Adam")

    def open_noise(page) -> None:
        _view("Map")(page)
        _open(page, "Stochastic gradients")

    return [
        start("x"), start("y"),
        Edit("steps", steps, _view("Map")),
        Edit("learning rate", rate, open_adam),
        Edit("β1 slider", beta, open_adam),
        Edit("flavour", flavour, open_adam),
        Edit("noise σ", sigma, open_noise),
        start("x", "Curves"), start("x", "3D"), start("x", "Table"),
        # The code shows the optimizer, not the start: edit what it shows.
        Edit("learning rate (Code)", rate, lambda page: (_code_of("Adam")(page), _open(page, "Adam")), "Code"),
    ]  # fmt: skip


def _keyed(key: str) -> str:
    """The CSS selector of the element of the widget `key` (Streamlit's `st-key-` class)."""
    return ".st-key-" + "".join(c if c.isalnum() or c in "_-" else "-" for c in key)


def network_edits() -> list[Edit]:
    """The Network page's edits, each one a scene never trained before (the epochs slider's reuses the
    whole chunks of epochs its previous scene kept)."""

    def rate(page, i, arm) -> None:  # run 1's exact box (its key gets a new version after each edit)
        box = f"[class*='{_keyed('net.r0.adam:keras:learning_rate')[1:]}'][class*='exact'] input"
        _type_into(lambda p: p.locator(box), f"{0.0105 + 0.0001 * i:g}")(page, arm)

    def epochs(page, i, arm) -> None:  # the slider, one notch up with the keyboard: a new epoch count
        slider = page.locator(f"{_keyed('net.epochs')} [data-testid='stSlider'] input[type=range]")
        slider.focus()
        arm()
        page.keyboard.press("ArrowRight")

    moved_up = [False]

    def batch(page, i, arm) -> None:  # 32 ⇄ 64, a notch each way in turn (the other edits make each a new scene)
        slider = page.locator(f"{_keyed('net.batch')} [data-testid='stSlider'] input[type=range]")
        slider.focus()
        arm()
        page.keyboard.press("ArrowLeft" if moved_up[0] else "ArrowRight")
        moved_up[0] = not moved_up[0]

    return [Edit("learning rate", rate, view="Curves"), Edit("epochs slider", epochs, view="Curves"),
            Edit("batch size", batch, view="Curves")]


def network_page_path(**changes) -> str:
    """The Network page's path with its default scene's query, `changes` applied."""
    from urllib.parse import urlencode

    from ui.network_page import DEFAULT_QUERY

    return "network?" + urlencode({**DEFAULT_QUERY, **{k: str(v) for k, v in changes.items()}})


def bare_edits() -> list[Edit]:
    return [Edit("start x", lambda page, i, arm: _type_into(_number_box("Start x"), f"{-1.4 + 0.01 * (i % 40):g}")(page, arm))]


PANEL = "[data-testid='stMain']"


def _measure(page, edit: Edit, i: int) -> float:
    chart = f"{PANEL} {CHART}" if edit.view in ("Map", "3D", "Curves") else None

    def arm() -> None:
        page.evaluate(ARM, [chart, PANEL])

    edit.act(page, i, arm)
    try:
        page.wait_for_function(DONE, polling=10, timeout=60_000)
    except Exception as e:
        page.screenshot(path=str(ROOT / "test-artefacts" / "bench-failed-edit.png"))
        raise RuntimeError(f"the edit {edit.name!r} ({edit.view}) was not redrawn within 60 s; "
                           "screenshot in test-artefacts/bench-failed-edit.png") from e
    elapsed = page.evaluate(RESULT)
    page.wait_for_selector(IDLE)
    page.wait_for_timeout(400)  # let Streamlit's second paint of a new chart pass
    return elapsed


@contextlib.contextmanager
def _browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=BROWSER_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(60_000)
    page.goto(url)
    page.wait_for_selector(CHART, timeout=120_000)
    page.wait_for_selector(IDLE)
    page.wait_for_timeout(1500)
    return page


def edit_latency(rounds: int, only: str | None = None, page_path: str = "", kinds: Callable[[], list[Edit]] = app_edits) -> dict:
    """Median and slowest edit of the app's page `page_path` (every kind of edit `kinds` lists,
    or those whose name contains `only`) and of the bare page."""
    # Two host names, two sites: Chromium gives each page its own renderer process, so one
    # page's leftover work (a chart's second paint) never runs inside the other's measurement.
    with _server(ROOT / "app.py") as app_url, _server(ROOT / "ui" / "bare_page.py", host="localhost") as bare_url, \
            _browser() as browser:
        app, bare = _open_page(browser, app_url + page_path), _open_page(browser, bare_url)
        chosen = None if only is None else [name.strip() for name in only.split(",")]
        edits = [e for e in kinds() if chosen is None or any(c in e.name for c in chosen)]
        (bare_edit,) = bare_edits()
        count = itertools.count(1)  # every edit sets a value no earlier edit of its widget set
        for edit in edits:  # one untimed pass: first use of each widget and view
            edit.prepare(app)
            _measure(app, edit, next(count))
        _measure(bare, bare_edit, next(count))
        for _ in range(rounds):
            for edit in edits:
                edit.prepare(app)
                edit.times.append(_measure(app, edit, next(count)))
                bare_edit.times.append(_measure(bare, bare_edit, next(count)))
    return {"app": {e.name: e.times for e in edits}, "bare": bare_edit.times}


@contextlib.contextmanager
def _server(script: Path, env: dict | None = None, host: str = "127.0.0.1") -> Iterator[str]:
    """A server of `script`; its output goes to test-artefacts/bench-<script>.log (where a failed
    edit's cause is found)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with open(ARTEFACTS / f"bench-{Path(script).stem}.log", "wb") as log:
        process, port = start_streamlit(script, env=env, log=log)
        try:
            yield f"http://{host}:{port}/"
        finally:
            stop(process)


# -- cold start ----------------------------------------------------------------------------------

# The map with its runs and the landscape (an image under the plot, see ui.live_chart) shown.
MAP_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(g => {
    const image = g.querySelector('.descent-background img');
    return g.data && g.data.length > 3 && g.dataset.drawn && image && image.complete && image.naturalWidth > 0; })"""


def cold_start(cache_dir: str) -> float:
    """Seconds from `streamlit run` to the map drawn in Chromium, with the compilation cache in
    `cache_dir`."""
    with _browser() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        t0 = time.perf_counter()
        with _server(ROOT / "app.py", env={"DESCENT_CACHE_DIR": cache_dir}) as url:
            page.goto(url)
            page.wait_for_function(MAP_DRAWN, timeout=120_000)  # the map, not the loading chart
            return time.perf_counter() - t0


# -- memory: one user opening every view and every lesson ---------------------------------------


def one_user_everywhere() -> dict:
    """The server's peak memory while one user opens every lesson and, in each, every view
    (Streamlit Community Cloud's smallest allowance is 690 MB)."""
    from ui.lessons import LESSONS
    from ui.serve import ServerWatch
    from ui.views import names

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTEFACTS / "bench-memory.log", "wb")  # noqa: SIM115 (closed with the server below)
    process, port = start_streamlit(ROOT / "app.py", log=log)
    watch = ServerWatch([process.pid]).start()
    started = time.perf_counter()
    visited = 0
    try:
        with _browser() as browser:
            page = _open_page(browser, f"http://127.0.0.1:{port}/")
            for lesson in (None, *LESSONS):
                if lesson is not None:
                    _open(page, "Lessons").get_by_role("button", name=lesson.title, exact=True).click()
                    page.wait_for_selector(IDLE)
                    page.wait_for_timeout(500)
                for view in names():
                    try:
                        _view(view)(page)
                    except Exception as e:
                        page.screenshot(path=str(ARTEFACTS / "bench-failed-view.png"))
                        raise RuntimeError(f"could not open the view {view!r} in the lesson "
                                           f"{lesson.id if lesson else None!r}; screenshot in test-artefacts/bench-failed-view.png") from e
                    visited += 1
        memory = watch.stop(time.perf_counter() - started)
    finally:
        stop(process)
        log.close()
    return {"peak_rss_mb": memory["peak_rss_mb"], "pages": visited, "lessons": len(LESSONS)}


# -- the server's part ---------------------------------------------------------------------------


def server_reruns(repeats: int) -> dict:
    """Script passes per edit, their time, and compilations, through AppTest (one process)."""
    from streamlit.testing.v1 import AppTest

    import descent
    from ui import page, views

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.session_state["g0:r3:editor"] = True
    at.run()
    page.RESULTS.clear()  # every edit below is a new scene: nothing may come from a cache
    views.FIGURES.clear()
    compiled = descent.trace_count()
    def current(key: str) -> str:  # the widget's key now (a log slider's pair is renewed on each change)
        version = at.session_state["widget_versions"].get(key, 0) if "widget_versions" in at.session_state else 0
        return f"{key}~{version}" if version else key

    edits = {
        "start x": lambda i: at.number_input(key="g0:start_x").set_value(-1.4 + 0.01 * i),
        "steps": lambda i: at.number_input(key="g0:steps").set_value(300 + 37 * i),
        "learning rate": lambda i: at.number_input(key=current("g0:r3:adam:keras:learning_rate") + ":exact").set_value(
            0.03 + 0.001 * i),
    }
    times, passes = {}, {}
    for name, edit in edits.items():
        times[name], passes[name] = [], []
        for i in range(repeats):
            edit(i)
            page.run_seconds.clear()
            at.run()  # what the edit reruns: the views and the parts it changes
            times[name].append(sum(page.run_seconds))
            passes[name].append(len(page.run_seconds))
            at.run()  # the whole page again (AppTest keeps only what a partial rerun drew)
    assert not at.exception, at.exception
    return {"times": times, "passes": passes, "compiled": descent.trace_count() - compiled}


def payloads() -> dict[str, int]:
    """Bytes each view sends for the default scene at 1000 steps (its elements' protobufs)."""
    from ui import payload

    return payload.per_view()


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:6.1f} ms"


def _latency_summary(what: str, lat: dict) -> None:
    bare = statistics.median(lat["bare"])
    every = [t for times in lat["app"].values() for t in times]
    median, worst = statistics.median(every), max(every)
    print(f"  bare page (one number input, one 4×2000-point chart): median {bare:5.0f} ms, "
          f"slowest {max(lat['bare']):5.0f} ms")  # fmt: skip
    for name, times in lat["app"].items():
        print(f"  {name:22s} median {statistics.median(times):5.0f} ms, slowest {max(times):5.0f} ms")
    print(f"  {what}, every edit: median {median:5.0f} ms = {median / bare:4.2f}× the bare page "
          f"[target <= {TARGETS['latency_median_ratio']}×: {_mark(median <= TARGETS['latency_median_ratio'] * bare)}]; "
          f"slowest {worst:5.0f} ms = {worst / bare:4.2f}× "
          f"[target <= {TARGETS['latency_max_ratio']}×: {_mark(worst <= TARGETS['latency_max_ratio'] * bare)}]\n")  # fmt: skip


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m ui.bench", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="timed edits of each kind (default 5)")
    parser.add_argument("--only", choices=("latency", "cold", "memory", "server", "payload", "maps", "network"),
                        action="append", help="run only these parts (repeatable; maps runs only when named)")
    parser.add_argument("--edits", help="time only the edits whose name contains one of these, comma-separated "
                                        "(e.g. 'start,steps')")  # fmt: skip
    args = parser.parse_args(argv)
    parts = set(args.only or ("latency", "cold", "memory", "server", "payload", "network"))
    browser_ok = os.path.exists(CHROMIUM)
    out: dict = {}
    print(f"Descent app benchmark on {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n")

    if "latency" in parts and browser_ok:
        lat = out["latency"] = edit_latency(args.rounds, args.edits)
        print(f"edit latency in Chromium ({args.rounds} of each kind, alternating with the bare page):")
        _latency_summary("app", lat)
    elif "latency" in parts:
        print(f"edit latency: not measured ({CHROMIUM} is missing)\n")

    if "network" in parts and browser_ok:
        lat = out["network"] = edit_latency(args.rounds, args.edits, "network", network_edits)
        print(f"Network page, edit latency in Chromium ({args.rounds} of each kind, alternating with the bare page; "
              "a rate or the batch size trains the default scene's 2 runs × 200 epochs anew, the epochs slider from "
              "the last whole chunk of 50 epochs kept):")  # fmt: skip
        _latency_summary("Network page", lat)
        light = out["network_5_epochs"] = edit_latency(args.rounds, args.edits, network_page_path(epochs=5), network_edits)
        print("the same edits on the same scene trained for 5 epochs (the page's own part of an edit):")
        _latency_summary("Network page, 5 epochs", light)
        from descent import network_bench

        engine = out["network_engine"] = network_bench.page_default()
        print(f"the engine's part of an edit of the default scene: descent.train {engine['page_default_train_warm_s'] * 1e3:.0f} ms "
              f"warm; its 2 × 2600 updates as a bare jitted loop (plain SGD, nothing else) "
              f"{engine['page_default_bare_loop_warm_s'] * 1e3:.0f} ms\n")  # fmt: skip
    elif "network" in parts:
        print(f"Network page's edit latency: not measured ({CHROMIUM} is missing)\n")

    if "cold" in parts and browser_ok:
        with tempfile.TemporaryDirectory(prefix="descent-cache-") as cache:
            empty = cold_start(cache)
            warm = cold_start(cache)
        out["cold"] = {"empty_cache_s": empty, "warm_cache_s": warm}
        print(f"cold start, `streamlit run` to the map drawn in Chromium: {empty:5.2f} s with an empty compilation "
              f"cache; {warm:5.2f} s on a machine that ran the app before "
              f"[target <= {TARGETS['cold_s']:.0f} s: {_mark(warm <= TARGETS['cold_s'])}]\n")  # fmt: skip

    if "memory" in parts and browser_ok:
        memory = out["memory"] = one_user_everywhere()
        print(f"memory: one user opening every view of the default scene and of each of the {memory['lessons']} lessons "
              f"({memory['pages']} pages): server peak RSS {memory['peak_rss_mb']:.0f} MB "
              f"[target <= {TARGETS['memory_mb']:.0f} MB: {_mark(memory['peak_rss_mb'] <= TARGETS['memory_mb'])}]\n")  # fmt: skip

    if "server" in parts:
        server = out["server"] = server_reruns(7 if args.rounds >= 5 else 3)
        print("the server's part of an edit (AppTest, every script pass of a rerun, timed inside it):")
        for name, times in server["times"].items():
            print(f"  {name:14s} median {_ms(statistics.median(times))}, script passes per edit "
                  f"{max(server['passes'][name])}")  # fmt: skip
        print(f"  compilations caused by these edits: {server['compiled']}\n")

    if "payload" in parts:
        sizes = out["payload"] = payloads()
        print("payload per view, default scene at 1000 steps (4 runs), bytes of the view's elements:")
        for view, size in sizes.items():
            print(f"  {view:7s} {size / 1e3:8.1f} kB")

    if "maps" in parts:
        from descent.bench import maps_main
        from ui import maps_bench

        if browser_ok:
            out["maps"] = maps_bench.browser_times()
            maps_bench.report(out["maps"])
        else:
            print(f"maps in Chromium: not measured ({CHROMIUM} is missing)\n")
        out["maps_engine"] = maps_main()  # after the server stopped: the engine alone
    return out


if __name__ == "__main__":
    sys.exit(0 if main() is not None else 1)
