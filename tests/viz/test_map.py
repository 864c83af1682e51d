"""viz.trajectory_map: traces, the landscape image, frames, controls, divergence, payload."""

from __future__ import annotations

import base64
import json
import struct
import zlib

import numpy as np
import pytest

import viz
from tests.viz.plain import (
    BOWL_MINIMA,
    bowl_surface,
    plain_race,
    plain_result,
    plain_run,
    spiral,
)
from viz.colour import landscape_scale
from viz.trajectory_map import MAX_TRAIL_POINTS, SLIDER_POSITIONS, SPEEDS

MB = 1_000_000


def bowl_map(**options):
    return viz.trajectory_map(plain_race(), bowl_surface(), minima=BOWL_MINIMA, **options)


def animated_indices(fig) -> list[int]:
    return list(fig.frames[0].traces)


def names(fig) -> list[str]:
    return [trace.meta if isinstance(trace.meta, str) else trace.name for trace in fig.data]


def decode_png(source: str) -> tuple[int, int, np.ndarray]:
    """(width, height, pixels) of the layout image's data URI (our encoder writes one IDAT, no filter)."""
    prefix = "data:image/png;base64,"
    assert source.startswith(prefix)
    data = base64.b64decode(source[len(prefix):])
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    start = data.index(b"IDAT") + 4
    length = struct.unpack(">I", data[start - 8 : start - 4])[0]
    rows = np.frombuffer(zlib.decompress(data[start : start + length]), np.uint8).reshape(height, 1 + 3 * width)
    return width, height, rows[:, 1:].reshape(height, width, 3)


# --- structure -----------------------------------------------------------------------------------


def test_traces_in_documented_order():
    fig = bowl_map()
    assert names(fig) == [
        "colour scale",
        "Spiral", "Slow spiral", "Blows up",  # the static paths (meta holds the plain label)
        "start", "global minimum", "local minimum", "diverged",
        "Spiral (trail)", "Spiral", "Slow spiral (trail)", "Slow spiral", "Blows up (trail)", "Blows up",
        "step counter",
    ]
    assert all(trace.type == "scatter" for trace in fig.data)


def test_paths_are_the_whole_trajectories_in_float32():
    race = plain_race()
    fig = viz.trajectory_map(race, bowl_surface())
    paths = [t for t in fig.data if t.meta in {r.label for r in race.runs}]
    assert len(paths) == 3
    for trace, run in zip(paths, race.runs):
        assert trace.x.dtype == np.float32
        assert np.array_equal(trace.x, run.path[:, 0]) and np.array_equal(trace.y, run.path[:, 1])
    # Plotly 7 sends float32 numpy arrays as compact typed arrays.
    sent = json.loads(fig.to_json())["data"][2]
    assert sent["x"]["dtype"] == "f4" and "bdata" in sent["x"]


def test_legend_has_each_run_once_in_its_colour():
    race = plain_race()
    fig = viz.trajectory_map(race, bowl_surface(), colours=["#111111", "#222222", "#333333"])
    entries = [t for t in fig.data if t.showlegend is not False and t.meta in {r.label for r in race.runs}]
    assert [t.meta for t in entries] == ["Spiral", "Slow spiral", "Blows up"]
    for trace, colour in zip(entries, ["#111111", "#222222", "#333333"]):
        assert trace.line.color == colour
        assert f"color:{colour}" in trace.name and trace.meta in trace.name
    hidden_in_legend = [t for t in fig.data if t.name and "(trail)" in t.name]
    assert all(t.showlegend is False for t in hidden_in_legend)


def test_landscape_is_a_layout_image_covering_the_domain():
    xs, ys, z = bowl_surface()
    fig = viz.trajectory_map(plain_race(), (xs, ys, z))
    (image,) = fig.layout.images
    assert (image.x, image.y, image.sizex, image.sizey) == (-2.0, 2.0, 4.0, 4.0)
    assert (image.xref, image.yref, image.xanchor, image.yanchor, image.layer) == ("x", "y", "left", "top", "below")
    width, height, pixels = decode_png(image.source)
    assert width == height  # square domain, square image
    # Low f is light, high f dark: the centre of the bowl is lighter than its corners.
    centre = pixels[height // 2, width // 2].astype(int).sum()
    corner = pixels[0, 0].astype(int).sum()
    assert centre > corner + 100
    assert len(np.unique(pixels.reshape(-1, 3).astype(np.int64) @ [65536, 256, 1])) > 10  # bands and iso-lines, not a blank
    # Nothing in the figure is a contour or heatmap trace that an animation could remove.
    assert {trace.type for trace in fig.data} == {"scatter"}


def test_axes_fixed_to_the_domain_with_equal_scale():
    fig = bowl_map()
    assert list(fig.layout.xaxis.range) == [-2.0, 2.0] and list(fig.layout.yaxis.range) == [-2.0, 2.0]
    assert fig.layout.xaxis.title.text == "x" and fig.layout.yaxis.title.text == "y"
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    # A domain ten times wider than high is not forced to equal scale (it would be a sliver).
    xs = np.linspace(-10, 10, 50)
    ys = np.linspace(-1, 1, 20)
    long = viz.trajectory_map(plain_race(), (xs, ys, xs[None, :] ** 2 + ys[:, None] ** 2))
    assert long.layout.yaxis.scaleanchor is None


def test_minima_global_and_local_look_different():
    fig = bowl_map()
    by_name = {t.name: t for t in fig.data}
    star, diamond = by_name["global minimum"], by_name["local minimum"]
    assert (list(star.x), list(star.y)) == ([0.0], [0.0])
    assert (list(diamond.x), list(diamond.y)) == ([1.0], [1.0])
    assert star.marker.symbol != diamond.marker.symbol


def test_start_is_marked():
    race = plain_race()
    fig = viz.trajectory_map(race, bowl_surface())
    start = next(t for t in fig.data if t.name == "start")
    starts = {(float(x), float(y)) for x, y in zip(start.x, start.y)}
    assert starts == {tuple(float(v) for v in run.path[0]) for run in race.runs}


def test_diverged_run_says_so_at_its_last_point():
    fig = bowl_map()
    (note,) = fig.layout.annotations
    assert note.text == "diverged at step 7"
    cross = next(t for t in fig.data if t.name == "diverged")
    # The last finite point (400, -500) is far off the map: the cross is pinned to its corner.
    assert (float(cross.x[0]), float(cross.y[0])) == (2.0, -2.0) == (note.x, note.y)
    assert "x = 400, y = -500" in cross.hovertext[0]


def test_diverged_run_of_the_engine(race):
    fig = race.map()
    diverged = [run for run in race.result.runs if run.status == "diverged"]
    assert len(diverged) == 1
    assert [a.text for a in fig.layout.annotations] == [f"diverged at step {diverged[0].diverged_at}"]


def test_visible_leaves_runs_out_and_keeps_their_colours():
    fig = viz.trajectory_map(plain_race(), bowl_surface(), visible=[False, True, False])
    paths = [t for t in fig.data if t.meta in {"Spiral", "Slow spiral", "Blows up"}]
    assert [t.meta for t in paths] == ["Slow spiral"]
    assert paths[0].line.color == viz.palette(3)[1]
    assert not fig.layout.annotations  # the diverged run is hidden
    assert len(fig.frames[0].data) == 3  # trail and head of the one visible run, and the step counter
    with pytest.raises(ValueError):
        viz.trajectory_map(plain_race(), bowl_surface(), visible=[True])


def test_no_visible_run_still_draws_the_landscape():
    fig = viz.trajectory_map(plain_race(), bowl_surface(), visible=[False, False, False])
    assert len(fig.layout.images) == 1 and not fig.frames and not fig.layout.sliders


def test_lecture_mode_is_bigger():
    screen, lecture = bowl_map(), bowl_map(lecture=True)

    def head(fig):
        return fig.data[animated_indices(fig)[1]]

    def path(fig):
        return next(t for t in fig.data if t.meta == "Spiral")

    assert lecture.layout.font.size >= screen.layout.font.size + 6
    assert path(lecture).line.width >= 2 * path(screen).line.width
    assert head(lecture).marker.size > 1.5 * head(screen).marker.size
    assert fig_counter(lecture).textfont.size > fig_counter(screen).textfont.size


def fig_counter(fig):
    return next(t for t in fig.data if t.name == "step counter")


# --- animation -----------------------------------------------------------------------------------


def test_frames_touch_only_the_trails_heads_and_the_step_counter():
    fig = bowl_map()
    animated = animated_indices(fig)
    assert animated == list(range(len(fig.data) - 7, len(fig.data)))  # the last seven traces
    assert 1 < len(fig.frames) <= 100
    for frame in fig.frames:
        # The same traces in every frame, one data item for each: the trace count never changes.
        assert list(frame.traces) == animated and len(frame.data) == len(animated)
        for item, index in zip(frame.data, animated):
            assert item.type == "scatter" == fig.data[index].type
            assert fig.data[index].mode in ("lines", "markers", "text")


def counted_step(frame) -> int:
    """The step a frame shows, as its step counter (its last item) says."""
    return int(frame.data[-1].text[0].removeprefix("step "))


def test_head_in_frame_k_is_the_path_at_step_k():
    race = plain_race(n=1001)
    fig = viz.trajectory_map(race, bowl_surface())
    steps = [counted_step(frame) for frame in fig.frames]
    assert steps[0] == 0 and steps[-1] == 1000 and steps == sorted(set(steps))
    assert [frame.name for frame in fig.frames] == [str(f) for f in range(len(steps))]  # named by their place
    for frame, step in zip(fig.frames, steps):
        for j, run in enumerate(race.runs):
            trail, head = frame.data[2 * j], frame.data[2 * j + 1]
            at = min(step, len(run.path) - 1)  # the diverged run waits at its last point
            assert (head.x[0], head.y[0]) == tuple(run.path[at])
            assert head.text[0] == f"step {at}"
            assert (trail.x[-1], trail.y[-1]) == tuple(run.path[at])  # the trail ends at the head
            assert 1 <= len(trail.x) <= MAX_TRAIL_POINTS


def test_trail_is_full_resolution_and_about_two_frame_strides():
    race = plain_result([plain_run("long", spiral(2001))])
    fig = viz.trajectory_map(race, bowl_surface(), frames=100)
    frame = fig.frames[50]
    step = counted_step(frame)
    trail = frame.data[0]
    n = len(trail.x)
    assert 40 <= n <= 45  # stride 20 → about 41 points
    assert np.array_equal(trail.x, race.runs[0].path[step - n + 1 : step + 1, 0])


def test_still_figure_shows_the_last_frame():
    fig = bowl_map()
    last = fig.frames[-1]
    for item, index in zip(last.data[:-1], last.traces[:-1]):
        assert np.array_equal(fig.data[index].x, item.x) and np.array_equal(fig.data[index].y, item.y)
    assert fig.data[last.traces[-1]].text == last.data[-1].text  # the counter


def test_slider_positions_are_frames_and_the_map_counts_the_steps():
    fig = bowl_map()
    (slider,) = fig.layout.sliders
    names = [frame.name for frame in fig.frames]
    assert len(names) == 100 and all(name.isdigit() for name in names)
    positions = [s.args[0][0] for s in slider.steps]
    # A quarter of the frames, evenly spread, from the first to the last: Play shows every frame.
    assert len(positions) == SLIDER_POSITIONS and set(positions) <= set(names)
    assert positions[0] == names[0] and positions[-1] == names[-1]
    gaps = np.diff([names.index(p) for p in positions])
    assert gaps.min() >= 3 and gaps.max() <= 5
    assert all(s.method == "animate" and s.args[1]["frame"]["redraw"] is False for s in slider.steps)
    assert slider.active == len(positions) - 1
    # No label to build and measure for each position: the counter on the map tells the step.
    assert {s.label for s in slider.steps} == {""} and slider.currentvalue.visible is False
    # Frames are named by their place (another number of steps keeps the slider and the buttons).
    assert names == [str(f) for f in range(100)]
    counter = fig.data[-1]
    index = len(fig.data) - 1
    steps = [counted_step(frame) for frame in fig.frames]
    assert all(frame.traces[-1] == index for frame in fig.frames)
    last = max(len(run.path) for run in plain_race().runs) - 1
    assert steps[0] == 0 and steps[-1] == last and all(0 < b - a <= -(-last // 99) for a, b in zip(steps, steps[1:]))
    assert counter.name == "step counter" and counter.mode == "text" and list(counter.text) == [f"step {last}"]


def test_a_short_run_has_a_slider_position_per_frame():
    race = plain_result([plain_run("short", spiral(12))])
    fig = viz.trajectory_map(race, bowl_surface())
    assert [s.args[0][0] for s in fig.layout.sliders[0].steps] == [f.name for f in fig.frames] == [str(k) for k in range(12)]


def test_play_buttons_at_three_speeds_and_pause():
    fig = bowl_map()
    (menu,) = fig.layout.updatemenus
    buttons = menu.buttons
    assert [b.label for b in buttons] == [label for label, _ in SPEEDS] + ["❚❚ Pause"]
    names_ = [frame.name for frame in fig.frames]
    durations = []
    for button in buttons[:-1]:
        frames, options = button.args
        # Every frame at every speed: Play resumes from wherever Pause or the slider left it.
        assert list(frames) == names_
        assert options["frame"]["redraw"] is False and options["fromcurrent"] is True
        durations.append(options["frame"]["duration"] * len(frames))  # ms from first to last step
    assert durations[0] == pytest.approx(2 * durations[1], rel=0.05)  # 2× takes half the time
    assert durations[0] == pytest.approx(4 * durations[2], rel=0.05)  # 4× a quarter
    assert list(buttons[-1].args[0]) == [None]  # Plotly's "stop"


def test_frames_zero_means_a_still_map():
    fig = bowl_map(frames=0)
    assert not fig.frames and not fig.layout.sliders and not fig.layout.updatemenus
    race = plain_race()
    heads = [fig.data[i] for i in range(len(fig.data)) if fig.data[i].text and str(fig.data[i].text[0]).startswith("step")]
    assert [(h.x[0], h.y[0]) for h in heads] == [tuple(run.path[-1]) for run in race.runs]


# --- colour scale --------------------------------------------------------------------------------


def test_log_colour_bar_is_labelled_in_units_of_f(race):
    fig = race.map()
    bar = next(t for t in fig.data if t.name == "colour scale").marker
    scale = landscape_scale(race.surface[2], log_scale=True, minimum_value=0.0)
    assert (bar.cmin, bar.cmax) == (scale.low, scale.high)
    assert bar.colorbar.ticktext[0] == "0"  # the floor: Rosenbrock's minimum
    labels = [float(text) for text in bar.colorbar.ticktext]
    assert {1.0, 10.0, 100.0, 1000.0} <= set(labels)
    assert np.allclose(scale.transform(labels), bar.colorbar.tickvals)
    assert "log" in bar.colorbar.title.text


def test_linear_scale_leaves_ticks_to_plotly():
    fig = bowl_map(log_scale=False)
    bar = next(t for t in fig.data if t.name == "colour scale").marker
    assert bar.colorbar.tickvals is None and (bar.cmin, bar.cmax) == (0.0, 8.0)


# --- payload --------------------------------------------------------------------------------------


def frames_payload(fig) -> int:
    return len(json.dumps(json.loads(fig.to_json())["frames"]))


def test_payload_4_runs_1000_steps_under_1_mb(steady_1000):
    fig = steady_1000.map()
    assert all(len(run.path) == 1001 for run in steady_1000.result.runs)
    assert len(fig.to_json()) <= 1 * MB
    assert len(fig.frames) <= 100


def test_frame_payload_grows_linearly_with_path_length(steady_1000, steady_2000):
    short, long = steady_1000.map(), steady_2000.map()
    assert all(len(run.path) == 2001 for run in steady_2000.result.runs)
    assert frames_payload(long) < 2.3 * frames_payload(short)
    assert len(long.to_json()) < 2.3 * len(short.to_json())


def test_frames_never_carry_the_surface(steady_1000):
    sent = json.loads(steady_1000.map().to_json())
    for frame in sent["frames"]:
        for item in frame["data"]:
            assert item["type"] == "scatter"
            assert not {"z", "image", "source"} & set(item)
        assert "layout" not in frame  # the landscape image lives in the layout, sent once
