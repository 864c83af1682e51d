"""The page: read the scene, draw the controls, run the engine, draw the views, write the URL.

Nothing a user does may end in a traceback: bad input is caught where it enters (links,
uploads) and reported in a sentence, and an unexpected error is shown as one message, while
the details go to the server log.
"""

from __future__ import annotations

import logging
import time

import streamlit as st

import descent
from descent import Scenario, ScenarioError
from ui import charts, controls, links, share, state, views
from ui.lessons import BY_ID as LESSONS
from ui.lessons import LESSONS as LESSON_LIST
from ui.links import Options

log = logging.getLogger("descent.ui")

# The map's landscape image is drawn from a fine grid (narrow valleys like Rosenbrock's need
# it; the image's size does not grow with it), the 3D surface from a coarser one (its payload does).
MAP_RESOLUTION = 300
SURFACE_RESOLUTION = 120

# How long each script run took, for `python -m ui.bench` (AppTest runs the script in a thread
# of the same process; its own polling would blur a timing taken from outside). A run that
# reruns itself (st.rerun) counts too: a user waits for both.
run_seconds: list[float] = []

LECTURE_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stToolbar"],
[data-testid="stHeader"] {display: none;}
html, body, [data-testid="stMarkdownContainer"] p {font-size: 22px;}
[data-testid="stMainBlockContainer"] {padding: 0.5rem 1.5rem 0; max-width: 100%;}
[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.5rem;}
[data-testid="stTabPanel"] {padding-top: 0.5rem;}
[data-testid="stMarkdownContainer"] .katex {font-size: 1em;}  /* a long formula fits the side column */
/* The charts fill the window below the tabs, so a projector or a slide's iframe shows all of the
   map, Play buttons and step slider included. */
[data-testid="stTabs"] [data-testid="stElementContainer"]:has([data-testid="stPlotlyChart"]),
[data-testid="stTabs"] [data-testid="stFullScreenFrame"]:has([data-testid="stPlotlyChart"]),
[data-testid="stTabs"] [data-testid="stPlotlyChart"] {height: max(360px, calc(100vh - 95px)) !important; flex: 0 0 auto !important;}
</style>
"""


@st.cache_data(max_entries=64, show_spinner=False)
def landscape_grid(landscape: str, params: tuple, resolution: int):
    """The landscape on a grid, cached per landscape and parameters (it is the same for every run)."""
    return descent.landscape_grid(landscape, dict(params), resolution)


def _result(scene: Scenario) -> descent.Result:
    """The engine's result, reused while only view options change."""
    cached = st.session_state.get("result")
    if cached is not None and cached.scenario == scene:
        return cached
    result = descent.run(scene)
    st.session_state["result"] = result
    return result


def _apply_map_click() -> None:
    """A click on the map's click grid moves the common start there (before the controls draw)."""
    import viz

    event = st.session_state.get(views.MAP_KEY)
    points = (event or {}).get("selection", {}).get("points") if isinstance(event, dict) else None
    if not points:
        selection = getattr(event, "selection", None)
        points = getattr(selection, "points", None) if selection is not None else None
    point = viz.click_point(points)
    if point is None or point == st.session_state.get(state.LAST_CLICK):
        return
    st.session_state[state.LAST_CLICK] = point
    scene = state.scene()
    try:
        st.session_state[state.SCENE] = scene.replace(start=point)
    except ScenarioError:
        return
    st.session_state[state.key("start_x")] = float(point[0])
    st.session_state[state.key("start_y")] = float(point[1])


def _on_lesson(lesson_id: str) -> None:
    lesson = LESSONS[lesson_id]
    opts = Options(lecture=state.options().lecture, lesson=lesson_id, view=lesson.view, colours=lesson.colours)
    state.replace_scene(lesson.build(), opts)


def _on_close_lesson() -> None:
    state.set_options(lesson=None)


def _on_dismiss_warnings() -> None:
    st.session_state[state.WARNINGS] = []


def _lessons_picker() -> None:
    with st.expander("Lessons", expanded=False):
        for lesson in LESSON_LIST:
            st.button(lesson.title, key=f"lesson:{lesson.id}", on_click=_on_lesson, args=(lesson.id,),
                      width="stretch", type="tertiary")  # fmt: skip


def _header(scene: Scenario, opts: Options) -> None:
    ls = scene.landscape_spec
    if opts.lecture:
        st.button("Exit lecture mode", on_click=share._on_lecture, args=(False,), key="lecture_off", type="tertiary")
    st.markdown(f"##### {ls.title}: ${ls.formula}$")
    if opts.lecture:  # beside the map, in the large font of the rest
        st.markdown(ls.teaches)
    else:
        st.caption(ls.teaches)


def _banners() -> None:
    warnings = st.session_state.get(state.WARNINGS) or []
    if warnings:
        st.warning("Some of this link's settings could not be used:\n\n" + "\n".join(f"- {w}" for w in warnings))
        st.button("Dismiss", on_click=_on_dismiss_warnings, key="dismiss_warnings", type="tertiary")
    message = state.take_notice()
    if message:
        st.info(message)


def _lesson_box(opts: Options) -> None:
    lesson = LESSONS[opts.lesson]
    with st.container(border=True):
        st.markdown(f"**{lesson.title}.** {lesson.text}")
        if not opts.lecture:
            st.button("Close lesson", on_click=_on_close_lesson, key="close_lesson", type="tertiary")


def _sync_url(scene: Scenario, opts: Options) -> None:
    wanted = links.encode(scene, opts)
    if wanted != st.query_params.to_dict():
        st.query_params.from_dict(wanted)


def main() -> None:
    lecture = str(st.query_params.get("lecture", "")).lower() in ("1", "true", "yes", "on")
    st.set_page_config(page_title="Descent: optimizers on loss landscapes", page_icon="⛰️", layout="wide",
                       initial_sidebar_state="collapsed" if lecture else "expanded")  # fmt: skip
    started = time.perf_counter()
    try:
        _page()
    except Exception:  # the last line of defence: one sentence for the user, the trace in the log
        log.exception("unexpected error while drawing the page")
        st.error("Something went wrong while drawing this scene. Try another setting or reload the page; "
                 "the details are in the server log.")  # fmt: skip
    finally:
        run_seconds.append(time.perf_counter() - started)
        del run_seconds[:-100]


def _page() -> None:
    state.init()
    _apply_map_click()
    scene, opts = state.scene(), state.options()
    if opts.lecture:
        st.markdown(LECTURE_CSS, unsafe_allow_html=True)  # our own stylesheet, no user input in it
    else:
        with st.sidebar:
            st.title("Descent")
            st.caption("Optimizers on 2D loss landscapes, exactly as Keras, PyTorch and optax compute them.")
            _lessons_picker()
            try:
                scene, opts = controls.render(scene, opts)
            except ScenarioError as e:  # a combination the widgets allow but the model rejects
                st.error(f"{e}")
                scene, opts = state.scene(), state.options()
        st.session_state[state.SCENE] = scene
        st.session_state[state.OPTIONS] = opts

    if opts.lecture:
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
    with main:
        _main_area(scene, opts)


def _main_area(scene: Scenario, opts: Options) -> None:
    """The views of the scene's result, the Share box that goes with them, and the URL."""
    loading = st.empty()
    if "result" not in st.session_state:
        # A session's first run compiles the optimizers (a second or two on a fresh server).
        # Showing a chart meanwhile says so, and lets the browser fetch and start plotly.js,
        # which it otherwise does only when the map arrives: the two waits overlap.
        with loading:
            charts.plotly_chart(views.LOADING_SPEC, config=views.CHART_CONFIG, height=120)
    result = _result(scene)
    loading.empty()
    params = tuple(sorted(scene.landscape_params.items()))
    grid = landscape_grid(scene.landscape, params, MAP_RESOLUTION)
    view = views.render(scene, opts, result, grid, lambda: landscape_grid(scene.landscape, params, SURFACE_RESOLUTION))
    opts = state.options()  # the Code tab may have changed the selected run
    if view != opts.view:
        opts = Options(opts.lecture, opts.hidden, opts.colours, opts.lesson, view, opts.selected)
        st.session_state[state.OPTIONS] = opts
    if not opts.lecture:
        with st.sidebar:
            with st.expander("Share & export", expanded=False):
                share.render(scene, opts, result, lambda: views.map_figure(scene, opts, result, grid))
    _sync_url(scene, opts)
