"""viz curves: loss (log, or the gap to f*), gradient norm, learning rate of scheduled runs."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

import viz
from tests.viz.plain import BOWL_MINIMA, plain_race, plain_result, plain_run, spiral
from viz.curves import NO_SCHEDULE_NOTE, gap_to_minimum

STYBLINSKI_MINIMUM = [SimpleNamespace(point=(-2.903534, -2.903534), value=-78.3323314, glob=True)]


def run_lines(fig):
    """The per-run curves (not the divergence crosses), by label."""
    return {t.meta: t for t in fig.data if t.mode == "lines"}


def test_loss_on_a_log_axis_when_f_star_is_zero():
    race = plain_race()
    fig = viz.loss_figure(race, minima=BOWL_MINIMA)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.title.text == "loss"
    assert fig.layout.xaxis.title.text == "step"
    lines = run_lines(fig)
    assert list(lines) == ["Spiral", "Slow spiral", "Blows up"]
    for run in race.runs:
        line = lines[run.label]
        assert np.array_equal(line.x, np.arange(len(run.loss)))
        expected = np.where(run.loss > 0, run.loss, np.nan).astype(np.float32)  # the exact 0 at the end is left out
        assert np.array_equal(line.y, expected, equal_nan=True)


def test_negative_minimum_plots_the_gap_and_says_so():
    loss = np.float32(-78.3323314) + np.float32([50.0, 3.0, 0.1, 1e-3, 0.0])
    race = plain_result([plain_run("to the bottom", np.zeros((5, 2)), loss=loss)])
    fig = viz.loss_figure(race, minima=STYBLINSKI_MINIMUM)
    axis = fig.layout.yaxis
    assert axis.type == "log"
    assert "loss − f*" in axis.title.text and "-78.33" in axis.title.text
    y = run_lines(fig)["to the bottom"].y
    assert np.all(y > 0)  # every point can be drawn on the log axis
    assert y[:4] == pytest.approx(loss[:4].astype(np.float64) + 78.3323314, rel=1e-3)
    assert y[4] == pytest.approx(np.spacing(np.float32(78.3323314)))  # float32 resolution, not 0 or below


def test_gap_of_an_engine_run_on_styblinski_tang():
    import descent
    import landscapes

    spec = landscapes.get("styblinski_tang")
    result = descent.run({"landscape": "styblinski_tang", "start": [-1.0, -1.5], "steps": 400,
                          "runs": [{"optimizer": "adam", "hparams": {"learning_rate": 0.05}}]})
    run = result.runs[0]
    assert run.final_loss < 0  # plotted as is, a log axis could not show it
    fig = viz.loss_figure(result, minima=spec.minima)
    y = run_lines(fig)[run.label].y
    assert np.all(np.isfinite(y)) and np.all(y > 0)
    np.testing.assert_allclose(y[:50], gap_to_minimum(run.loss[:50], -78.3323314).astype(np.float32))


def test_no_known_minimum_means_linear_loss():
    race = plain_race()
    fig = viz.loss_figure(race, minima=())
    assert fig.layout.yaxis.type == "linear" and fig.layout.yaxis.title.text == "loss"
    assert np.array_equal(run_lines(fig)["Spiral"].y, race.runs[0].loss)


def test_diverged_run_ends_with_a_cross_and_does_not_squash_the_others():
    race = plain_race()
    fig = viz.loss_figure(race, minima=BOWL_MINIMA)
    (cross,) = [t for t in fig.data if t.mode == "markers"]
    blowup = race.runs[2]
    assert list(cross.x) == [len(blowup.loss) - 1]
    assert "diverged at step 7" in cross.hovertemplate
    # The view stops two decades above the converging runs; the diverged curve leaves it.
    top = max(float(np.nanmax(r.loss)) for r in race.runs[:2])
    low, high = fig.layout.yaxis.range
    assert np.log10(top * 100) <= high <= np.log10(top * 100) + 0.05 * (high - low)  # a small margin
    assert high < np.log10(float(blowup.loss.max()))
    assert cross.y[0] <= top * 100 * 1.001  # pinned to the top of the view


def test_gradient_norm_on_a_log_axis():
    race = plain_race()
    fig = viz.grad_norm_figure(race)
    assert fig.layout.yaxis.type == "log"
    line = run_lines(fig)["Slow spiral"]
    expected = np.where(race.runs[1].grad_norm > 0, race.runs[1].grad_norm, np.nan)
    assert np.array_equal(line.y, expected.astype(np.float32), equal_nan=True)


def test_learning_rate_only_for_scheduled_runs():
    race = plain_race()  # only "Slow spiral" has a schedule (cosine)
    fig = viz.learning_rate_figure(race)
    lines = run_lines(fig)
    assert list(lines) == ["Slow spiral"]
    assert np.array_equal(lines["Slow spiral"].x, np.arange(len(race.runs[1].learning_rate)))
    assert np.array_equal(lines["Slow spiral"].y, race.runs[1].learning_rate)


def test_learning_rate_without_any_schedule_says_so():
    race = plain_result([plain_run("plain", spiral(50))])
    fig = viz.learning_rate_figure(race)
    assert not fig.data
    assert [a.text for a in fig.layout.annotations] == [NO_SCHEDULE_NOTE]


def test_colours_and_visibility_are_shared():
    race = plain_race()
    colours = ["#aa0000", "#00aa00", "#0000aa"]
    fig = viz.grad_norm_figure(race, colours=colours, visible=[True, False, True])
    lines = run_lines(fig)
    assert list(lines) == ["Spiral", "Blows up"]
    assert lines["Spiral"].line.color == "#aa0000" and lines["Blows up"].line.color == "#0000aa"
    assert "color:#0000aa" in lines["Blows up"].name


def test_curves_figure_stacks_three_panels_with_one_legend(race):
    fig = viz.curves_figure(race.result, minima=race.spec.minima)
    assert (fig.layout.yaxis.type, fig.layout.yaxis2.type, fig.layout.yaxis3.type) == ("log", "log", "linear")
    assert fig.layout.yaxis3.title.text == "learning rate"
    in_legend = [t for t in fig.data if t.showlegend is not False]
    assert [t.meta for t in in_legend] == [run.label for run in race.result.runs]
    # Learning-rate panel: only the run with the cosine schedule.
    lr_lines = [t for t in fig.data if t.yaxis == "y3"]
    assert [t.meta for t in lr_lines] == [race.result.runs[1].label]
    assert lr_lines[0].y[0] == pytest.approx(0.001) and lr_lines[0].y[-1] < 1e-5  # cosine decays to 0
    # Every run's gradient-norm curve is there, each with the run's number of points.
    grad_lines = {t.meta: t for t in fig.data if t.yaxis == "y2" and t.mode == "lines"}
    assert {label: len(t.x) for label, t in grad_lines.items()} == {r.label: len(r.path) for r in race.result.runs}


def test_lecture_curves_are_thicker():
    race = plain_race()
    assert (run_lines(viz.loss_figure(race, lecture=True))["Spiral"].line.width
            >= 1.5 * run_lines(viz.loss_figure(race))["Spiral"].line.width)
