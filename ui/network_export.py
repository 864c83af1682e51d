"""The Network page's "Share & export": the decision boundary over the epochs as a GIF or an MP4.

`render(scene, result)` draws the section (called with one line from ui/network_page.py): which
runs (a panel each, or one run's), a render button per format with a progress bar, then the
download. The probabilities are computed here (descent.boundary, JAX); the frames are drawn and
encoded by viz.network_video in a child process (viz.render_process). The newest file of each format is kept for this scene and choice.
"""

from __future__ import annotations

import streamlit as st

import descent
import network
from descent import NetworkScenario
from viz import network_video, render_process

PREFIX = "net.export."
# (label, format, mime type), as the 2D page's videos (ui/share.py).
VIDEOS = (("GIF", "gif", "image/gif"), ("MP4", "mp4", "video/mp4"))
ALL_RUNS = -1


def title(scene: NetworkScenario) -> str:
    name = next(d.title for d in network.DATASETS if d.id == scene.dataset.name)
    return f"{name}, {scene.dataset.size} points"


def movie(scene: NetworkScenario, result: descent.TrainResult, run: int) -> network_video.BoundaryMovie:
    """The frames' data: every run's panel (run = ALL_RUNS) or one run's."""
    return network_video.movie(result, descent.boundary, None if run == ALL_RUNS else [run], title=title(scene))


def render(scene: NetworkScenario, result: descent.TrainResult) -> None:
    with st.expander("Share & export: the decision boundary as a GIF or an MP4"):
        labels = [run.label for run in result.runs]
        choices = [ALL_RUNS, *range(len(labels))]
        if st.session_state.get(PREFIX + "run", ALL_RUNS) not in choices:
            st.session_state[PREFIX + "run"] = ALL_RUNS
        run = st.selectbox("Panels", choices, key=PREFIX + "run",
                           format_func=lambda i: "Every run, a panel each" if i == ALL_RUNS else f"Only {labels[i]}")  # fmt: skip
        st.caption("1280×720, 10 s: the probability of class 1 over the plane, the boundary P = 0.5 in black, "
                   "training points filled and validation points open, an epoch counter and a legend.")  # fmt: skip
        signature = (scene, run)
        for label, fmt, mime in VIDEOS:
            stored = st.session_state.get(PREFIX + fmt)
            slot = st.empty()
            if stored is None or stored[0] != signature:
                if not slot.button(f"Render the decision boundary as {label}", key=PREFIX + fmt + ".render"):
                    continue
                bar = slot.progress(0.0, text=f"Drawing the {label}…")

                def progress(done: int, total: int, bar=bar, label=label) -> None:
                    if done == total or done % 10 == 0:  # each update is a message to the browser
                        bar.progress(done / total, text=f"Drawing the {label}: frame {done} of {total}")

                # Drawn in a child process: the server's other sessions keep running meanwhile.
                data = render_process.boundary_video(movie(scene, result, run), format=fmt, progress=progress)
                stored = (signature, data)
                st.session_state[PREFIX + fmt] = stored
            slot.download_button(f"Decision boundary ({label}, 720p, 10 s)", stored[1], file_name=f"descent-network-{scene.dataset.name}.{fmt}",
                                 mime=mime, key=PREFIX + fmt + ".download", on_click="ignore")  # fmt: skip
