"""viz.maps: compact heatmaps and images of maps, categories named, choices marked."""

from __future__ import annotations

import base64
import json
import zlib
from types import SimpleNamespace

import numpy as np
import plotly.graph_objects as go
import pytest

import viz
from viz import maps as vmaps


def decode(typed: dict) -> np.ndarray:
    array = np.frombuffer(base64.b64decode(typed["bdata"]), {"f4": "<f4", "u1": "u1"}[typed["dtype"]])
    return array.reshape([int(s) for s in typed["shape"].split(",")]) if "shape" in typed else array


def png_pixels(source: str) -> np.ndarray:
    """The RGB pixels of the unfiltered 8-bit PNG viz.raster writes."""
    data = base64.b64decode(source.split(",", 1)[1])
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    idat, pos = b"", 8
    while pos < len(data):
        length = int.from_bytes(data[pos : pos + 4], "big")
        if data[pos + 4 : pos + 8] == b"IDAT":
            idat += data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    rows = np.frombuffer(zlib.decompress(idat), np.uint8).reshape(height, 1 + width * 3)
    return rows[:, 1:].reshape(height, width, 3)


def hyper_record(n=200, m=200) -> SimpleNamespace:
    rng = np.random.default_rng(0)
    steps = rng.integers(-1, 1000, (m, n))
    diverged = rng.random((m, n)) < 0.2
    loss = np.where(diverged, np.nan, 10.0 ** rng.uniform(-9, 2, (m, n)))
    steps = np.where(diverged, -1, steps)
    return SimpleNamespace(
        x=SimpleNamespace(name="learning_rate", log=True), y=SimpleNamespace(name="momentum", log=False),
        xs=np.geomspace(1e-3, 1, n), ys=np.linspace(0, 0.99, m), final_loss=loss, steps_to_converge=steps,
        diverged=diverged, current=(0.01, 0.5), floor=0.0)  # fmt: skip


@pytest.mark.parametrize("colour", ["loss", "steps"])
def test_a_200_by_200_map_is_an_image_under_a_light_hover_layer(colour):
    from ui.live_chart import figure_json

    record = hyper_record()
    spec = viz.hyperparameter_map_spec(record, colour=colour)
    go.Figure(spec)  # plotly accepts it
    payload = len(figure_json(spec).encode())
    assert payload <= 4 * 200 * 200, payload  # random cells: a real map's PNG is smaller
    assert png_pixels(spec["layout"]["images"][0]["source"]).shape == (200, 200, 3)
    # plotly.js draws no grid of the map's size: the hover layer holds at most 64 × 64 cells,
    # and no trace carries a point per cell.
    for trace in spec["data"]:
        if trace["type"] == "heatmap":
            assert decode(trace["z"]).size <= vmaps.HOVER_CELLS**2
        else:
            assert len(trace["x"]) <= 1


def test_the_hover_layer_labels_real_cells_with_their_values():
    record = hyper_record(90, 60)
    spec = viz.hyperparameter_map_spec(record, colour="steps")
    layer = next(t for t in spec["data"] if t["type"] == "heatmap")
    values, status = vmaps.hyperparameter_values(record, "steps")
    for r, y in enumerate(layer["y"]):
        for c, x in enumerate(layer["x"]):
            i, j = int(np.argmin(np.abs(record.ys - y))), int(np.argmin(np.abs(record.xs - x)))
            assert (np.float32(record.xs[j]), np.float32(record.ys[i])) == (x, y)
            expected = "diverged" if status[i, j] == vmaps.DIVERGED else ("not converged" if np.isnan(values[i, j]) else f"{values[i, j]:.0f}")
            assert layer["text"][r][c] == expected


def test_categories_are_named_and_cover_exactly_their_cells():
    record = hyper_record(30, 20)
    spec = viz.hyperparameter_map_spec(record, colour="steps")
    pixels = png_pixels(spec["layout"]["images"][0]["source"])[::-1].astype(float)  # row 0: the lowest y
    assert pixels.shape == (20, 30, 3)
    dark, grey = np.array([0x3B] * 3), np.array([0xB8] * 3)
    diverged, not_converged = record.diverged, ~record.diverged & (record.steps_to_converge < 0)
    assert np.array_equal(np.all(pixels == dark, axis=-1), diverged)
    assert np.array_equal(np.all(pixels == grey, axis=-1), not_converged)
    # Converged cells: the colour bar's colour of their steps (fewer steps brighter).
    converged = ~diverged & ~not_converged
    steps = record.steps_to_converge[converged].astype(float)
    bar = next(t for t in spec["data"] if t.get("marker", {}).get("showscale"))["marker"]
    assert (bar["cmin"], bar["cmax"], bar["reversescale"]) == (steps.min(), steps.max(), True)
    expected = vmaps.value_rgb(1 - (steps - steps.min()) / (steps.max() - steps.min()))
    assert np.abs(pixels[converged] - expected).max() <= 0.5
    names = [t.get("name", "") for t in spec["data"]]
    assert f"diverged ({int(diverged.sum())})" in names
    assert f"not converged ({int(not_converged.sum())})" in names
    marker = next(t for t in spec["data"] if t.get("name") == "current values")
    assert (marker["x"], marker["y"]) == ([0.01], [0.5])
    assert spec["layout"]["xaxis"]["type"] == "log" and spec["layout"]["yaxis"]["type"] == "linear"


def test_the_image_spans_the_cells_in_axis_units():
    record = hyper_record(30, 20)
    layout = viz.hyperparameter_map_spec(record)["layout"]
    image = layout["images"][0]
    step_x = np.log10(record.xs[1] / record.xs[0])  # a log axis: log10 units
    step_y = record.ys[1] - record.ys[0]
    assert image["x"] == pytest.approx(-3 - step_x / 2) and image["sizex"] == pytest.approx(3 + step_x)
    assert image["y"] == pytest.approx(0.99 + step_y / 2) and image["sizey"] == pytest.approx(0.99 + step_y)
    assert layout["xaxis"]["range"] == pytest.approx([image["x"], image["x"] + image["sizex"]])
    assert layout["yaxis"]["range"] == pytest.approx([image["y"] - image["sizey"], image["y"]])


def test_loss_colour_is_the_log_gap_to_the_lowest_minimum():
    record = hyper_record(30, 20)
    record.floor = -1.0
    record.steps_to_converge = np.where(record.final_loss > 1, -1, record.steps_to_converge)  # NaN (diverged): False
    z, status = vmaps.hyperparameter_values(record, "loss")
    ok = ~record.diverged
    assert np.allclose(z[ok], np.log10(record.final_loss[ok] + 1.0), atol=1e-9)
    assert np.isnan(z[record.diverged]).all()
    spec = viz.hyperparameter_map_spec(record, colour="loss")
    bar = next(t for t in spec["data"] if t.get("marker", {}).get("showscale"))
    assert "gap" in bar["name"] and (bar["marker"]["cmin"], bar["marker"]["cmax"]) == (z[ok].min(), z[ok].max())
    # A never-converged cell keeps its loss's colour under a grey veil.
    pixels = png_pixels(spec["layout"]["images"][0]["source"])[::-1].astype(float)
    veiled = ok & (record.steps_to_converge < 0)
    assert veiled.sum() > 10
    colour = vmaps.value_rgb((z[veiled] - z[ok].min()) / (z[ok].max() - z[ok].min()))
    assert np.abs(pixels[veiled] - (colour * 0.45 + 150 * 0.55)).max() <= 0.5


def basin_record() -> SimpleNamespace:
    xs, ys = np.linspace(-1, 1, 4), np.linspace(0, 3, 3)
    basin = np.array([[0, 1, -1, 0], [1, 1, 0, -1], [0, 0, 1, 1]])
    steps = np.array([[0, 50, -1, 100], [100, 10, 20, -1], [0, 5, 100, 0]])
    diverged = np.array([[False, False, True, False], [False] * 4, [False] * 4])
    return SimpleNamespace(xs=xs, ys=ys, basin=basin, steps_to_converge=steps, diverged=diverged,
                           minima=np.array([[0.5, 0.5], [-0.5, 2.0]]), found=False)  # fmt: skip


def test_basin_pixels_are_the_minimum_colour_faded_by_steps():
    record = basin_record()
    spec = viz.basin_map_spec(record)
    pixels = png_pixels(spec["layout"]["images"][0]["source"])
    assert pixels.shape == (3, 4, 3)
    colours = [np.array([int(c[i : i + 2], 16) for i in (1, 3, 5)]) for c in vmaps.basin_colours(2)]
    white = np.array([255, 255, 255])
    for i in range(3):
        for j in range(4):
            pixel = pixels[2 - i, j].astype(float)  # the image's top row is the highest y
            if record.diverged[i, j]:
                assert tuple(pixel) == (0x3B, 0x3B, 0x3B)
            elif record.basin[i, j] < 0:
                assert tuple(pixel) == (0xB8, 0xB8, 0xB8)
            else:
                fade = vmaps.MAX_FADE * record.steps_to_converge[i, j] / 100
                expected = colours[record.basin[i, j]] * (1 - fade) + white * fade
                assert np.abs(pixel - expected).max() <= 1, (i, j)
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert [s["marker"]["color"] for s in stars] == vmaps.basin_colours(2)
    image = spec["layout"]["images"][0]
    assert image["x"] == pytest.approx(-1 - 1 / 3) and image["sizex"] == pytest.approx(2 + 2 / 3)


def test_basin_map_draws_contours_over_the_image_from_the_surface():
    xs, ys = np.linspace(-1, 1, 20), np.linspace(0, 3, 30)
    z = (xs[None, :] ** 2 + ys[:, None] ** 2).astype(np.float32)
    spec = viz.basin_map_spec(basin_record(), (xs, ys, z), log_scale=False)
    contour = next(t for t in spec["data"] if t["type"] == "contour")
    assert contour["contours"]["coloring"] == "none" and decode(contour["z"]).shape == (30, 20)
    go.Figure(spec)


def test_tuning_curves_mark_the_chosen_rate_and_break_at_divergence():
    rates = np.geomspace(1e-3, 1, 6)
    loss = np.array([[1.0, 0.1, 0.01, np.nan, np.nan, np.nan], [5.0, 4.0, 3.0, 2.0, 1.0, 0.5]])
    tuning = SimpleNamespace(rates=rates, labels=("SGD", "Adam <b>"), final_loss=loss, diverged=np.isnan(loss),
                             best=np.array([2, 5]), floor=0.0, steps_to_converge=np.full((2, 6), -1))  # fmt: skip
    spec = viz.tuning_curves_spec(tuning, colours=["#111111", "#222222"])
    go.Figure(spec)
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    assert [(s["x"][0], s["y"][0]) for s in stars] == [(pytest.approx(rates[2]), pytest.approx(0.01)),
                                                      (pytest.approx(1.0), pytest.approx(0.5))]  # fmt: skip
    sgd = spec["data"][0]
    assert np.isnan(np.asarray(sgd["y"][3:], float)).all()
    crosses = next(t for t in spec["data"] if t["name"].endswith("diverged"))
    assert np.allclose(crosses["x"], rates[3:])
    assert 0 < crosses["y"][0] < 0.01  # below every loss drawn
    assert "&lt;b&gt;" in json.dumps([t["name"] for t in spec["data"]])  # labels are escaped


def test_each_runs_diverged_crosses_have_a_row_of_their_own():
    rates = np.geomspace(1e-3, 1, 4)
    loss = np.array([[1.0, np.nan, np.nan, np.nan], [2.0, 1e-3, np.nan, np.nan], [3.0, 1e-6, 1e-7, np.nan]])
    tuning = SimpleNamespace(rates=rates, labels=("a", "b", "c"), final_loss=loss, diverged=np.isnan(loss),
                             best=np.array([0, 1, 2]), floor=0.0, steps_to_converge=np.full((3, 4), -1))  # fmt: skip
    spec = viz.tuning_curves_spec(tuning)
    rows = [float(t["y"][0]) for t in spec["data"] if t["name"].endswith("diverged")]
    # Three runs diverged at the highest rate: three rows, distinct, all below the lowest loss (and its star).
    assert len(rows) == 3 and len(set(rows)) == 3 and max(rows) < 1e-7


def test_a_click_picks_the_nearest_cell_in_log_units():
    values = np.geomspace(1e-3, 1, 4)  # 1e-3, 1e-2, 1e-1, 1
    assert vmaps.nearest_cell(values, np.log10(0.04), log=True) == 2  # log10: -1.4 is nearer -1 than -2
    assert vmaps.nearest_cell(values, 0.04, log=False) == 1  # 0.04 is nearer 0.01 than 0.1


# -- the basin map's legend and colours -----------------------------------------------------------


def four_basins() -> SimpleNamespace:
    """Himmelblau-like: four minima, each reached from some starts (one at once, in 0 steps)."""
    basin = np.array([[0, 1, 2, 3], [3, 2, 1, 0], [0, -1, 2, 3]])
    steps = np.array([[0, 0, 0, 0], [400, 400, 400, 400], [10, -1, 10, 10]])
    diverged = np.zeros((3, 4), bool)
    return SimpleNamespace(xs=np.linspace(-5, 5, 4), ys=np.linspace(-5, 5, 3), basin=basin, steps_to_converge=steps,
                           diverged=diverged, minima=np.array([[3, 2], [-2.81, 3.13], [-3.78, -3.28], [3.58, -1.85]]),
                           found=False)  # fmt: skip


@pytest.mark.parametrize("lecture", [False, True])
def test_the_basin_legend_is_a_column_right_of_the_map_naming_each_basin_and_outcome(lecture):
    spec = viz.basin_map_spec(four_basins(), lecture=lecture)
    legend = spec["layout"]["legend"]
    # Outside the plot area on the right (plotly widens the margin to hold it), one entry a line:
    # a row above the map ran past the chart's right edge at 1500 px ("not con…").
    assert legend["orientation"] == "v" and legend["x"] >= 1 and legend["xanchor"] == "left"
    assert legend["y"] == 1 and legend["yanchor"] == "top"
    shown = [t for t in spec["data"] if t.get("showlegend", True) and t["type"] == "scatter"]
    names = [t["name"] for t in shown]
    assert names == ["minimum (3, 2): 25%", "minimum (-2.81, 3.13): 17%", "minimum (-3.78, -3.28): 25%",
                     "minimum (3.58, -1.85): 25%", "diverged (0)", "not converged (1)"]  # fmt: skip
    # The top margin no longer holds a legend row: the map gets that height.
    assert spec["layout"]["margin"]["t"] <= 20 + 1
    go.Figure(spec)


def test_each_minimum_star_has_its_basin_pixels_colour():
    record = four_basins()
    spec = viz.basin_map_spec(record)
    pixels = png_pixels(spec["layout"]["images"][0]["source"])[::-1]  # row 0 = the lowest y, as the record
    stars = [t for t in spec["data"] if t.get("marker", {}).get("symbol") == "star"]
    for i, star in enumerate(stars):
        # A start that reached minimum i at once is drawn unfaded: exactly its star's colour.
        (row, col), = [(r, c) for r, c in np.argwhere(record.basin == i) if record.steps_to_converge[r, c] == 0]
        assert "#" + "".join(f"{int(c):02X}" for c in pixels[row, col]) == star["marker"]["color"].upper()
    assert len({s["marker"]["color"] for s in stars}) == 4


def _lab(rgb) -> np.ndarray:
    """sRGB (0–255) to CIELAB (D65), by the standard formulas."""
    c = np.asarray(rgb, np.float64) / 255
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ lin / np.array([0.95047, 1.0, 1.08883])  # fmt: skip
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e2000(lab1, lab2) -> float:
    """CIEDE2000 colour difference (Sharma, Wu & Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = np.hypot(a1, b1), np.hypot(a2, b2)
    h1, h2 = np.degrees(np.arctan2(b1, a1)) % 360, np.degrees(np.arctan2(b2, a2)) % 360
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_h = 2 * np.sqrt(c1 * c2) * np.sin(np.radians(dh / 2))
    l_bar, c_bar = (l1 + l2) / 2, (c1 + c2) / 2
    h_bar = h1 + h2 if c1 * c2 == 0 else ((h1 + h2) / 2 if abs(h1 - h2) <= 180 else (h1 + h2 + 360 * (1 if h1 + h2 < 360 else -1)) / 2)
    t = (1 - 0.17 * np.cos(np.radians(h_bar - 30)) + 0.24 * np.cos(np.radians(2 * h_bar))
         + 0.32 * np.cos(np.radians(3 * h_bar + 6)) - 0.20 * np.cos(np.radians(4 * h_bar - 63)))  # fmt: skip
    r_t = -2 * np.sqrt(c_bar**7 / (c_bar**7 + 25**7)) * np.sin(np.radians(60 * np.exp(-(((h_bar - 275) / 25) ** 2))))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / np.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar, 1 + 0.015 * c_bar * t
    return float(np.sqrt(((l2 - l1) / s_l) ** 2 + ((c2 - c1) / s_c) ** 2 + (d_h / s_h) ** 2 + r_t * (c2 - c1) / s_c * d_h / s_h))


def test_delta_e2000_matches_sharmas_published_pairs():
    # Sharma, Wu & Dalal (2005), table 1: pairs 1, 7 and 17 of their test data.
    for lab1, lab2, expected in [((50, 2.6772, -79.7751), (50, 0, -82.7485), 2.0425),
                                 ((50, 0, 0), (50, -1, 2), 2.3669), ((50, 2.5, 0), (73, 25, -18), 27.1492)]:  # fmt: skip
        assert delta_e2000(np.array(lab1, float), np.array(lab2, float)) == pytest.approx(expected, abs=1e-4)


def _faded(colour: str, fade: float) -> np.ndarray:
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], np.float64)
    return _lab(np.rint(rgb * (1 - fade) + 255 * fade))


def test_minimum_colours_stay_apart_at_every_shade():
    fades = (0.0, vmaps.MAX_FADE / 2, vmaps.MAX_FADE)
    four = vmaps.basin_colours(4)
    # The first four (Himmelblau's basins): apart however faded each is (a slow basin beside a
    # fast one). Sky blue beside a faded blue, as before, was ΔE 3.9.
    for a in range(4):
        for b in range(a + 1, 4):
            worst = min(delta_e2000(_faded(four[a], fa), _faded(four[b], fb)) for fa in fades for fb in fades)
            assert worst >= 15, (four[a], four[b], worst)
    # Every minimum colour, unfaded, against every other, and each, faded or not, against the
    # neutrals of not converged and diverged.
    every = vmaps.basin_colours(len(vmaps.BASIN_COLOURS))
    assert len(set(every)) == len(every)
    for a in range(len(every)):
        for b in range(a + 1, len(every)):
            assert delta_e2000(_faded(every[a], 0), _faded(every[b], 0)) >= 20, (every[a], every[b])
        for neutral in (vmaps.NOT_CONVERGED_COLOUR, vmaps.DIVERGED_COLOUR):
            assert min(delta_e2000(_faded(every[a], f), _faded(neutral, 0)) for f in fades) >= 12, (every[a], neutral)


def test_log_axes_of_a_hyperparameter_map_read_in_powers_of_ten():
    layout = viz.hyperparameter_map_spec(hyper_record(8, 6))["layout"]
    # plotly's default wrote the learning rate 1e-4 as "100µ".
    assert layout["xaxis"]["type"] == "log" and layout["xaxis"]["exponentformat"] == "power"
