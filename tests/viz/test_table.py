"""viz.results_table on a real descent.run."""

from __future__ import annotations

import math

import viz


def test_one_row_per_run_with_plain_values(race):
    rows = viz.results_table(race.result, race.spec.minima)
    runs = race.result.runs
    assert len(rows) == len(runs) == 4
    for row, run in zip(rows, runs):
        assert tuple(row) == viz.TABLE_COLUMNS
        assert (row["run"], row["optimizer"], row["flavour"]) == (run.label, run.optimizer, run.flavour)
        assert row["final x"] == float(run.path[-1][0]) and row["final y"] == float(run.path[-1][1])
        assert row["final loss"] == float(run.loss[-1])
        assert row["distance to nearest minimum"] == math.hypot(row["final x"] - 1.0, row["final y"] - 1.0)
        assert row["steps to converge"] == run.converged_at
        for value in row.values():
            assert value is None or type(value) in (str, int, float)  # no numpy scalars for st.dataframe


def test_status_text(race):
    rows = viz.results_table(race.result, race.spec.minima)
    statuses = [row["status"] for row in rows]
    diverged = race.result.runs[3]
    assert diverged.status == "diverged" and diverged.diverged_at is not None
    assert statuses == ["ok", "ok", "ok", f"diverged at step {diverged.diverged_at}"]
    assert rows[3]["steps to converge"] is None


def test_converged_runs_report_their_step(race):
    rows = viz.results_table(race.result, race.spec.minima)
    converged = [(row, run) for row, run in zip(rows, race.result.runs) if run.converged_at is not None]
    assert converged, "the race should have a run that reaches the minimum"
    for row, run in converged:
        assert isinstance(row["steps to converge"], int) and row["steps to converge"] == run.converged_at
        assert row["distance to nearest minimum"] < 0.01


def test_nearest_of_several_minima_and_none_without_minima(race):
    minima = [{"point": [1.0, 1.0], "value": 0.0, "global": True}, {"point": [-1.5, 2.0], "value": 12.5, "global": False}]
    rows = viz.results_table(race.result, minima)
    for row in rows:
        expected = min(math.hypot(row["final x"] - 1.0, row["final y"] - 1.0),
                       math.hypot(row["final x"] + 1.5, row["final y"] - 2.0))
        assert row["distance to nearest minimum"] == expected
    assert all(row["distance to nearest minimum"] is None for row in viz.results_table(race.result, ()))
