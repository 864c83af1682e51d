"""The GIF and MP4 of the map, decoded: frame count, size, duration, and each run's marker at
its final point in the last frame."""

from __future__ import annotations

import io

import imageio.v2 as imageio
import numpy as np
import pytest
from PIL import Image

import viz
from viz import video

# The test decodes an MP4 with the ffmpeg binary (a subprocess) in a process that runs JAX.
pytestmark = pytest.mark.filterwarnings("ignore:os.fork:RuntimeWarning")

# Four runs, 500 steps, that end in four different basins of Himmelblau's function, so each
# run's final marker sits apart from the others.
FOUR_BASINS = [
    {"optimizer": "sgd", "hparams": {"learning_rate": 0.01}, "start": [0.5, 0.5]},
    {"optimizer": "adam", "hparams": {"learning_rate": 0.05}, "start": [-0.5, 0.5]},
    {"optimizer": "sgd", "hparams": {"learning_rate": 0.01, "momentum": 0.9}, "start": [-0.5, -1.5]},
    {"optimizer": "rmsprop", "hparams": {"learning_rate": 0.02}, "start": [0.5, -2.5]},
]


@pytest.fixture(scope="module")
def basins():
    from tests.viz.conftest import Landscape

    scene = Landscape("himmelblau", FOUR_BASINS, 500)
    finals = np.array([run.final_point for run in scene.result.runs])
    # The premise of the marker checks: four ends, far apart.
    assert min(np.linalg.norm(a - b) for i, a in enumerate(finals) for b in finals[i + 1 :]) > 2
    return scene


def _options(scene):
    return {"minima": scene.spec.minima, "log_scale": scene.spec.log_scale}


def _rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], float)


def _share_near(frame: np.ndarray, column: float, row: float, colour: str, radius: int, tolerance: float) -> float:
    """The share of pixels within `radius` of (column, row) whose colour is within `tolerance`
    of `colour` (Euclidean in RGB)."""
    rows, columns = np.mgrid[0 : frame.shape[0], 0 : frame.shape[1]]
    disc = (rows - row) ** 2 + (columns - column) ** 2 <= radius**2
    distance = np.linalg.norm(frame[disc].astype(float) - _rgb(colour), axis=1)
    return float(np.mean(distance <= tolerance))


def _markers_at(frame: np.ndarray, scene, points, tolerance: float) -> list[float]:
    geo = video.geometry(scene.surface, frame.shape[1], frame.shape[0])
    colours = viz.palette(len(scene.result.runs))
    shares = []
    for point, colour in zip(points, colours):
        column, row = geo.to_pixel(point[0], point[1])
        shares.append(_share_near(frame, float(column), float(row), colour, radius=4, tolerance=tolerance))
    return shares


def _gif_frames(data: bytes) -> tuple[list[np.ndarray], list[int]]:
    image = Image.open(io.BytesIO(data))
    frames, durations = [], []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB")))
        durations.append(image.info["duration"])
    return frames, durations


def test_gif_decodes_with_its_frames_size_duration_and_final_markers(basins):
    calls = []
    data = video.video_bytes(basins.result, basins.surface, format="gif", fps=10, duration=10,
                             progress=lambda done, total: calls.append((done, total)), **_options(basins))  # fmt: skip
    assert data[:6] == b"GIF89a"
    assert len(data) <= 8 * 2**20
    frames, durations = _gif_frames(data)
    # 100 frames of 100 ms: 90 moving ones, then 10 more that hold the last step, which the GIF
    # stores as its last frame shown for 1.1 s (Pillow merges identical frames).
    assert len(frames) == 90
    assert sum(durations) == 10_000
    assert durations[-1] == 1100
    assert all(f.shape == (720, 1280, 3) for f in frames)
    assert calls == [(k, 100) for k in range(1, 101)]

    finals = [run.final_point for run in basins.result.runs]
    starts = [run.path[0] for run in basins.result.runs]
    assert min(_markers_at(frames[-1], basins, finals, tolerance=10)) > 0.8
    # At step 0 the markers sit at the starts, not at the ends (only the thin path passes there).
    assert max(_markers_at(frames[0], basins, finals, tolerance=10)) < 0.5
    assert min(_markers_at(frames[0], basins, starts, tolerance=10)) > 0.8


def test_mp4_decodes_with_its_frames_size_and_final_markers(basins, tmp_path):
    target = tmp_path / "map.mp4"
    video.write_video(basins.result, basins.surface, target, format="mp4", fps=15, duration=2, **_options(basins))
    reader = imageio.get_reader(target, format="FFMPEG")
    try:
        assert reader.get_meta_data()["fps"] == 15
        frames = [frame for frame in reader]
    finally:
        reader.close()
    assert len(frames) == 30
    assert frames[-1].shape == (720, 1280, 3)
    finals = [run.final_point for run in basins.result.runs]
    # H.264 with 4:2:0 chroma shifts colours a little: a wider tolerance than the GIF's.
    assert min(_markers_at(frames[-1], basins, finals, tolerance=60)) > 0.7
    assert max(_markers_at(frames[0], basins, finals, tolerance=60)) < 0.5


def test_four_runs_500_steps_at_720p_for_10_s_fit_in_8_mb(basins):
    mp4 = video.video_bytes(basins.result, basins.surface, format="mp4", fps=30, duration=10, **_options(basins))
    assert 10_000 < len(mp4) <= 8 * 2**20


def test_1080p_frames(basins):
    frames = list(video.map_frames(basins.result, basins.surface, width=1920, height=1080, frames=3, **_options(basins)))
    assert len(frames) == 3
    assert frames[-1].size == (1920, 1080)
    last = np.asarray(frames[-1].convert("RGB"))
    finals = [run.final_point for run in basins.result.runs]
    assert min(_markers_at(last, basins, finals, tolerance=10)) > 0.8


def test_a_diverged_run_is_drawn_at_the_edge_and_named_in_the_legend(race):
    # race's last run diverges (coordinates beyond 1e6 are cut off; the last kept ones are far
    # outside the map): the frames still draw, and the run's cross sits on the map's edge.
    frames = list(video.map_frames(race.result, race.surface, frames=2, minima=race.spec.minima, log_scale=True))
    last = np.asarray(frames[-1].convert("RGB"))
    run = race.result.runs[3]
    assert run.status == "diverged"
    geo = video.geometry(race.surface)
    x0, x1, y0, y1 = geo.domain
    column, row = geo.to_pixel(np.clip(run.path[-1][0], x0, x1), np.clip(run.path[-1][1], y0, y1))
    assert _share_near(last, float(column), float(row), viz.palette(4)[3], radius=6, tolerance=10) > 0.1
    # Its path heads for 1e6 but is cut at the map's edge: none of its colour left of or under
    # the map, where the axes' labels are.
    left, top, right, bottom = geo.box
    margins = np.concatenate([last[:, : left - 12].reshape(-1, 3), last[bottom + 12 :, :right].reshape(-1, 3)])
    assert not np.any(np.linalg.norm(margins.astype(float) - _rgb(viz.palette(4)[3]), axis=1) < 30)


def test_clip_polyline_cuts_segments_at_the_box():
    box = (0, 0, 10, 10)
    inside = np.array([[1.0, 1.0], [5.0, 5.0]])
    assert [p.tolist() for p in video.clip_polyline(inside, box)] == [inside.tolist()]
    out_and_back = np.array([[5.0, 5.0], [5.0, 25.0], [8.0, 5.0], [9.0, 5.0]])
    pieces = video.clip_polyline(out_and_back, box)
    assert [p.tolist() for p in pieces] == [[[5.0, 5.0], [5.0, 10.0]], [[7.25, 10.0], [8.0, 5.0], [9.0, 5.0]]]
    assert video.clip_polyline(np.array([[20.0, 20.0], [30.0, 30.0]]), box) == []


@pytest.mark.parametrize(("options", "message"), [
    ({"format": "webm"}, "format must be one of gif, mp4"),
    ({"fps": 0}, "fps must be in"),
    ({"duration": 600}, "duration must be in"),
    ({"width": 1000, "height": 700}, "size must be one of 1280x720, 1920x1080"),
])  # fmt: skip
def test_bad_options_are_refused_with_a_message(basins, options, message):
    with pytest.raises(ValueError, match=message):
        video.video_bytes(basins.result, basins.surface, **options)


def test_frame_steps_cover_the_run_and_hold_the_end():
    steps = video.frame_steps([501, 300], 100)
    assert steps[0] == 0 and steps[-1] == 500
    assert np.all(np.diff(steps) >= 0)
    assert np.sum(steps == 500) == 11


def test_without_system_fonts_pillows_own_font_draws_and_greek_is_spelled_out(basins, monkeypatch):
    # The Docker image and Community Cloud have no fonts: Pillow's bundled one has no Greek.
    monkeypatch.setattr(video, "FONT_FILES", ())
    assert video._text("Momentum lr=0.01 μ=0.9") == "Momentum lr=0.01 mu=0.9"
    frames = list(video.map_frames(basins.result, basins.surface, frames=2, **_options(basins)))
    last = np.asarray(frames[-1].convert("RGB"))
    finals = [run.final_point for run in basins.result.runs]
    assert min(_markers_at(last, basins, finals, tolerance=10)) > 0.8


@pytest.mark.parametrize("colours", [4, 256])
def test_gif_frames_stored_as_transparent_deltas_decode_to_the_frames_written(colours):
    # Frames that change in part: with a spare palette index (4 colours used) the unchanged
    # pixels of each changed rectangle are stored transparent; where a changed rectangle uses all
    # 256 indices (every frame a new shuffle of them all) it is stored as it is.
    rng = np.random.default_rng(0)
    palette_bytes = list(rng.integers(0, 256, 768).astype(int))
    frames, current = [], rng.integers(0, colours, (40, 50)).astype(np.uint8)
    for k in range(6):
        current = current.copy()
        if k != 3 and colours == 256:
            current = rng.permutation(np.arange(2000) % 256).reshape(40, 50).astype(np.uint8)
        elif k != 3:  # frame 3 repeats frame 2: stored once, shown twice as long
            rows, cols = rng.integers(0, 30, 2)
            current[rows : rows + 10, cols : cols + 15] = rng.integers(0, colours, (10, 15))
        image = Image.fromarray(current, "P")
        image.putpalette(palette_bytes)
        frames.append(image)
    out = io.BytesIO()
    video._write_gif(iter(frames), out, fps=10)
    decoded, durations = _gif_frames(out.getvalue())
    expected = [np.asarray(f.convert("RGB")) for i, f in enumerate(frames) if i != 3]
    assert len(decoded) == 5 and durations == [100, 100, 200, 100, 100]
    assert all(np.array_equal(d, e) for d, e in zip(decoded, expected))
    assert (b"\x21\xf9\x04\x05" in out.getvalue()) == (colours < 256)  # a control block with transparency
