"""Videos drawn in a child process: another process (without JAX), the same bytes as drawn
in-process, progress reported frame by frame, and the caller's other threads running meanwhile."""

from __future__ import annotations

import os
import threading
import time

import pytest

import descent
from viz import network_video, render_process, video

SCENE = {"landscape": "rosenbrock", "start": [-1.5, 2.0], "steps": 300,
         "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}},
                  {"optimizer": "sgd", "label": "SGD lr=0.01 (diverges)", "hparams": {"learning_rate": 0.01}}]}  # fmt: skip
NETWORK = {"dataset": {"name": "circles", "size": 160, "noise": 0.1, "seed": 0}, "model": {"hidden": [8]}, "epochs": 40,
           "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]}  # fmt: skip


@pytest.fixture(scope="module")
def scene():
    scenario = descent.Scenario.from_json(SCENE)
    result = descent.run(scenario)
    assert result.runs[1].status == "diverged"  # the premise: a diverged run crosses the boundary too
    spec = scenario.landscape_spec
    options = {"minima": spec.minima, "log_scale": spec.log_scale, "title": spec.title, "colours": ["#E69F00", "#009E73"]}
    return result, descent.surface(scenario, resolution=80), options


def test_the_map_gif_is_drawn_in_another_process_without_jax_and_is_the_same_file(scene):
    result, surface, options = scene
    calls = []
    job = {"kind": "map", "args": (render_process.plain_result(result), surface), "format": "gif",
           "options": {**options, "minima": render_process.plain_minima(options["minima"]), "fps": 5, "duration": 3}}  # fmt: skip
    rendered = render_process.render(job, lambda done, total: calls.append((done, total)))
    assert rendered.pid != os.getpid() and not rendered.jax_imported
    assert rendered.peak_rss_mb < 200  # numpy, Pillow and plotly (about 95 MB); importing JAX alone takes 150 MB
    assert calls == [(k, 15) for k in range(1, 16)]
    assert rendered.data == video.video_bytes(result, surface, format="gif", fps=5, duration=3, **options)
    assert render_process.map_video(result, surface, format="gif", fps=5, duration=3, **options) == rendered.data


def test_the_boundary_mp4_and_gif_are_the_same_files_as_drawn_in_process():
    result = descent.train(descent.NetworkScenario.from_json(NETWORK))
    movie = network_video.movie(result, descent.boundary, title="Circles")
    gif = render_process.boundary_video(movie, format="gif", fps=4, duration=2)
    assert gif == network_video.video_bytes(movie, format="gif", fps=4, duration=2)
    mp4 = render_process.boundary_video(movie, format="mp4", fps=4, duration=2)
    assert mp4[4:8] == b"ftyp" and mp4 == network_video.video_bytes(movie, format="mp4", fps=4, duration=2)


def test_the_callers_other_threads_run_while_it_waits(scene):
    result, surface, options = scene
    ticks: list[float] = []
    stop = threading.Event()

    def ticker():
        while not stop.is_set():
            sum(range(2000))  # Python work: needs the interpreter's lock
            ticks.append(time.perf_counter())
            time.sleep(0.002)

    thread = threading.Thread(target=ticker, daemon=True)
    thread.start()
    time.sleep(0.05)
    began = time.perf_counter()
    while time.perf_counter() - began < 1.0:  # long enough to watch, however fast this machine draws
        render_process.map_video(result, surface, format="gif", width=1920, height=1080, fps=10, duration=4, **options)
    ended = time.perf_counter()
    stop.set()
    thread.join()
    during = [t for t in ticks if began <= t <= ended]
    gaps = [b - a for a, b in zip([began, *during], [*during, ended])]
    assert len(during) > (ended - began) / 0.02 and max(gaps) < 0.25, (len(during), max(gaps))


def test_refused_options_come_back_as_the_in_process_message(scene):
    result, surface, options = scene
    with pytest.raises(ValueError, match=r"fps must be in \[1, 60\], got 100"):
        render_process.map_video(result, surface, format="gif", fps=100, **options)


def _render_children() -> list[int]:
    """This process's children that run viz.render_process."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                command = f.read()
            with open(f"/proc/{entry}/status") as f:
                parent = next(int(line.split()[1]) for line in f if line.startswith("PPid:"))
        except (OSError, StopIteration):
            continue
        if parent == os.getpid() and b"viz.render_process" in command:
            found.append(int(entry))
    return found


def test_an_interrupted_render_stops_its_child_and_a_failed_one_says_why(scene):
    result, surface, options = scene

    def interrupt(done, total):
        if done == 3:
            raise KeyboardInterrupt  # as a page's rerun interrupts its script
        assert _render_children()  # the child is drawing

    with pytest.raises(KeyboardInterrupt):
        render_process.map_video(result, surface, format="gif", progress=interrupt, **options)
    assert _render_children() == []
    with pytest.raises(render_process.RenderError, match="TypeError"):
        render_process.render({"kind": "map", "args": (), "format": "gif", "options": {}})
