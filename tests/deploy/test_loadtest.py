"""ui.loadtest's pure parts, and its protocol client against a scripted websocket (no server)."""

from __future__ import annotations

import random

import pytest
import websocket
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput

from ui import loadtest
from ui.loadtest import (
    Plan,
    Route,
    SessionRecord,
    StreamlitClient,
    Tally,
    build_report,
    element_problem,
    failed,
    format_report,
    new_start,
    percentile,
    read_links,
    replica_counts,
    widget_in,
    widget_state,
    with_value,  # fmt: skip
)


def number_input_msg(widget_id="$$ID-1-g0:start_x", label="Start x", default=-1.5, **fields) -> ForwardMsg:
    msg = ForwardMsg()
    box = msg.delta.new_element.number_input
    box.id, box.label, box.default, box.data_type = widget_id, label, default, NumberInput.FLOAT
    for name, value in fields.items():
        setattr(box, name, value)
    return msg


def test_percentiles_interpolate_between_ranks_like_numpy():
    values = [5.0, 1.0, 4.0, 2.0, 3.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile(values, 100) == 5.0 and percentile(values, 0) == 1.0
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


def test_widget_ids_come_from_the_elements_the_server_sends():
    widget = widget_in(number_input_msg())
    assert (widget.kind, widget.id, widget.label) == ("number_input", "$$ID-1-g0:start_x", "Start x")

    text = ForwardMsg()
    text.delta.new_element.markdown.body = "no widget"
    finished = ForwardMsg(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY)
    assert widget_in(text) is None and widget_in(finished) is None


def test_the_state_a_browser_holds_is_the_servers_value_in_the_widgets_type():
    assert widget_state(widget_in(number_input_msg())).double_value == -1.5
    assert widget_state(widget_in(number_input_msg(set_value=True, value=0.25))).double_value == 0.25
    steps = number_input_msg("$$ID-2-g0:steps", "Steps", 500, data_type=NumberInput.INT)
    assert widget_state(widget_in(steps)).int_value == 500
    assert with_value(widget_state(widget_in(steps)), "s", 42.0).int_value == 42
    assert with_value(None, "x", 0.5).double_value == 0.5

    msg = ForwardMsg()
    box = msg.delta.new_element.selectbox
    box.id, box.label, box.default = "$$ID-3", "Landscape", 1
    box.options.extend(["Quadratic", "Rosenbrock"])
    assert widget_state(widget_in(msg)).string_value == "Rosenbrock"

    button = ForwardMsg()
    button.delta.new_element.button.id = "$$ID-4"
    assert widget_state(widget_in(button)) is None  # a trigger: the browser sends it only on a click


def test_exceptions_and_st_error_count_as_errors_and_warnings_do_not():
    exception = Element()
    exception.exception.type, exception.exception.message = "ValueError", "boom"
    error, warning = Element(), Element()
    error.alert.body, error.alert.format = "Something went wrong", Alert.ERROR
    warning.alert.body, warning.alert.format = "Careful", Alert.WARNING
    assert element_problem(exception) == ("exception", "boom")
    assert element_problem(error) == ("st_error", "Something went wrong")
    assert element_problem(warning) is None


def test_links_files_hold_query_strings_urls_and_comments():
    text = "# the lecture\n?\n\nlandscape=quadratic&steps=50\nhttp://host:8501/?landscape=himmelblau\n"
    assert read_links(text) == ("", "landscape=quadratic&steps=50", "landscape=himmelblau")
    with pytest.raises(ValueError):
        read_links("# nothing\n\n")


def test_each_edit_is_a_new_value_in_range():
    rng = random.Random(1)
    value = None
    for _ in range(200):
        new = new_start(rng, value)
        assert new != value and -2 <= new <= 2
        value = new


def test_a_session_is_split_when_its_requests_reached_different_replicas():
    assert not Route().proxied and not Route().split
    assert not Route("c1", "app1", "app1", "app1").split
    assert Route("c1", "app1", "app1", "app2").split
    assert Route("c1", "app1", "app1", None).split  # the websocket's replica is unknown
    sessions = [SessionRecord(i, "", Route("c", name, name, name)) for i, name in enumerate(["app2", "app1", "app2"])]
    assert replica_counts(sessions) == {"app1": 1, "app2": 2}
    assert replica_counts([SessionRecord(0, "")]) is None


def _report(errors=0, split=False) -> dict:
    tally = Tally(first_loads=[1.0, 2.0, 3.0], edits=[0.5, 0.25], edit_charts=[0.125], started=10.0, ended=20.0)
    tally.client_cpu = 1.0
    tally.sessions = [SessionRecord(0, "", Route("c1", "app1", "app1", "app1"), loaded=True, edits=2),
                      SessionRecord(1, "", Route("c2", "app2", "app2", "app1" if split else "app2"), loaded=True),
                      SessionRecord(2, "", Route("c1", "app1", "app1", "app1"), loaded=True)]  # fmt: skip
    for _ in range(errors):
        tally.error("st_error", "session 1: Something went wrong")
    return build_report(Plan("http://x", sessions=3), tally, {"measured": False}, "http://x")


def test_the_report_gives_percentiles_throughput_errors_memory_and_replicas():
    report = _report()
    assert report["first_load_s"] == {"n": 3, "p50": 2.0, "p95": pytest.approx(2.9), "max": 3.0}
    assert report["reruns"] == 5 and report["throughput_per_s"] == pytest.approx(0.5)
    assert report["sessions_without_edit"] == 2 and report["errors"]["total"] == 0 and not failed(report)
    text = format_report(report)
    assert "first load    p50    2.00 s   p95    2.90 s   max    3.00 s   (n=3)" in text
    assert "throughput: 5 reruns in 10.0 s = 0.50 reruns/s" in text
    assert "errors: 0 (protocol 0, timeouts 0, exceptions 0, st.error 0)" in text
    assert "server memory: not measured" in text
    assert "load generator CPU: 1 s = 10% of one core" in text
    assert "replicas: {app1: 2 sessions, app2: 1 sessions}, split sessions: 0" in text

    assert failed(_report(errors=1)) and "st_error: session 1: Something went wrong" in format_report(_report(errors=1))
    assert failed(_report(split=True)) and _report(split=True)["split_sessions"] == 1


class ScriptedSocket:
    """Plays back ForwardMsgs, one script run per BackMsg, and keeps what the client sent."""

    def __init__(self, runs: list[list[ForwardMsg]]):
        self.runs = runs
        self.pending: list[bytes] = []
        self.sent: list[BackMsg] = []

    def send_binary(self, data: bytes) -> None:
        self.sent.append(BackMsg.FromString(data))
        self.pending = [m.SerializeToString() for m in self.runs.pop(0)]

    def recv(self) -> bytes:
        if not self.pending:
            raise websocket.WebSocketTimeoutException("nothing more")
        return self.pending.pop(0)

    def settimeout(self, seconds: float) -> None:
        pass


def chart_msg(hash_: str) -> ForwardMsg:
    msg = ForwardMsg(hash=hash_)
    msg.metadata.cacheable = True
    msg.delta.new_element.plotly_chart.spec = "{}"
    return msg


def test_the_client_resends_widget_states_cached_hashes_and_the_url_as_a_browser_does():
    finished = ForwardMsg(script_finished=ForwardMsg.FINISHED_SUCCESSFULLY)
    rerun_early = ForwardMsg(script_finished=ForwardMsg.FINISHED_EARLY_FOR_RERUN)
    url = ForwardMsg()
    url.page_info_changed.query_string = "start=-1.5%2C2.0"
    steps = number_input_msg("$$ID-2-g0:steps", "Steps", 500, data_type=NumberInput.INT)
    cached = ForwardMsg(ref_hash="map-1")
    socket = ScriptedSocket([
        [number_input_msg(), steps, rerun_early, chart_msg("map-1"), url, finished],  # first load
        [number_input_msg(), steps, cached, finished],  # an edit that sends the same chart
    ])  # fmt: skip
    client = StreamlitClient("http://127.0.0.1:1", "", timeout=5)
    client.ws = socket
    client._send_rerun()
    first = client._read_run(started=loadtest.time.monotonic())
    assert first.chart_seconds is not None and first.problems == []

    second = client.edit("Start x", 0.75)
    sent = socket.sent[-1].rerun_script
    assert sent.query_string == "start=-1.5%2C2.0"  # the URL the app wrote
    assert sent.page_script_hash == ""
    states = {s.id: s for s in sent.widget_states.widgets}
    assert states["$$ID-1-g0:start_x"].double_value == 0.75
    assert states["$$ID-2-g0:steps"].int_value == 500
    assert list(sent.cached_message_hashes) == ["map-1"]
    assert second.chart_seconds is not None  # the chart arrived as a reference to the cached one
    with pytest.raises(loadtest.SessionError, match="no widget labelled"):
        client.edit("Start z", 1.0)

    late = ForwardMsg()  # something the server sends unasked while the student reads the page
    late.delta.new_element.alert.body, late.delta.new_element.alert.format = "Lost", Alert.ERROR
    socket.pending = [late.SerializeToString()]
    assert client.idle(0.01) == [("st_error", "Lost")]
    assert client.labels == {"Start x": "$$ID-1-g0:start_x", "Steps": "$$ID-2-g0:steps"}


def test_the_lecturers_page_comes_first_and_is_not_a_students_figure(monkeypatch):
    calls = []
    monkeypatch.setattr(loadtest, "lecturer_load", lambda plan: calls.append("lecturer") or 7.5)

    def students(plan, progress):
        calls.append("students")
        return Tally(first_loads=[1.0], edits=[0.5], edit_charts=[0.25], started=0.0, ended=1.0)

    monkeypatch.setattr(loadtest, "run_lecture", students)
    report = loadtest.measure(Plan("http://x", sessions=1), [], "http://x")
    assert calls == ["lecturer", "students"]
    assert report["lecturer_load_s"] == 7.5 and report["first_load_s"]["max"] == 1.0
    assert "the lecturer opened the first link before the students: 7.50 s (not counted below)" in format_report(report)

    calls.clear()
    report = loadtest.measure(Plan("http://x", sessions=1, lecturer=False), [], "http://x")
    assert calls == ["students"] and report["lecturer_load_s"] is None
    assert "no (--no-lecturer" in format_report(report)
