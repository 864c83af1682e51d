"""The whole scene in the URL: the Scenario's query form plus the app's own view options.

Reading a link is lenient: a bad or tampered parameter is reported in one sentence and that
field falls back to its default, so a mangled link still opens a working scene. Writing is
exact: `parse(encode(scene))` gives the same scene back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from descent import MAX_RUNS, MAX_STEPS, Scenario, ScenarioError, scenario_query
from ui.defaults import DEFAULT_SCENARIO, PALETTE_SIZE
from ui.lessons import BY_ID as LESSONS
from ui.map_choices import KEYS as MAP_KEYS
from ui.map_choices import MapChoices
from ui.map_choices import parse as parse_map_choices

# Keys the app owns; everything else belongs to the Scenario. Streamlit strips its own
# `embed` and `embed_options` before the script sees the query.
OPTION_KEYS = ("lecture", "hidden", "colours", "lesson", "view", "selected", "step", "overlays") + MAP_KEYS

_RUN_KEY = re.compile(r"^r(\d+)\.")


# State overlays are on for the selected run unless a link says otherwise (`overlays=none`): the
# map shows why a run moves, not only where. The kinds as viz.overlays.KINDS names them.
DEFAULT_OVERLAYS = ("gradient", "momentum", "step", "box")
NO_OVERLAYS = "none"


@dataclass(frozen=True)
class Options:
    """What the URL carries besides the scenario."""

    lecture: bool = False
    hidden: frozenset[int] = frozenset()
    colours: tuple[int, ...] = ()  # a palette index per run; () = in order
    lesson: str | None = None
    view: str = "Map"
    selected: int = 0  # the run shown in "Copy as code", the step inspector and "Maps"
    step: int = 0  # the step shown in the step inspector
    overlays: tuple[str, ...] = DEFAULT_OVERLAYS  # state overlays drawn on the map for the selected run
    maps: MapChoices = MapChoices()  # the Maps view's choices

    def colour_of(self, index: int) -> int:
        return self.colours[index] if index < len(self.colours) else index % PALETTE_SIZE


@dataclass
class Parsed:
    scenario: Scenario
    options: Options
    warnings: list[str] = field(default_factory=list)


def encode(scenario: Scenario, options: Options) -> dict[str, str]:
    q = scenario.to_query()
    if options.lecture:
        q["lecture"] = "1"
    if options.hidden:
        q["hidden"] = ",".join(str(i) for i in sorted(options.hidden))
    default_colours = tuple(i % PALETTE_SIZE for i in range(len(scenario.runs)))
    colours = tuple(options.colour_of(i) for i in range(len(scenario.runs)))
    if colours != default_colours:
        q["colours"] = ",".join(str(c) for c in colours)
    if options.lesson:
        q["lesson"] = options.lesson
    if options.view != "Map":
        q["view"] = options.view
    if options.selected:
        q["selected"] = str(options.selected)
    q |= options.maps.to_query()
    if options.step:
        q["step"] = str(options.step)
    if options.overlays != DEFAULT_OVERLAYS:
        q["overlays"] = ",".join(options.overlays) or NO_OVERLAYS
    return q


def parse(query: Mapping[str, str]) -> Parsed:
    """The scene a link describes; each bad field is reported and replaced by its default."""
    warnings: list[str] = []
    scenario = _scenario(query, warnings)
    options = _options(query, len(scenario.runs), warnings)
    return Parsed(scenario, options, warnings)


def _query_key(error_field: str, query: Mapping[str, str]) -> str | None:
    """The query key an error's field path refers to, if the query has it."""
    key = scenario_query.key_of(error_field)
    return key if key in query else None


def _scenario(query: Mapping[str, str], warnings: list[str]) -> Scenario:
    q = {k: str(v) for k, v in query.items() if k not in OPTION_KEYS}
    has_runs = any(_RUN_KEY.match(k) for k in q)
    if "landscape" not in q and not has_runs:
        return DEFAULT_SCENARIO  # a plain link to the app
    defaults = DEFAULT_SCENARIO.to_query()
    if "landscape" not in q:
        warnings.append(f"The link names no landscape; showing {DEFAULT_SCENARIO.landscape_spec.title}.")
        q["landscape"] = defaults["landscape"]
    if not has_runs:
        warnings.append("The link has no optimizer runs; showing the default ones.")
        q |= {k: v for k, v in defaults.items() if _RUN_KEY.match(k)}
    for _ in range(200):  # each pass removes at least one key, so this ends
        try:
            return Scenario.from_query(q)
        except ScenarioError as error:
            if not _repair(q, error, defaults, warnings):
                break
    warnings.append("The link could not be read; showing the default scene.")
    return DEFAULT_SCENARIO


def _repair(q: dict[str, str], error: ScenarioError, defaults: dict[str, str], warnings: list[str]) -> bool:
    """Drop the key the error points at (its default applies), or the run it belongs to."""
    key = _query_key(error.field, q)
    if error.field == "runs":
        runs = sorted({int(m.group(1)) for k in q if (m := _RUN_KEY.match(k))})
        if not runs:
            q |= {k: v for k, v in defaults.items() if _RUN_KEY.match(k)}
            warnings.append("The link has no usable optimizer runs; showing the default ones.")
            return True
        extra = runs[MAX_RUNS:]
        for k in [k for k in q if (m := _RUN_KEY.match(k)) and int(m.group(1)) in extra]:
            del q[k]
        warnings.append(f"The link has {len(runs)} runs; showing the first {MAX_RUNS}.")
        return bool(extra)
    run = _RUN_KEY.match(error.field)
    if key is not None and not (run and key == f"r{run.group(1)}.optimizer"):
        warnings.append(f"Ignored {key}={_short(q[key])} from the link: {error.message}. Using the default.")
        del q[key]
        if key == "formula":  # a formula scene without its formula: the default landscape
            key = "landscape"
            q.pop("domain", None)
        if key == "landscape":  # required: the default's, whose parameters and start differ
            q["landscape"] = defaults["landscape"]
            for k in [k for k in q if k.startswith("landscape.")]:
                del q[k]
            q.pop("start", None)
        return True
    if run:
        index = run.group(1)
        warnings.append(f"Dropped run {int(index) + 1} from the link: {error.field}: {error.message}.")
        for k in [k for k in q if k.startswith(f"r{index}.")]:
            del q[k]
        return True
    return False


def _short(value: str) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "...'"


def _indices(text: str, limit: int) -> list[int] | None:
    try:
        values = [int(part) for part in text.split(",") if part.strip() != ""]
    except ValueError:
        return None
    return values if all(0 <= v < limit for v in values) else None


def _options(query: Mapping[str, str], n_runs: int, warnings: list[str]) -> Options:
    lecture = str(query.get("lecture", "0")).lower() in ("1", "true", "yes", "on")
    hidden: frozenset[int] = frozenset()
    if "hidden" in query:
        parsed = _indices(str(query["hidden"]), n_runs)
        if parsed is None:
            warnings.append(f"Ignored hidden={_short(str(query['hidden']))} from the link: run numbers 0 to {n_runs - 1}, comma-separated.")
        else:
            hidden = frozenset(parsed)
    colours: tuple[int, ...] = ()
    if "colours" in query:
        parsed = _indices(str(query["colours"]), PALETTE_SIZE)
        if parsed is None:
            warnings.append(f"Ignored colours={_short(str(query['colours']))} from the link: palette indices 0 to {PALETTE_SIZE - 1}.")
        else:
            colours = tuple(parsed[:n_runs])
    lesson = query.get("lesson")
    if lesson is not None and lesson not in LESSONS:
        warnings.append(f"Ignored lesson={_short(str(lesson))} from the link: no such lesson.")
        lesson = None
    from ui.views import (
        names as view_names,  # the views' registry (it imports this module)
    )

    view = query.get("view", "Map")
    if view not in view_names():
        warnings.append(f"Ignored view={_short(str(view))} from the link: one of {', '.join(view_names())}.")
        view = "Map"
    selected = 0
    if "selected" in query:
        parsed = _indices(str(query["selected"]), n_runs)
        if not parsed or len(parsed) != 1:
            warnings.append(f"Ignored selected={_short(str(query['selected']))} from the link: a run number 0 to {n_runs - 1}.")
        else:
            selected = parsed[0]
    step = 0
    if "step" in query:
        text = str(query["step"]).strip()
        if text.isdigit() and int(text) <= MAX_STEPS:
            step = int(text)
        else:
            warnings.append(f"Ignored step={_short(str(query['step']))} from the link: a whole number in [0, {MAX_STEPS}].")
    overlays: tuple[str, ...] = DEFAULT_OVERLAYS
    if "overlays" in query:
        from viz.overlays import KINDS

        parts = [p.strip() for p in str(query["overlays"]).split(",") if p.strip()]
        if parts == [NO_OVERLAYS]:
            overlays = ()
        elif all(p in KINDS for p in parts):
            overlays = tuple(k for k in KINDS if k in parts)
        else:
            warnings.append(f"Ignored overlays={_short(str(query['overlays']))} from the link: {NO_OVERLAYS}, or some "
                            f"of {', '.join(KINDS)}, comma-separated.")  # fmt: skip
    return Options(lecture, hidden, colours, lesson, view, selected, step, overlays, parse_map_choices(query, warnings))
