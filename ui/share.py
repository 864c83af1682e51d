"""Share and export: the link, an iframe snippet, lecture mode, and files out and in."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import streamlit as st

import viz
import viz.export
from descent import Result, Scenario, ScenarioError, notebook
from ui import links, state
from ui.links import Options
from viz import render_process

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
LOCAL_URL = "http://localhost:8501/"


def link(scene: Scenario, opts: Options, **extra: str) -> str:
    base = (st.context.url or LOCAL_URL).split("?")[0]
    return f"{base}?{urlencode(links.encode(scene, opts) | extra)}"


def iframe(url: str) -> str:
    return f'<iframe src="{url}" width="100%" height="760" style="border:0" loading="lazy"></iframe>'


def scene_json(scene: Scenario, result: Result) -> str:
    """Scenario and results together; "Load a scene" reads the scenario back."""
    return json.dumps({"scenario": scene.to_json(), "results": result.to_json()}, allow_nan=False)


def _on_upload() -> None:
    """Read a scene file; a whole new scene (or a notice why not) redraws the whole page."""
    _read_upload()
    st.rerun()  # the uploader sits in the share box, which would otherwise rerun alone


def _read_upload() -> None:
    uploaded = st.session_state.get(state.key("upload"))
    if uploaded is None:
        return
    if uploaded.size > MAX_UPLOAD_BYTES:
        state.notice(f"{uploaded.name} is {uploaded.size / 1e6:.0f} MB; a scene file is at most {MAX_UPLOAD_BYTES // 2**20} MB.")
        return
    try:
        data = json.loads(uploaded.getvalue().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        state.notice(f"{uploaded.name} is not a JSON scene file: {getattr(e, 'msg', type(e).__name__)}.")
        return
    if isinstance(data, dict) and "scenario" in data:
        data = data["scenario"]
    try:
        scenario = Scenario.from_json(data)
    except ScenarioError as e:
        state.notice(f"{uploaded.name} was not loaded: {e}")
        return
    state.replace_scene(scenario, Options(lecture=state.options().lecture))
    state.notice(f"Loaded {uploaded.name}.")


def _on_lecture(on: bool) -> None:
    state.set_options(lecture=on)
    st.rerun()  # the page's layout changes (the button may sit in a part that reruns alone)


# (label, format, mime type) of the videos for slides.
VIDEOS = (("GIF", "gif", "image/gif"), ("MP4", "mp4", "video/mp4"))


def _video_inputs(scene: Scenario, opts: Options) -> dict:
    from ui import views

    inputs = views.figure_inputs(scene, opts)
    return {"minima": inputs["minima"], "colours": inputs["colours"], "visible": inputs["visible"],
            "log_scale": scene.landscape_spec.log_scale, "title": scene.landscape_spec.title}  # fmt: skip


def videos(scene: Scenario, opts: Options, result: Result, grid) -> None:
    """"Animated map (GIF / MP4)": a render button each, a progress bar while the frames are
    drawn in a child process (a few seconds), then the download. The file is kept for this scene
    only: an edit makes the button render anew."""
    from ui.views import file_stem

    signature = (scene, opts.hidden, opts.colours)  # what the video shows (not the view or the lesson)
    for label, fmt, mime in VIDEOS:  # one under the other: the section is in the narrow sidebar
        stored = st.session_state.get(state.key(f"video_{fmt}"))
        # One slot per format: the render button, then its progress bar, then the download.
        slot = st.empty()
        if stored is None or stored[0] != signature:
            if not slot.button(f"Render the animated map as {label}", key=state.key(f"video_{fmt}_render"),
                               help="For slides: 1280×720, 10 s, drawn on the server (a few seconds)."):  # fmt: skip
                continue
            bar = slot.progress(0.0, text=f"Drawing the {label}…")

            def progress(done: int, total: int, bar=bar, label=label) -> None:
                if done == total or done % 10 == 0:  # each update is a message to the browser
                    bar.progress(done / total, text=f"Drawing the {label}: frame {done} of {total}")

            # Only the newest of each format is kept (a GIF is about 1 MB).
            # Drawn in a child process (viz.render_process): the other sessions keep running meanwhile.
            stored = (signature, render_process.map_video(result, grid, format=fmt, progress=progress, **_video_inputs(scene, opts)))
            st.session_state[state.key(f"video_{fmt}")] = stored
        slot.download_button(f"Animated map ({label}, 720p, 10 s)", stored[1], file_name=f"descent-{file_stem(scene)}.{fmt}",
                             mime=mime, key=state.key(f"video_{fmt}_download"), on_click="ignore")  # fmt: skip


def render(scene: Scenario, opts: Options, result: Result, map_figure, grid=None) -> None:
    """The "Share & export" section; `map_figure()` builds the map only when a file needs it,
    `grid` (the map's landscape grid) is what the GIF and MP4 are drawn on."""
    url = link(scene, opts)
    st.caption("This link reopens exactly this scene:")
    st.code(url, language=None, wrap_lines=True)
    st.caption("Embed it in slides or a web page:")
    st.code(iframe(link(scene, opts, embed="true")), language="html", wrap_lines=True)
    st.button("Lecture mode", on_click=_on_lecture, args=(True,), key=state.key("lecture_on"),
              help="Controls hidden, large fonts; the link gets lecture=1.")  # fmt: skip
    from ui.views import file_stem

    name = file_stem(scene)  # a formula's or data landscape's id is no file name
    st.download_button("Trajectories (CSV)", lambda: viz.trajectories_csv(result), file_name=f"descent-{name}.csv",
                       mime="text/csv", key=state.key("csv"), on_click="ignore")  # fmt: skip
    st.download_button("Scene and results (JSON)", lambda: scene_json(scene, result), file_name=f"descent-{name}.json",
                       mime="application/json", key=state.key("json"), on_click="ignore")  # fmt: skip
    st.download_button("Animated map (HTML, plays offline)", lambda: viz.standalone_html(map_figure()),
                       file_name=f"descent-{name}.html", mime="text/html", key=state.key("html"), on_click="ignore")  # fmt: skip
    st.download_button("Open as notebook (.ipynb)", lambda: notebook.notebook(scene, link=url), file_name=f"descent-{name}.ipynb",
                       mime="application/x-ipynb+json", key=state.key("ipynb"), on_click="ignore",
                       help="A Jupyter notebook that runs this scene with descent and shows the animated map.")  # fmt: skip
    if grid is not None:
        videos(scene, opts, result, grid)
    if viz.export.browser_path():
        st.download_button("Map (PNG)", lambda: viz.figure_png(map_figure()) or b"", file_name=f"descent-{name}.png",
                           mime="image/png", key=state.key("png"), on_click="ignore")  # fmt: skip
    st.file_uploader("Load a scene (JSON)", type=["json"], key=state.key("upload"), on_change=_on_upload,
                     help="A file from \"Scene and results (JSON)\", or a scenario as the CLI reads it.")  # fmt: skip
