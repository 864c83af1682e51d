"""The Network page in AppTest: it renders from its URL, edits go back to the URL, views draw."""

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import descent
from descent.network_scenario import MAX_NETWORK_RUNS
from tests.ui.apptest import query as sent_query
from ui import live_chart, network_lessons, network_page

SCRIPT = "from ui import network_page\nnetwork_page.main()"
QUERY = {"dataset": "circles", "size": "200", "epochs": "40", "hidden": "8",
         "r0.optimizer": "adam", "r0.learning_rate": "0.02",
         "r1.optimizer": "sgd", "r1.learning_rate": "0.2", "r1.momentum": "0.9"}  # fmt: skip


def page(query: dict) -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=200)
    for key, value in query.items():
        at.query_params[key] = value
    return at.run()


def test_page_renders_the_link_and_keeps_its_state_in_the_url():
    at = page({**QUERY, "view": "Boundary", "run": "1"})
    assert not at.exception and not at.error
    assert at.sidebar.selectbox(key="net.dataset").value == "circles"
    # the run editors are the 2D page's (ui.run_editor): the first open, the others built when opened
    assert at.sidebar.number_input(key="net.r0.adam:keras:learning_rate:exact").value == 0.02
    assert "net.r1.sgd:keras:learning_rate:exact" not in [w.key for w in at.sidebar.number_input]
    at.session_state["net.r1.editor"] = True
    at.run()
    assert at.sidebar.number_input(key="net.r1.sgd:keras:learning_rate:exact").value == 0.2
    assert at.selectbox(key="net.run").value == 1
    charts = at.get("plotly_chart")
    assert len(charts) == 1  # the animated boundary
    at.sidebar.number_input(key="net.r0.adam:keras:learning_rate:exact").set_value(0.05).run()
    query = sent_query(at)
    assert query["r0.learning_rate"] == "0.05" and query["r1.momentum"] == "0.9"  # the other run untouched
    # an edit of a rate redraws the views and that rate's slider and box alone: no editor, no title
    assert not [e for e in at.sidebar.expander if e.label.startswith("Run")]
    assert [w.value for w in at.sidebar.number_input] == [0.05]  # the box, drawn anew (a new key) with the edited value
    assert at.sidebar.number_input[0].key == "net.r0.adam:keras:learning_rate~1:exact"
    # an editor's title names its optimizer, not its rate: the rate's edit keeps the same expander
    at.run()
    assert [e.label for e in at.sidebar.expander if e.label.startswith("Run")] == ["Run 1: Adam (Keras)", "Run 2: SGD (Keras)"]
    assert query["view"] == "Boundary" and query["run"] == "1"
    scene = descent.NetworkScenario.from_query(query)
    assert scene.runs[0].hparams["learning_rate"] == 0.05 and scene.model.hidden == (8,)


def test_curves_table_and_landscape_views():
    at = page(QUERY)
    table = at.table[0].value
    result = network_page.train(descent.NetworkScenario.from_query(QUERY))
    assert list(table["run"]) == [r.label for r in result.runs] and list(table["status"]) == ["ok", "ok"]
    assert float(table["train loss"][0]) == pytest.approx(result.runs[0].train_loss[-1], rel=5e-4)  # 4 digits
    assert table["validation accuracy"][1] == f"{100 * result.runs[1].val_accuracy[-1]:.1f}%"
    # the curves go through the 2D page's chart, from figures every session shares
    loss, accuracy = live_chart.sent_figures(at.get("bidi_component"))
    first = loss["data"][0]
    assert first["name"] == f"{result.runs[0].label} (training)"
    np.testing.assert_allclose(first["y"], result.runs[0].train_loss, rtol=1e-6)
    assert accuracy["layout"]["yaxis"]["range"] == [0, 1.02]
    scene = descent.NetworkScenario.from_query(QUERY)
    assert network_page.train(scene) is result and network_page.curves_json(scene, "loss") is network_page.curves_json(scene, "loss")
    at.radio(key="net.view").set_value("Landscape").run()
    assert not at.exception
    caption = " ".join(c.value for c in at.caption)
    cut = network_page.loss_slice(descent.NetworkScenario.from_query(QUERY), 0, "pca")
    assert f"{100 * cut.explained[0]:.1f}%" in caption
    at.radio(key="net.slice").set_value("random").run()
    at.radio(key="net.plot").set_value("3D").run()
    assert not at.exception and sent_query(at)["slice"] == "random" and sent_query(at)["plot"] == "3D"


def test_a_bad_link_warns_once_and_shows_the_default_scene():
    at = page({**QUERY, "hidden": "8,64"})
    assert not at.exception
    assert any("hidden" in w.value and "[2, 32]" in w.value for w in at.warning)
    assert sent_query(at)["dataset"] == "moons"


def test_a_lesson_opens_from_its_link_offers_its_variant_and_closes():
    at = page({"lesson": "batch_noise"})
    assert not at.exception and not at.warning
    lesson = network_lessons.BY_ID["batch_noise"]
    assert any(lesson.text[:60] in m.value for m in at.markdown)
    assert at.sidebar.select_slider(key="net.batch").value == 8
    query = sent_query(at)
    assert query["lesson"] == "batch_noise" and query["batch"] == "8"
    at.button(key="net.lesson.variant").click().run()
    query = sent_query(at)
    assert query["lesson"] == "batch_noise" and query["batch"] == "5000"
    assert float(at.table[0].value["train loss"][0]) > 0.3  # the full batch's slower training (the lesson's 0.35)
    at.button(key="net.lesson.close").click().run()
    assert "lesson" not in sent_query(at) and not any(lesson.text[:60] in m.value for m in at.markdown)


def test_a_lesson_opens_from_the_sidebar_and_a_bad_lesson_link_warns():
    at = page(QUERY)
    at.sidebar.button(key="net.lesson:too_high").click().run()
    assert not at.exception
    query = sent_query(at)
    assert query["lesson"] == "too_high" and query["r2.learning_rate"] == "3.0"
    assert descent.NetworkScenario.from_query(query) == network_lessons.BY_ID["too_high"].build()
    at = page({"lesson": "nope"})
    assert not at.exception and any("lesson" in w.value and "batch_noise" in w.value for w in at.warning)


def test_the_shared_run_editor_sets_flavour_schedule_and_a_third_run():
    at = page(QUERY)
    at.sidebar.button_group(key="net.r0.flavour").set_value("pytorch").run()
    assert not at.exception
    at.sidebar.selectbox(key="net.r0.schedule").set_value("cosine").run()
    query = sent_query(at)
    assert query["r0.flavour"] == "pytorch" and query["r0.schedule"] == "cosine"
    # a cosine decay over the whole training: 40 epochs of ⌈160 / 32⌉ = 5 batches
    assert query["r0.schedule.decay_steps"] == "200" and query["r0.learning_rate"] == "0.02"
    at.run()  # the whole page (AppTest keeps only what the last edit's partial rerun drew)
    at.sidebar.number_input(key="net.runs").set_value(3).run()
    query = sent_query(at)
    assert query["r2.optimizer"] == "adam" and query["r2.learning_rate"] == "0.01"
    at.sidebar.number_input(key="net.runs").set_value(1).run()
    assert "r1.optimizer" not in sent_query(at) and not at.exception


def test_a_setting_redraws_the_views_alone():
    at = page(QUERY)
    at.sidebar.slider(key="net.epochs").set_value(41).run()
    query = sent_query(at)
    assert query["epochs"] == "41" and not at.exception
    # the views were drawn from the new training; the sidebar was not drawn again (a partial rerun)
    result = network_page.train(descent.NetworkScenario.from_query(query))
    assert len(result.runs[0].train_loss) == 42
    assert float(at.table[0].value["train loss"][0]) == pytest.approx(result.runs[0].train_loss[-1], rel=5e-4)
    assert "net.dataset" not in [w.key for w in at.sidebar.selectbox]
    at.run()
    assert at.sidebar.selectbox(key="net.dataset").value == "circles" and at.sidebar.slider(key="net.epochs").value == 41


def test_the_status_table_says_where_a_run_diverged_and_leaves_missing_numbers_empty():
    scene = descent.NetworkScenario.from_query({**QUERY, "dataset": "moons", "validation": "0", "epochs": "20", "hidden": "16", "activation": "relu",
                                                "r1.learning_rate": "100", "r1.momentum": "0.9"})
    result = network_page.train(scene)
    diverged = result.runs[1]
    assert diverged.status == "diverged"
    text = network_page.status_text(result)
    assert text["status"] == ["ok", f"diverged at epoch {diverged.diverged_at}"]
    assert text["validation loss"] == ["", ""] and text["validation accuracy"] == ["", ""]  # no validation set
    assert text["train loss"][1] == "" and text["train loss"][0] == f"{result.runs[0].train_loss[-1]:.4g}"
    assert text["train accuracy"][0].endswith("%")


def test_a_scene_too_long_to_train_says_what_to_change_and_keeps_the_last_scene():
    at = page(QUERY)
    at.sidebar.select_slider(key="net.batch").set_value(1).run()
    assert not at.error and sent_query(at)["batch"] == "1"
    at.run()  # the whole page again (AppTest keeps only what a partial rerun drew)
    at.sidebar.slider(key="net.epochs").set_value(1000).run()
    # 200 examples, a fifth kept for validation: 160 updates an epoch
    assert [e.value for e in at.error] == [
        "The sidebar's epochs: 1000 epochs of 160 updates (⌈160 training examples / batch size 1⌉) make "
        "160,000 updates per run; at most 100,000: fewer epochs or a larger batch"]
    query = sent_query(at)
    assert query["epochs"] == "40" and query["batch"] == "1" and not at.exception  # the last scene drawn, still linked
    assert len(at.table[0].value["train loss"]) == 2
    at.run()
    at.sidebar.slider(key="net.epochs").set_value(600).run()
    assert not at.error and sent_query(at)["epochs"] == "600"


def test_a_long_training_shows_its_progress_and_then_removes_it(monkeypatch):
    shown = []

    class Bar:  # what the page does with st.progress, kept (AppTest shows only the end of a run)
        def progress(self, value, text=None):
            shown.append((round(value, 2), text))

        def empty(self):
            shown.append("removed")

    monkeypatch.setattr(network_page, "PROGRESS_AFTER_S", 0.0)  # every training counts as long
    monkeypatch.setattr(network_page.st, "progress", lambda value, text=None: Bar())
    at = page({**QUERY, "epochs": "120"})
    assert not at.exception
    assert shown == [(0.42, "Training 2 runs: epoch 50 of 120…"), (0.83, "Training 2 runs: epoch 100 of 120…"), "removed"]
    shown.clear()
    monkeypatch.setattr(network_page, "PROGRESS_AFTER_S", 60.0)  # a short training: no bar at all
    at.sidebar.slider(key="net.epochs").set_value(121).run()
    assert shown == [] and sent_query(at)["epochs"] == "121"


RESTORING = """import streamlit as st
from ui import network_page
if st.session_state.pop("restore", None):
    network_page._seed_from_query(st.session_state.pop("address"))
network_page.main()"""


def test_a_new_session_of_an_open_page_takes_the_scene_its_address_holds():
    # ui.address calls this back when a page outlives its session (a restarted server): the
    # new session began from the page's link, the address holds the last edit's scene.
    at = AppTest.from_string(RESTORING, default_timeout=200)
    for key, value in QUERY.items():
        at.query_params[key] = value
    at.run()
    held = {**sent_query(at), "dataset": "xor", "epochs": "30", "r1.learning_rate": "0.1"}
    at.session_state["restore"], at.session_state["address"] = True, held
    at.run()
    assert not at.exception and not at.error
    assert sent_query(at) == held
    assert at.sidebar.selectbox(key="net.dataset").value == "xor"


def test_the_engine_bench_measures_the_page_default_and_the_heaviest_scene_allowed():
    from descent import network_bench
    from descent.network_scenario import MAX_EXAMPLE_EPOCHS, MAX_UPDATES

    assert descent.NetworkScenario.from_json(network_bench.PAGE_DEFAULT) == descent.NetworkScenario.from_query(network_page.DEFAULT_QUERY)
    heaviest = descent.NetworkScenario.from_json(network_bench.HEAVIEST)
    assert heaviest.epochs * heaviest.steps_per_epoch == MAX_UPDATES
    assert heaviest.epochs * heaviest.dataset.size == MAX_EXAMPLE_EPOCHS
    assert len(heaviest.runs) == MAX_NETWORK_RUNS and heaviest.model.hidden == (32, 32, 32)
    with pytest.raises(descent.ScenarioError, match="^epochs: 201 epochs"):
        descent.NetworkScenario.from_json({**network_bench.HEAVIEST, "epochs": 201})
