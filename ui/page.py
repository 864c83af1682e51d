"""The page: read the scene, draw the controls, run the engine, draw the views, write the URL.

Nothing a user does may end in a traceback: bad input is caught where it enters (links,
uploads) and reported in a sentence, and an unexpected error is shown as one message, while
the details go to the server log.

Speed: an edit is one pass, and only over what it changes: the controls' callbacks update the
scene, then rerun the views and the part of the sidebar they belong to (`state.refresh`), not the
page. What a pass computes is shared by every session of the server through bounded caches: the
engine's results per scene, the landscape on its grid, the map per scene and view options.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

import streamlit as st

import descent
from descent import Scenario, compile_cache, memo
from ui import (
    address,
    controls,
    data_controls,
    inspector,
    links,
    live_chart,
    malloc,
    navigation,
    share,
    state,
    views,
)
from ui.lessons import BY_ID as LESSONS
from ui.lessons import LESSONS as LESSON_LIST
from ui.links import Options
from ui.map_choices import parse as parse_map_choices

log = logging.getLogger("descent.ui")

# The map's landscape image is drawn from a fine grid (narrow valleys like Rosenbrock's need
# it; the image's size does not grow with it), the 3D surface from a coarser one (its payload does).
MAP_RESOLUTION = 300
SURFACE_RESOLUTION = 120

# Shared by all sessions (see descent.memo). A 4-run × 1000-step result is ~150 kB, a map ~250 kB.
RESULTS: memo.SharedCache[descent.Result] = memo.SharedCache("results", 64 * 2**20, memo.array_bytes)
GRIDS: memo.SharedCache[tuple] = memo.SharedCache("landscape grids", 32 * 2**20, memo.array_bytes)

# How long each script run took, for `python -m ui.bench` (AppTest runs the script in a thread
# of the same process; its own polling would blur a timing taken from outside).
run_seconds: list[float] = []

LECTURE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"] {display: none;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 22px;}
[data-testid="stMainBlockContainer"] {padding: 0.5rem 1.5rem 0; max-width: 100%;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.5rem;}
[data-testid="stMarkdownContainer"] .katex {font-size: 1em;}  /* a long formula fits the side column */
/* The charts fill the window below the view switch, so a projector or a slide's iframe shows all
   of the map, Play buttons and step slider included. */
[data-testid="stMain"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
[data-testid="stMain"] [data-testid="stFullScreenFrame"]:has([data-testid="stPlotlyChart"]),
[data-testid="stMain"] [data-testid="stPlotlyChart"] {height: max(360px, calc(100vh - 95px)) !important; flex: 0 0 auto !important;}
</style>
"""


def scene_grid(scene: Scenario, resolution: int):
    """The scene's landscape on a grid: a typed formula's over its domain, or the catalogue's."""
    if scene.dataset is not None:
        key = ("data", scene.model, tuple(sorted(scene.dataset.items())), resolution)
        return GRIDS.get(key, lambda: descent.surface(scene, resolution))
    if scene.formula is not None:
        key = ("formula", scene.formula, scene.domain, resolution)
        return GRIDS.get(key, lambda: descent.formula_grid(scene.formula, scene.domain, resolution))
    return landscape_grid(scene.landscape, tuple(sorted(scene.landscape_params.items())), resolution)


def landscape_grid(landscape: str, params: tuple, resolution: int):
    """The landscape on a grid, shared per landscape, parameters and resolution."""
    return GRIDS.get((landscape, params, resolution), lambda: descent.landscape_grid(landscape, dict(params), resolution))


def result_of(scene: Scenario) -> descent.Result:
    """The engine's result for a scene, computed once for all sessions."""
    return RESULTS.get(scene, lambda: descent.run(scene))


def _result(scene: Scenario) -> descent.Result:
    """The result, kept in the session too (the views and exports read it from there)."""
    cached = st.session_state.get("result")
    if cached is not None and cached.scenario == scene:
        return cached
    result = result_of(scene)
    st.session_state["result"] = result
    return result


def _on_map_click() -> None:
    """A click on the map moves the common start there (to a round value near the click)."""
    controls.start_at_click(getattr(st.session_state.get(views.MAP_KEY), "click", None))


def _on_lesson(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    opts = Options(lecture=state.options().lecture, lesson=lesson_id, view=lesson.view, colours=lesson.colours,
                   maps=parse_map_choices(lesson.maps, []), selected=lesson.selected, step=lesson.step,
                   overlays=lesson.overlays)  # fmt: skip
    state.replace_scene(lesson.build(), opts)


def _on_close_lesson() -> None:
    state.set_options(lesson=None)


def _on_dismiss_warnings() -> None:
    st.session_state[state.WARNINGS] = []


def _lessons_picker() -> None:
    lessons = st.expander("Lessons", key="lessons_open", on_change="rerun")
    if lessons.open:
        with lessons:
            for lesson in LESSON_LIST:
                st.button(lesson.title, key=f"lesson:{lesson.id}", on_click=_on_lesson, args=(lesson.id,),
                          width="stretch", type="tertiary")  # fmt: skip


def _header(scene: Scenario, opts: Options) -> None:
    ls = scene.landscape_spec
    if opts.lecture:
        st.button("Exit lecture mode", on_click=share._on_lecture, args=(False,), key="lecture_off", type="tertiary")
    st.markdown(f"##### {ls.title}: ${ls.formula}$")
    teaches = ls.teaches
    if scene.dataset is not None:  # which noise is in effect, and how many epochs the steps make
        teaches += " " + data_controls.noise_sentence(scene)
    if opts.lecture:  # beside the map, in the large font of the rest
        st.markdown(teaches)
    else:
        st.caption(teaches)


def _banners() -> None:
    warnings = st.session_state.get(state.WARNINGS) or []
    if warnings:
        st.warning("Some of this link's settings could not be used:\n\n" + "\n".join(f"- {w}" for w in warnings))
        st.button("Dismiss", on_click=_on_dismiss_warnings, key="dismiss_warnings", type="tertiary")


def _lesson_box(opts: Options) -> None:
    lesson = LESSONS[opts.lesson]
    with st.container(border=True):
        st.markdown(f"**{lesson.title}.** {lesson.text}")
        if not opts.lecture:
            st.button("Close lesson", on_click=_on_close_lesson, key="close_lesson", type="tertiary")


def _sync_url(scene: Scenario, opts: Options) -> None:
    address.show(links.encode(scene, opts), on_restore=_restore_address)


def _restore_address(query: dict[str, str]) -> None:
    """A new session of a page already open: the scene its address holds (see ui.address)."""
    parsed = links.parse(query)
    state.replace_scene(parsed.scenario, parsed.options)


_warm = threading.Event()


def _after_first_run() -> None:
    """Once per process, after the first page is drawn (JAX imported, the first runs compiled):
    move every object alive now into the garbage collector's permanent generation. They live as
    long as the server, and a full collection would otherwise walk them all again (it cost
    170 ms per rerun before `runner.postScriptGC` was turned off, and still runs on its own).
    It happens a moment later, on a thread of its own: the collection holds the interpreter for
    about 0.15 s, and the first page's last messages are still on their way to the browser."""
    if not _warm.is_set():
        _warm.set()
        freeze = threading.Timer(FREEZE_AFTER_S, lambda: (gc.collect(), gc.freeze()))
        freeze.daemon = True
        freeze.start()


FREEZE_AFTER_S = 2.0


def _guarded(draw, timed: bool = True) -> None:
    """Draw, timed (a pass of the script: the page or the views; the small parts that rerun
    with them are not counted apart); an unexpected error becomes one sentence for the user and
    a trace in the log (the last line of defence, for the page and for each part that reruns alone)."""
    started = time.perf_counter()
    try:
        draw()
    except Exception:
        log.exception("unexpected error while drawing the page")
        st.error("Something went wrong while drawing this scene. Try another setting or reload the page; "
                 "the details are in the server log.")  # fmt: skip
    finally:
        if timed:
            run_seconds.append(time.perf_counter() - started)
            del run_seconds[:-100]


def main() -> None:
    lecture = navigation.lecture(st.query_params, st.session_state)
    st.set_page_config(page_title="Descent: optimizers on loss landscapes", page_icon="⛰️", layout="wide",
                       initial_sidebar_state="collapsed" if lecture else "expanded")  # fmt: skip
    compile_cache.enable()
    run_seconds.append(0.0)  # a full pass; its parts add their own times
    _guarded(_page)
    _after_first_run()
    malloc.trim_after_compiling()


def _page() -> None:
    state.init()
    scene, opts = state.scene(), state.options()
    if opts.lecture:
        st.markdown(LECTURE_CSS, unsafe_allow_html=True)  # our own stylesheet, no user input in it
        # A projector or a slide is short and wide: what would sit above the map goes beside it.
        main, aside = st.columns([3, 1], gap="medium")
        with aside:
            _header(scene, opts)
            _banners()
            if opts.lesson in LESSONS:
                _lesson_box(opts)
    else:
        _header(scene, opts)
        _banners()
        if opts.lesson in LESSONS:
            _lesson_box(opts)
        main = st.container()
    # The views are drawn before the sidebar: the browser draws elements in the order they
    # arrive, and a new chart should not wait behind two dozen controls.
    with main:
        view = views.switch()
        _views_part()
        if view == "Map" and not opts.lecture:
            # Below the map: the map and its Play buttons and slider stay where they were.
            _overlays_part()
        else:
            st.session_state.pop(state.OVERLAY_LABELS, None)
        if view == "Map" and not opts.lecture:
            st.caption("Play animates every run together; the slider scrubs through the steps. "
                       "Click anywhere on the map to start the runs there.")  # fmt: skip
    if not opts.lecture:
        with st.sidebar:
            st.title("Descent")
            st.caption("Optimizers on 2D loss landscapes, exactly as Keras, PyTorch and optax compute them.")
            _lessons_picker()
            controls.render(scene)
            _share_part()


@st.fragment(key=state.VIEWS_PART)
def _views_part() -> None:
    """The views of the scene's result, a notice from the last edit, and the URL: what every
    edit reruns. It reads the scene from the session (a fragment that reruns alone gets the
    arguments of the page's last full run)."""
    _guarded(_views)
    malloc.trim_after_compiling()


def _views() -> None:
    scene, opts = state.scene(), state.options()
    message = state.take_notice()
    if message:
        st.info(message)
    loading = st.empty()
    waiting = "result" not in st.session_state and scene not in RESULTS
    if waiting:
        # A session's first run may compile the optimizers (a second or two on a fresh server).
        # Showing a chart meanwhile says so, and lets the browser fetch and start plotly.js,
        # which it otherwise does only when the map arrives: the two waits overlap.
        with loading:
            live_chart.chart(live_chart.figure_json(views.LOADING_SPEC), key=views.LOADING_KEY, height=120)
    result = _result(scene)
    if waiting:  # otherwise the place is empty already: an edit sends the browser one message fewer
        loading.empty()
    grid = scene_grid(scene, MAP_RESOLUTION)
    views.render(scene, opts, result, grid, lambda: scene_grid(scene, SURFACE_RESOLUTION),
                 on_map_click=_on_map_click)  # fmt: skip
    _sync_url(scene, state.options())  # the Code view may have changed the selected run


@st.fragment(key=state.OVERLAYS_PART)
def _overlays_part() -> None:
    _guarded(inspector.overlay_controls, timed=False)


@st.fragment(key=state.SHARE_PART)
def _share_part() -> None:
    """"Share & export": its link and files are the scene's, so every edit reruns it too."""
    exports = st.expander("Share & export", key=state.SHARE_OPEN, on_change="rerun")
    if exports.open:
        scene, opts = state.scene(), state.options()
        result = _result(scene)
        grid = scene_grid(scene, MAP_RESOLUTION)
        with exports:
            share.render(scene, opts, result, lambda: views.map_figure(scene, opts, result, grid), grid)
