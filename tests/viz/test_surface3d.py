"""viz.surface_3d: the surface in the map's colour transform, runs lying on it."""

from __future__ import annotations

import numpy as np

import viz
from tests.viz.plain import BOWL_MINIMA, bowl_surface, plain_race
from viz.colour import landscape_scale
from viz.surface3d import LIFT


def test_surface_uses_the_same_transform_as_the_map():
    xs, ys, z = bowl_surface()
    fig = viz.surface_3d(plain_race(), (xs, ys, z), minima=BOWL_MINIMA, log_scale=True)
    surface = fig.data[0]
    assert surface.type == "surface"
    scale = landscape_scale(z, log_scale=True, minimum_value=0.0)
    np.testing.assert_allclose(surface.z, scale.transform(z), rtol=1e-6)
    assert (surface.cmin, surface.cmax) == (scale.low, scale.high)
    map_bar = next(t for t in viz.trajectory_map(plain_race(), (xs, ys, z), minima=BOWL_MINIMA, log_scale=True).data
                   if t.name == "colour scale").marker.colorbar
    assert list(surface.colorbar.tickvals) == list(map_bar.tickvals)
    assert list(surface.colorbar.ticktext) == list(map_bar.ticktext)
    assert np.array_equal(surface.customdata, z.T)  # the hover shows f (plotly.js reads it transposed)


def test_runs_lie_on_the_surface_slightly_lifted():
    xs, ys, z = bowl_surface()
    race = plain_race()
    fig = viz.surface_3d(race, (xs, ys, z), log_scale=False)
    scale = landscape_scale(z, log_scale=False)
    lines = {t.meta: t for t in fig.data if t.type == "scatter3d" and t.mode == "lines"}
    assert list(lines) == ["Spiral", "Slow spiral", "Blows up"]
    lift = LIFT * (scale.high - scale.low)
    spiral = race.runs[0]
    on_loss = np.minimum(spiral.loss, scale.high) + lift
    # On the loss, or a hair above it where the coarse mesh passes above the true values.
    assert np.all(lines["Spiral"].z >= on_loss - 1e-5)
    np.testing.assert_allclose(lines["Spiral"].z, on_loss, atol=2.5e-3)  # bilinear error, h²/4 per axis
    # Points off the domain are not drawn (NaN), rather than through the walls of the box.
    blowup = lines["Blows up"]
    assert np.isfinite(blowup.z[0]) and np.all(np.isnan(blowup.z[2:]))


def test_minima_starts_and_divergence_are_marked():
    fig = viz.surface_3d(plain_race(), bowl_surface(), minima=BOWL_MINIMA)
    names = [t.name for t in fig.data[1:] if t.mode == "markers"]
    assert names[:3] == ["start", "global minimum", "local minimum"]
    assert "diverged at step 7" in names
    glob, local = (next(t for t in fig.data if t.name == n) for n in ("global minimum", "local minimum"))
    assert glob.marker.symbol != local.marker.symbol


def test_visible_and_lecture():
    fig = viz.surface_3d(plain_race(), bowl_surface(), visible=[False, True, False], lecture=True)
    lines = [t for t in fig.data if t.type == "scatter3d" and t.mode == "lines"]
    assert [t.meta for t in lines] == ["Slow spiral"] and lines[0].line.color == viz.palette(3)[1]
    assert fig.layout.font.size >= 20


def test_the_surface_shows_the_maps_colour_bands_without_contour_lines():
    """Each level band of the surface has the colour the map's image gives that band."""
    from viz import raster
    from viz._types import as_surface

    xs = ys = np.linspace(0.0, 1.0, 50)
    z = np.tile(xs, (len(ys), 1))  # f = x: the levels run along x
    fig = viz.surface_3d(plain_race(), (xs, ys, z))
    surface = fig.data[0]
    assert not surface.contours.z.show
    stops = [(float(p), c) for p, c in surface.colorscale]
    assert len(stops) == 2 * raster.BANDS
    scale = landscape_scale(z, log_scale=False)
    width = 20 * raster.BANDS
    image = raster.landscape_pixels(as_surface((xs, ys, z)), scale, width, 4)[1]  # one row of pixels
    seen = 0
    for j, pixel in enumerate(image):
        value = (j + 0.5) / width  # f at the pixel's centre
        band = min(int((value - scale.low) / (scale.high - scale.low) * raster.BANDS), raster.BANDS - 1)
        (start, colour), (end, same) = stops[2 * band], stops[2 * band + 1]
        assert colour == same and (start, end) == (band / raster.BANDS, (band + 1) / raster.BANDS)
        if j % 20 in (8, 9, 10, 11):  # well inside the band: no iso-line there
            assert colour == "#{:02x}{:02x}{:02x}".format(*pixel), (j, colour, pixel)
            seen += 1
    assert seen == 4 * raster.BANDS
