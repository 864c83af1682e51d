"""A lecture hall: N students open shared scene links and edit the start, each over
Streamlit's own websocket protocol, while this measures what they wait for.

    python -m ui.loadtest                                  # serve app.py here, 100 sessions
    python -m ui.loadtest --script ui/bare_page.py         # the same against a bare page
    python -m ui.loadtest http://127.0.0.1:8501 --server-pid 1234
    python -m ui.loadtest http://127.0.0.1:8501 --sessions 12 --ramp 5 --edit-every 1,3 \\
        --duration 20 --json                               # through HAProxy, for tests

Each session arrives at a random moment within the ramp, opens one of the links (by
default the app's default scene, a Rosenbrock scene and a quadratic scene), then, after a
pause of 5-15 s (uniform), types a new value into "Start x", waits for the page, pauses
again, and so on for the duration. Before them, the lecturer opens the first link (not
counted; `--no-lecturer`: the first students find a server that has drawn no page yet).
Locust runs the sessions as users (library mode, one greenlet each); the server runs every
session's script in threads of one process.

The protocol, as a browser speaks it (streamlit 1.67):

1. GET the page (``/?<query>``). Behind HAProxy, this response sets the SERVERID cookie
   that pins the session to one replica.
2. GET ``/_stcore/health`` with the cookies, as the browser's connection ping does; it
   sets the ``_streamlit_xsrf`` cookie.
3. Open ``ws://host/_stcore/stream`` with the subprotocols ``streamlit`` and the XSRF
   token, sending the cookies and the page's Origin.
4. Send a ``BackMsg`` whose ``rerun_script`` carries the page's query string (without '?'),
   ``page_script_hash=""``, the widget states the browser holds, the hashes of the messages
   it has cached and its context (URL, locale, time zone); read ``ForwardMsg``s until
   ``script_finished`` (one that says "finished early for a rerun" is followed by another
   run). Each element arrives as ``delta.new_element.<kind>``; widgets carry ``id`` and
   ``label``. A large element the client said it has cached arrives as ``ref_hash``.
5. An edit is another rerun whose widget states hold the new value under the widget's id.
   Like the browser, the client sends every widget state it holds, not only the edited one:
   the value widgets whose state it can read off the element (number inputs, sliders,
   checkboxes, select boxes, text inputs) start at the value the server sent, and keep the
   client's value unless the server sets a new one; buttons, segmented controls and chart
   selections are not sent and keep their state on the server. States of widgets the last
   run did not draw are dropped. Reruns carry the link's query string, as a browser opened at
   a link does (the app writes its address with an element of the page, ui.address; were a
   ``page_info_changed`` to come, the next rerun would carry its query string). Between
   edits the client keeps reading, as an open tab does: it answers the server's websocket
   pings and takes in anything sent unasked.

What is measured:

- first load: from the page GET to the first run's ``script_finished`` (HTTP, websocket
  handshake, the session's whole first script run and its transfer);
- edit: from sending the edit's ``BackMsg`` to ``script_finished``; chart: to the first
  Plotly chart element of that run;
- throughput: script runs completed per second, from the start of the ramp to the last
  session's end;
- errors: protocol errors (an HTTP error, a closed or broken websocket, no "Start x"),
  timeouts (no ``script_finished`` within --timeout), exception elements and ``st.error``
  alerts. Any error makes the exit status 1, and so does a session split across replicas;
- memory: the peak RSS of the server's process tree (VmRSS from /proc, sampled every half
  second, children included), or the server process's own VmHWM (the kernel's high-water
  mark, which no sampling misses) when that is higher; with --serve (this tool
  starts the server) or --server-pid; otherwise it is not measured;
- CPU: the server's, this process's (gevent runs every session on one core: when the load
  generator nears it, it is the bottleneck and the figures understate the server), and
  the machine's (other work on it skews every figure);
- behind HAProxy: the replica that served each session's page, health ping and websocket
  (HAProxy adds ``X-Served-By: <server name>`` to its responses) and the SERVERID cookie it
  set; sessions per replica and the sessions whose requests went to more than one.
"""

from __future__ import annotations

if __name__ == "__main__":  # before socket and ssl are imported: every session is a greenlet
    from gevent import monkey

    monkey.patch_all()

import argparse
import itertools
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Element_pb2 import Element
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.NumberInput_pb2 import NumberInput
from streamlit.proto.WidgetStates_pb2 import WidgetState

from ui import serve
from ui.serve import ROOT, SAMPLE_SECONDS, ServerWatch

# The scene links a lecturer shares: the app's default scene, a Rosenbrock race and an
# ill-conditioned quadratic (SGD with and without momentum).
DEFAULT_LINKS = (
    "",
    "landscape=rosenbrock&start=-1.5,2&steps=300&r0.optimizer=adam&r0.learning_rate=0.05"
    "&r1.optimizer=rmsprop&r1.learning_rate=0.01",
    "landscape=quadratic&landscape.kappa=50&start=-4,3&steps=500&r0.optimizer=sgd&r0.learning_rate=0.02"
    "&r1.optimizer=sgd&r1.learning_rate=0.02&r1.momentum=0.9",
)
EDITED_LABEL = "Start x"
EDIT_RANGE = (-2.0, 2.0)

SERVED_BY = "X-Served-By"  # the response header HAProxy adds (deploy/haproxy.cfg)
AFFINITY_COOKIE = "SERVERID"
XSRF_COOKIE = "_streamlit_xsrf"
NO_XSRF_TOKEN = "PLACEHOLDER_AUTH_TOKEN"  # what the browser sends without the cookie

ERROR_KINDS = ("protocol", "timeout", "exception", "st_error")

_FINISHED_EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # another run follows at once
_FINISHED_WITH_COMPILE_ERROR = ForwardMsg.FINISHED_WITH_COMPILE_ERROR
# A run of some fragments only: the browser keeps every element the run did not redraw.
_FINISHED_FRAGMENT_RUN = ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY


# ---------------------------------------------------------------------------------------
# What a run looks like: the plan, and what each session saw


@dataclass(frozen=True)
class Plan:
    base_url: str
    links: tuple[str, ...] = DEFAULT_LINKS
    sessions: int = 100
    ramp: float = 20.0
    edit_every: tuple[float, float] = (5.0, 15.0)
    duration: float = 90.0
    timeout: float = 120.0
    seed: int | None = None
    # The lecturer opens the first link before the students arrive (projected, or to check the
    # scene), so the students find a server that has drawn a page; False: no one has yet.
    lecturer: bool = True


@dataclass
class Route:
    """Which replica served each of a session's requests (behind HAProxy)."""

    cookie: str | None = None  # the SERVERID value HAProxy set on the page GET
    page: str | None = None  # X-Served-By of the page GET, the health ping, the websocket
    health: str | None = None
    websocket: str | None = None

    @property
    def hops(self) -> tuple[str | None, ...]:
        return (self.page, self.health, self.websocket)

    @property
    def proxied(self) -> bool:
        return self.cookie is not None or any(h is not None for h in self.hops)

    @property
    def replica(self) -> str | None:
        return self.page or self.cookie

    @property
    def split(self) -> bool:
        return self.proxied and (None in self.hops or len(set(self.hops)) > 1)


@dataclass
class SessionRecord:
    index: int
    link: str
    route: Route = field(default_factory=Route)
    loaded: bool = False
    edits: int = 0


@dataclass
class RunResult:
    """One script run as the client saw it."""

    seconds: float = 0.0
    chart_seconds: float | None = None  # to the first Plotly chart element
    problems: list[tuple[str, str]] = field(default_factory=list)  # (error kind, text)


@dataclass
class Tally:
    """Everything the sessions measured; greenlets append to it (one OS thread, no locks)."""

    first_loads: list[float] = field(default_factory=list)
    edits: list[float] = field(default_factory=list)
    edit_charts: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    samples: list[str] = field(default_factory=list)
    sessions: list[SessionRecord] = field(default_factory=list)
    finished: int = 0
    started: float = 0.0
    ended: float = 0.0
    client_cpu: float = 0.0  # this process's CPU seconds while the sessions ran

    def error(self, kind: str, text: str) -> None:
        self.errors[kind] += 1
        if len(self.samples) < 20:
            self.samples.append(f"{kind}: {text}")

    def add_run(self, run: RunResult, times: list[float], charts: list[float] | None = None) -> None:
        times.append(run.seconds)
        if charts is not None and run.chart_seconds is not None:
            charts.append(run.chart_seconds)
        for kind, text in run.problems:
            self.error(kind, text)


class SessionError(Exception):
    """A session cannot go on: a protocol error or a timeout."""

    def __init__(self, kind: str, text: str):
        super().__init__(f"{kind}: {text}")
        self.kind, self.text = kind, text


# ---------------------------------------------------------------------------------------
# Pure helpers: statistics, links, what a message holds


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0..100), interpolated linearly between ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(values: Sequence[float]) -> dict:
    return {"n": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95),
            "max": max(values) if values else None}  # fmt: skip


def read_links(text: str) -> tuple[str, ...]:
    """Query strings, one a line ('#' comments and blank lines skipped); a full URL or a
    leading '?' is accepted, and a lone '?' is the app's default scene."""
    links = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "://" in line:
            line = urlsplit(line).query
        links.append(line.removeprefix("?"))
    if not links:
        raise ValueError("no links in the file")
    return tuple(links)


@dataclass(frozen=True)
class Widget:
    kind: str
    id: str
    label: str
    proto: object


def widget_in(msg: ForwardMsg) -> Widget | None:
    """The widget a ForwardMsg draws, if it draws one (an element with an id)."""
    if msg.WhichOneof("type") != "delta" or msg.delta.WhichOneof("type") != "new_element":
        return None
    element = msg.delta.new_element
    kind = element.WhichOneof("type")
    proto = getattr(element, kind) if kind else None
    widget_id = getattr(proto, "id", "")
    if not widget_id:
        return None
    return Widget(kind, widget_id, getattr(proto, "label", ""), proto)


def _number_state(p) -> WidgetState | None:
    if p.set_value and p.HasField("value"):
        value = p.value
    elif p.HasField("default"):
        value = p.default
    else:
        return None
    if p.data_type == NumberInput.INT:
        return WidgetState(id=p.id, int_value=int(value))
    return WidgetState(id=p.id, double_value=value)


def _slider_state(p) -> WidgetState | None:
    if p.options:  # a select_slider: its state is the options' strings
        return None
    state = WidgetState(id=p.id)
    state.double_array_value.data.extend(p.value if p.set_value else p.default)
    return state


def _checkbox_state(p) -> WidgetState:
    return WidgetState(id=p.id, bool_value=p.value if p.set_value else p.default)


def _selectbox_state(p) -> WidgetState | None:
    if p.set_value and p.HasField("raw_value"):
        return WidgetState(id=p.id, string_value=p.raw_value)
    if p.HasField("default") and 0 <= p.default < len(p.options):
        return WidgetState(id=p.id, string_value=p.options[p.default])
    return None


def _text_state(p) -> WidgetState | None:
    if p.set_value and p.HasField("value"):
        return WidgetState(id=p.id, string_value=p.value)
    if p.HasField("default"):
        return WidgetState(id=p.id, string_value=p.default)
    return None


_STATE_OF = {"number_input": _number_state, "slider": _slider_state, "checkbox": _checkbox_state,
             "selectbox": _selectbox_state, "text_input": _text_state}  # fmt: skip


def widget_state(widget: Widget) -> WidgetState | None:
    """The state the browser holds for a widget it has just drawn (None: it sends none we mimic)."""
    read = _STATE_OF.get(widget.kind)
    return read(widget.proto) if read else None


def with_value(state: WidgetState | None, widget_id: str, value: float) -> WidgetState:
    """A number input's state holding a value the user typed (int if the input is)."""
    if state is not None and state.WhichOneof("value") == "int_value":
        return WidgetState(id=widget_id, int_value=int(round(value)))
    return WidgetState(id=widget_id, double_value=value)


def element_problem(element: Element) -> tuple[str, str] | None:
    """An exception element or an st.error alert, as (error kind, text)."""
    kind = element.WhichOneof("type")
    if kind == "exception":
        return "exception", element.exception.message or element.exception.type or "exception element"
    if kind == "alert" and element.alert.format == Alert.ERROR:
        return "st_error", element.alert.body[:200]
    return None


def new_start(rng: random.Random, previous: float | None) -> float:
    """A start x within EDIT_RANGE, rounded as a person types it, never the previous one."""
    while True:
        value = round(rng.uniform(*EDIT_RANGE), 2)
        if value != previous:
            return value


# ---------------------------------------------------------------------------------------
# One browser tab


class StreamlitClient:
    """One browser tab on a Streamlit app: an HTTP cookie jar, then the websocket."""

    def __init__(self, base_url: str, query: str, timeout: float, route: Route | None = None):
        import requests

        self.base = base_url.rstrip("/")
        self.query = query
        self.timeout = timeout
        self.route = route or Route()
        self.http = requests.Session()
        self.ws = None
        self.states: dict[str, WidgetState] = {}  # widget id -> the state the browser holds
        self.labels: dict[str, str] = {}  # label -> widget id, as of the last run
        self.fragments: dict[str, str] = {}  # widget id -> the fragment it is drawn in ("" if none)
        self.cache: dict[str, list] = {}  # message hash -> [element kind, run it was last used in]
        self.runs = 0
        self.max_cache_age = 2  # the server's global.maxCachedMessageAge, from new_session

    # -- the session's steps

    def open(self) -> RunResult:
        """Page, health ping, websocket, first run: what a student waits for on opening the link."""
        started = time.monotonic()
        self.route.page = self._get("/" + (f"?{self.query}" if self.query else ""))
        self.route.cookie = self.http.cookies.get(AFFINITY_COOKIE)
        self.route.health = self._get("/_stcore/health")
        self._connect()
        self._send_rerun()
        return self._read_run(started)

    def edit(self, label: str, value: float) -> RunResult:
        """Type a value into the number input with this label, as the user does."""
        widget_id = self.labels.get(label)
        if widget_id is None:
            raise SessionError("protocol", f"the page has no widget labelled {label!r}")
        self.states[widget_id] = with_value(self.states.get(widget_id), widget_id, value)
        started = time.monotonic()
        self._send_rerun(self.fragments.get(widget_id, ""))
        return self._read_run(started)

    def close(self) -> None:
        if self.ws is not None:
            try:
                self.ws.close(timeout=1)
            except Exception:  # the socket may be gone already
                pass
        self.http.close()

    # -- HTTP and websocket

    def _get(self, path: str) -> str | None:
        """GET a path with the session's cookies; the replica that served it, if proxied."""
        import requests

        try:
            response = self.http.get(self.base + path, timeout=self.timeout)
        except requests.RequestException as e:
            raise SessionError("protocol", f"GET {path}: {e}") from e
        if response.status_code != 200:
            raise SessionError("protocol", f"GET {path}: HTTP {response.status_code}")
        return response.headers.get(SERVED_BY)

    def _connect(self) -> None:
        import websocket

        cookies = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        token = self.http.cookies.get(XSRF_COOKIE) or NO_XSRF_TOKEN
        url = "ws" + self.base.removeprefix("http") + "/_stcore/stream"
        try:
            self.ws = websocket.create_connection(
                url, timeout=self.timeout, subprotocols=["streamlit", token], cookie=cookies or None,
                origin=self._origin(), skip_utf8_validation=True)  # fmt: skip
        except (websocket.WebSocketException, OSError) as e:
            raise SessionError("protocol", f"websocket handshake: {e}") from e
        self.route.websocket = (self.ws.getheaders() or {}).get(SERVED_BY.lower())

    def _origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    def _send_rerun(self, fragment_id: str = "") -> None:
        """Ask for a run, as the browser does: of the fragment the edited widget is in, if any."""
        import websocket

        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.page_script_hash = ""
        if fragment_id:
            rerun.fragment_id = fragment_id
        rerun.widget_states.widgets.extend(self.states.values())
        rerun.cached_message_hashes.extend(self.cache)
        context = rerun.context_info
        context.url = self.base + "/" + (f"?{self.query}" if self.query else "")
        context.timezone, context.locale, context.color_scheme = "UTC", "en-US", "light"
        try:
            self.ws.send_binary(msg.SerializeToString())
        except (websocket.WebSocketException, OSError) as e:
            raise SessionError("protocol", f"websocket send: {e}") from e

    def _receive(self, timeout: float) -> ForwardMsg | None:
        """The next ForwardMsg, or None when none came within the timeout. (websocket-client
        answers the server's pings while it reads.)"""
        import websocket
        from google.protobuf.message import DecodeError

        self.ws.settimeout(timeout)
        try:
            data = self.ws.recv()
        except websocket.WebSocketTimeoutException:
            return None
        except (websocket.WebSocketException, OSError) as e:
            raise SessionError("protocol", f"websocket: {e!r}") from e
        if not isinstance(data, bytes):
            raise SessionError("protocol", "a text frame where a ForwardMsg was expected")
        try:
            return ForwardMsg.FromString(data)
        except DecodeError as e:
            raise SessionError("protocol", f"unparsable ForwardMsg: {e}") from e

    # -- script runs

    def idle(self, seconds: float) -> list[tuple[str, str]]:
        """Wait as an open tab does: read (and so answer pings) and take in whatever the
        server sends unasked; the problems it showed meanwhile."""
        started = time.monotonic()
        run, drawn = RunResult(), {}
        while (remaining := started + seconds - time.monotonic()) > 0:
            msg = self._receive(remaining)
            if msg is not None and self._dispatch(msg, run, drawn, started) and drawn:
                self._end_run(drawn, partial=msg.script_finished == _FINISHED_FRAGMENT_RUN)
                drawn = {}
        return run.problems

    def _read_run(self, started: float) -> RunResult:
        """Read ForwardMsgs until the run's script_finished."""
        deadline = started + self.timeout
        run = RunResult()
        drawn: dict[str, str] = {}  # widget id -> label, this run
        while True:
            remaining = deadline - time.monotonic()
            msg = self._receive(remaining) if remaining > 0 else None
            if msg is None:
                raise SessionError("timeout", f"no script_finished within {self.timeout:g} s")
            if self._dispatch(msg, run, drawn, started):
                self._end_run(drawn, partial=msg.script_finished == _FINISHED_FRAGMENT_RUN)
                run.seconds = time.monotonic() - started
                return run

    def _dispatch(self, msg: ForwardMsg, run: RunResult, drawn: dict[str, str], started: float) -> bool:
        """Take in one ForwardMsg; True when it ends a script run."""
        kind = msg.WhichOneof("type")
        if kind == "delta":
            self._on_delta(msg, run, drawn, started)
        elif kind == "ref_hash":
            self._on_cached(msg.ref_hash, run, started)
        elif kind == "new_session":
            self.max_cache_age = msg.new_session.config.max_cached_message_age or self.max_cache_age
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished" and msg.script_finished != _FINISHED_EARLY_FOR_RERUN:
            if msg.script_finished == _FINISHED_WITH_COMPILE_ERROR:
                run.problems.append(("exception", "the script did not compile"))
            return True
        return False

    def _on_delta(self, msg: ForwardMsg, run: RunResult, drawn: dict[str, str], started: float) -> None:
        if msg.delta.WhichOneof("type") != "new_element":
            return
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if msg.metadata.cacheable and msg.hash:
            self.cache[msg.hash] = [kind, self.runs]
        self._note_chart(kind, run, started)
        problem = element_problem(element)
        if problem:
            run.problems.append(problem)
        widget = widget_in(msg)
        if widget is not None:
            self._on_widget(widget)
            drawn[widget.id] = widget.label
            self.fragments[widget.id] = msg.delta.fragment_id

    def _on_cached(self, ref_hash: str, run: RunResult, started: float) -> None:
        entry = self.cache.get(ref_hash)
        if entry is None:
            raise SessionError("protocol", f"a reference to a message never received ({ref_hash})")
        entry[1] = self.runs
        self._note_chart(entry[0], run, started)

    @staticmethod
    def _note_chart(kind: str | None, run: RunResult, started: float) -> None:
        if kind in ("plotly_chart", "bidi_component") and run.chart_seconds is None:
            run.chart_seconds = time.monotonic() - started

    def _on_widget(self, widget: Widget) -> None:
        """As the browser: a new widget starts at the server's value; a drawn one keeps the
        client's value unless the server sets one."""
        if widget.id in self.states and not getattr(widget.proto, "set_value", False):
            return
        state = widget_state(widget)
        if state is not None:
            self.states[widget.id] = state

    def _end_run(self, drawn: dict[str, str], partial: bool = False) -> None:
        """As the browser after a run: forget inactive widgets (after a full run; a run of some
        fragments leaves the others' widgets as they are), age the message cache."""
        if partial:
            self.labels |= {label: i for i, label in drawn.items()}
        else:
            self.states = {i: s for i, s in self.states.items() if i in drawn}
            self.labels = {label: i for i, label in drawn.items()}
        self.runs += 1
        self.cache = {h: e for h, e in self.cache.items() if self.runs - e[1] <= self.max_cache_age}


# ---------------------------------------------------------------------------------------
# One student


def attend(plan: Plan, index: int, tally: Tally, report: Callable[[str, float, str | None], None]) -> None:
    """One session: arrive within the ramp, open a link, edit the start until the duration ends."""
    record = SessionRecord(index, plan.links[index % len(plan.links)])
    tally.sessions.append(record)
    rng = random.Random(None if plan.seed is None else plan.seed * 100_003 + index)
    client = StreamlitClient(plan.base_url, record.link, plan.timeout, record.route)
    try:
        time.sleep(max(0.0, tally.started + rng.uniform(0, plan.ramp) - time.monotonic()))
        run = client.open()
        tally.add_run(run, tally.first_loads)
        record.loaded = True
        report("first load", run.seconds, None)
        _edit_until(plan, client, record, tally, rng, report)
    except SessionError as e:
        tally.error(e.kind, f"session {index}: {e.text}")
        report("first load" if not record.loaded else "edit", 0.0, e.kind)
    except Exception as e:  # a bug here must not pass for a quiet session
        tally.error("protocol", f"session {index}: {e!r}")
    finally:
        client.close()
        tally.finished += 1
        tally.ended = time.monotonic()


def _edit_until(plan: Plan, client: StreamlitClient, record: SessionRecord, tally: Tally,
                rng: random.Random, report: Callable) -> None:  # fmt: skip
    end = time.monotonic() + plan.duration
    value = None
    while True:
        pause = rng.uniform(*plan.edit_every)
        if time.monotonic() + pause > end:
            return
        for kind, text in client.idle(pause):
            tally.error(kind, f"session {record.index}, between edits: {text}")
        value = new_start(rng, value)
        run = client.edit(EDITED_LABEL, value)
        tally.add_run(run, tally.edits, tally.edit_charts)
        record.edits += 1
        report("edit", run.seconds, None)


# ---------------------------------------------------------------------------------------
# The server: start it, watch its memory and CPU


@contextmanager
def served(script: Path) -> Iterator[tuple[str, int, Path]]:
    """Run `streamlit run script` from the repository root; yield (url, pid, log path)."""
    log_path = Path(tempfile.mkstemp(prefix="loadtest-server-", suffix=".log")[1])
    with open(log_path, "wb") as log:
        try:
            proc, port = serve.start_streamlit(script, log=log)
        except RuntimeError as e:
            raise RuntimeError(f"{e}; its log: {log_path}") from e
    try:
        yield f"http://127.0.0.1:{port}", proc.pid, log_path
    finally:
        serve.stop(proc)


# ---------------------------------------------------------------------------------------
# Locust drives the students


def run_lecture(plan: Plan, progress: Callable[[Tally], None] = lambda tally: None) -> Tally:
    """Spawn the sessions as Locust users (library mode) and wait for all to finish."""
    from locust import User, constant, task
    from locust.env import Environment
    from locust.exception import StopUser

    cpu_before = time.process_time()
    tally = Tally(started=time.monotonic())
    tally.ended = tally.started
    numbers = itertools.count()

    class Student(User):
        host = plan.base_url
        wait_time = constant(0)

        @task
        def lecture(self) -> None:
            attend(plan, next(numbers), tally, self._report)
            raise StopUser()

        def _report(self, name: str, seconds: float, error: str | None) -> None:
            self.environment.events.request.fire(
                request_type="WS", name=name, response_time=seconds * 1000, response_length=0,
                exception=SessionError(error, name) if error else None, context={})  # fmt: skip

    env = Environment(user_classes=[Student], host=plan.base_url)
    runner = env.create_local_runner()
    runner.start(plan.sessions, spawn_rate=min(plan.sessions, 100))
    deadline = tally.started + plan.ramp + plan.duration + 2 * plan.timeout + 30
    last = time.monotonic()
    while tally.finished < plan.sessions and time.monotonic() < deadline:
        time.sleep(0.2)
        if time.monotonic() - last >= 10:
            progress(tally)
            last = time.monotonic()
    for _ in range(plan.sessions - tally.finished):
        tally.error("timeout", "a session was still running at the run's deadline")
        tally.ended = time.monotonic()
    runner.quit()
    tally.client_cpu = time.process_time() - cpu_before
    return tally


# ---------------------------------------------------------------------------------------
# The report


def replica_counts(sessions: Sequence[SessionRecord]) -> dict[str, int] | None:
    """Sessions per replica, or None when no session went through HAProxy."""
    routed = [s.route for s in sessions if s.route.proxied]
    if not routed:
        return None
    return dict(sorted(Counter(r.replica or "?" for r in routed).items()))


def build_report(plan: Plan, tally: Tally, memory: dict, target: str) -> dict:
    wall = max(tally.ended - tally.started, 1e-9)
    reruns = len(tally.first_loads) + len(tally.edits)
    errors = {kind: tally.errors.get(kind, 0) for kind in ERROR_KINDS}
    return {
        "target": target,
        "sessions": plan.sessions,
        "links": list(plan.links),
        "ramp_s": plan.ramp, "edit_every_s": list(plan.edit_every), "duration_s": plan.duration,
        "first_load_s": summary(tally.first_loads),
        "edit_s": summary(tally.edits),
        "edit_chart_s": summary(tally.edit_charts),
        "edits": len(tally.edits),
        "sessions_loaded": sum(s.loaded for s in tally.sessions),
        "sessions_without_edit": sum(s.edits == 0 for s in tally.sessions) + plan.sessions - len(tally.sessions),
        "reruns": reruns,
        "wall_s": wall,
        "throughput_per_s": reruns / wall,
        "errors": {"total": sum(errors.values()), **errors},
        "error_samples": tally.samples,
        "memory": memory,
        "client_cpu_seconds": tally.client_cpu,
        "client_cpu_share": tally.client_cpu / wall,
        "replicas": replica_counts(tally.sessions),
        "sessions_with_cookie": sum(s.route.cookie is not None for s in tally.sessions),
        "split_sessions": sum(s.route.split for s in tally.sessions),
    }  # fmt: skip


def failed(report: dict) -> bool:
    return report["errors"]["total"] > 0 or report["split_sessions"] > 0


def _seconds(stats: dict) -> str:
    if not stats["n"]:
        return "none"
    return (f"p50 {stats['p50']:7.2f} s   p95 {stats['p95']:7.2f} s   max {stats['max']:7.2f} s"
            f"   (n={stats['n']})")  # fmt: skip


def _memory_line(memory: dict) -> str:
    if not memory.get("measured"):
        return "server memory: not measured (use --serve, or --server-pid with a URL)"
    hwm = ", ".join(f"{mb:.0f} MB" for mb in memory["hwm_mb_by_pid"].values())
    return (f"server memory: peak RSS {memory['peak_rss_mb']:.0f} MB (process tree sampled every "
            f"{SAMPLE_SECONDS:g} s, or the server's VmHWM if higher; VmHWM: {hwm})")  # fmt: skip


def _replicas_line(report: dict) -> str:
    replicas = report["replicas"]
    if replicas is None:
        return "replicas: not behind HAProxy (no SERVERID cookie, no X-Served-By header)"
    counts = ", ".join(f"{name}: {n} sessions" for name, n in replicas.items())
    return (f"replicas: {{{counts}}}, split sessions: {report['split_sessions']}, "
            f"sessions with a SERVERID cookie: {report['sessions_with_cookie']}")  # fmt: skip


def _machine_line(machine: dict) -> str:
    line = f"machine: {machine['cpus']} CPUs, {machine['busy_cores_avg']:.2f} busy on average"
    if machine["other_cores_avg"] is not None:  # other work on the machine skews every figure above
        line += f", of which {max(machine['other_cores_avg'], 0):.2f} by other processes than the server and this one"
    return line


def format_report(report: dict) -> str:
    errors = report["errors"]
    memory = report["memory"]
    lines = [
        f"Lecture hall: {report['sessions']} sessions on {report['target']}, {len(report['links'])} links, "
        f"arrivals within {report['ramp_s']:g} s, an edit every {report['edit_every_s'][0]:g}-"
        f"{report['edit_every_s'][1]:g} s for {report['duration_s']:g} s",
        "the lecturer opened the first link before the students: "
        + (f"{report['lecturer_load_s']:.2f} s (not counted below)" if report.get("lecturer_load_s") is not None
           else "no (--no-lecturer: the first students open the server's first page)"),
        f"first load    {_seconds(report['first_load_s'])}",
        f"edit          {_seconds(report['edit_s'])}",
        f"  to chart    {_seconds(report['edit_chart_s'])}",
        f"edits: {report['edits']}; sessions loaded: {report['sessions_loaded']}, "
        f"without an edit: {report['sessions_without_edit']}",
        f"throughput: {report['reruns']} reruns in {report['wall_s']:.1f} s = "
        f"{report['throughput_per_s']:.2f} reruns/s",
        f"errors: {errors['total']} (protocol {errors['protocol']}, timeouts {errors['timeout']}, "
        f"exceptions {errors['exception']}, st.error {errors['st_error']})",
        *(f"  {sample}" for sample in report["error_samples"][:10]),
        _memory_line(memory),
    ]
    if memory.get("measured"):
        lines.append(f"server CPU: {memory['cpu_seconds']:.0f} s = {memory['cpu_cores_avg']:.2f} cores on average")
    lines.append(f"load generator CPU: {report['client_cpu_seconds']:.0f} s = "
                 f"{100 * report['client_cpu_share']:.0f}% of one core")  # fmt: skip
    lines.append(_replicas_line(report))
    if "machine" in report:
        lines.append(_machine_line(report["machine"]))
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Command line


def _pair(text: str) -> tuple[float, float]:
    low, _, high = text.partition(",")
    pair = (float(low), float(high or low))
    if not 0 <= pair[0] <= pair[1]:
        raise argparse.ArgumentTypeError("LOW,HIGH with 0 <= LOW <= HIGH")
    return pair


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m ui.loadtest", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    p.add_argument("url", nargs="?", default="serve", help="the app's URL, or 'serve' (default): start it here")
    p.add_argument("--sessions", type=int, default=100, help="students (default 100)")
    p.add_argument("--ramp", type=float, default=20.0, help="they arrive within this many seconds (20)")
    p.add_argument("--edit-every", type=_pair, default=(5.0, 15.0), metavar="LOW,HIGH",
                   help="seconds between a session's edits, uniform (5,15)")  # fmt: skip
    p.add_argument("--duration", type=float, default=90.0, help="seconds each session edits for (90)")
    p.add_argument("--links", type=Path, help="a file of scene query strings, one a line")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds a load or an edit may take (120)")
    p.add_argument("--seed", type=int, help="seed the arrivals, pauses and values")
    p.add_argument("--serve", action="store_true", help="start the app here (the default without a URL)")
    p.add_argument("--script", type=Path, default=Path("app.py"), help="the script --serve runs (app.py)")
    p.add_argument("--server-pid", type=int, action="append", default=[],
                   help="with a URL: a server process whose memory to sample (repeatable)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print the figures as JSON")
    p.add_argument("--no-lecturer", dest="lecturer", action="store_false",
                   help="no page is opened before the students arrive (by default the lecturer opens the first link)")
    args = p.parse_args(argv)
    args.serve = args.serve or args.url == "serve"
    if args.serve and args.url != "serve":
        p.error("give a URL or --serve, not both")
    if args.script != Path("app.py") and not args.serve:
        p.error("--script needs --serve")
    if args.sessions < 1:
        p.error("--sessions must be at least 1")
    return args


def _progress(tally: Tally) -> None:
    print(f"  {time.monotonic() - tally.started:5.0f} s: {len(tally.first_loads)} loaded, "
          f"{len(tally.edits)} edits, {sum(tally.errors.values())} errors, {tally.finished} done",
          file=sys.stderr, flush=True)  # fmt: skip


def machine_busy_seconds() -> float:
    """CPU seconds all processes on the machine have used since boot (/proc/stat)."""
    ticks = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def lecturer_load(plan: Plan) -> float | None:
    """The lecturer's own page of the first link before the class (not one of the students'
    figures): seconds to its first run's end."""
    client = StreamlitClient(plan.base_url, plan.links[0], plan.timeout, Route())
    try:
        return client.open().seconds
    except SessionError as e:  # the students will meet it too, and it is counted there
        print(f"the lecturer's page failed: {e.text}", file=sys.stderr, flush=True)
        return None
    finally:
        client.close()


def measure(plan: Plan, pids: Sequence[int], target: str) -> dict:
    watch = ServerWatch(pids).start() if pids else None
    lecturer = lecturer_load(plan) if plan.lecturer else None
    busy_before = machine_busy_seconds()
    tally = run_lecture(plan, _progress)
    busy = machine_busy_seconds() - busy_before
    memory = watch.stop(tally.ended - tally.started) if watch else {"measured": False}
    report = build_report(plan, tally, memory, target)
    report["lecturer_load_s"] = lecturer
    ours = tally.client_cpu + memory.get("cpu_seconds", 0.0)
    report["machine"] = {"cpus": os.cpu_count(), "busy_cores_avg": busy / report["wall_s"],
                         "other_cores_avg": (busy - ours) / report["wall_s"] if watch else None}  # fmt: skip
    return report


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    links = read_links(args.links.read_text()) if args.links else DEFAULT_LINKS
    settings = dict(links=links, sessions=args.sessions, ramp=args.ramp, edit_every=args.edit_every,
                    duration=args.duration, timeout=args.timeout, seed=args.seed,
                    lecturer=args.lecturer)  # fmt: skip
    if args.serve:
        script = args.script if args.script.is_absolute() else (Path.cwd() / args.script).resolve()
        with served(script) as (url, pid, log):
            print(f"serving {script.relative_to(ROOT) if script.is_relative_to(ROOT) else script} at {url} "
                  f"(pid {pid}, log: {log})", file=sys.stderr, flush=True)  # fmt: skip
            report = measure(Plan(url, **settings), [pid], f"{url} ({script.name}, served here)")
        if failed(report):
            print(f"the server's log is kept: {log}", file=sys.stderr)
        else:
            log.unlink(missing_ok=True)
    else:
        url = args.url.rstrip("/")
        report = measure(Plan(url, **settings), args.server_pid, url)
    print(json.dumps(report, indent=2) if args.json else format_report(report), flush=True)
    return 1 if failed(report) else 0


if __name__ == "__main__":
    sys.exit(main())
