"""The scenario's URL form: flat query parameters, the app's shareable links (round-trips exactly).

    landscape=rosenbrock&start=-1.5,2.0&steps=500&r0.optimizer=adam&r0.learning_rate=0.01
    &r0.schedule=cosine&r0.schedule.decay_steps=500

This module owns the map between a scenario's fields, named by their JSON path as errors name
them (`noise.batch_size`, `runs[0].hparams.epsilon`), and their query keys (`batch`,
`r0.epsilon`): `KEYS` and `RUN_KEYS` write and read the link, and `key_of` turns an error's
field into the key to blame (the app drops that key from a mangled link and keeps the rest).
Values equal to their defaults are left out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from descent.errors import ScenarioError
from descent.mapping import Params
from descent.minibatch import Minibatch
from descent.scenario import (
    DATA,
    DEFAULT_STEPS,
    FORMULA,
    Noise,
    Run,
    Scenario,
    Schedule,
)
from descent.validators import number, shown

# A scenario's field (its JSON path) -> its query key. Landscape parameters are
# `landscape.params.<name>` -> `landscape.<name>`; a run's fields are in RUN_KEYS.
KEYS: dict[str, str] = {
    "landscape.name": "landscape",
    "landscape.formula": "formula",
    "landscape.domain": "domain",
    "landscape.model": "model",
    "landscape.dataset.name": "data",
    "landscape.dataset.size": "data.size",
    "landscape.dataset.seed": "data.seed",
    "landscape.dataset.standardize": "data.standardize",
    "start": "start",
    "steps": "steps",
    "noise.sigma": "sigma",
    "noise.batch_size": "batch",
    "noise.seed": "seed",
    "minibatch.batch_size": "mb.batch",
    "minibatch.shuffle": "mb.shuffle",
    "minibatch.seed": "mb.seed",
}
# A run's field -> its key after `r<i>.`; a hyperparameter `hparams.<name>` is `<name>` and a
# schedule parameter `schedule.<name>` keeps its name.
RUN_KEYS: dict[str, str] = {
    "optimizer": "optimizer",
    "flavour": "flavour",
    "label": "label",
    "schedule.name": "schedule",
    "start": "start",
}
RUN_KEY = re.compile(r"^r(\d{1,2})\.(.+)$")
_INDEX = re.compile(r"\[\d+\]$")
_RUN_FIELD = re.compile(r"^runs\[(\d+)\]\.(.+)$")
# A link is a few kilobytes even with ten runs; far longer text is not a link from the app.
MAX_LINK_LENGTH = 100_000


def _group(prefix: str) -> dict[str, str]:
    """The query keys of one group of fields (`noise.`) -> the fields' own names (`batch_size`)."""
    return {key: field.removeprefix(prefix) for field, key in KEYS.items() if field.startswith(prefix)}


_NOISE, _MINIBATCH, _DATASET = _group("noise."), _group("minibatch."), _group("landscape.dataset.")


def key_of(field_name: str) -> str:
    """The query key an error's field refers to: `landscape.params.kappa` -> `landscape.kappa`,
    `runs[2].hparams.epsilon` or `r2.hparams.epsilon` -> `r2.epsilon`, `start[1]` -> `start`;
    a field that already is a key is itself."""
    field_name = _INDEX.sub("", field_name)
    if field_name in KEYS:
        return KEYS[field_name]
    if field_name.startswith("landscape.params."):
        return "landscape." + field_name.removeprefix("landscape.params.")
    run = _RUN_FIELD.match(field_name) or RUN_KEY.match(field_name)
    if run:
        return f"r{run.group(1)}.{run_key(run.group(2))}"
    return field_name


def run_key(field_name: str) -> str:
    """A run's field (hparams.epsilon, schedule.name) as its key (epsilon, schedule)."""
    if field_name in RUN_KEYS:
        return RUN_KEYS[field_name]
    return field_name.removeprefix("hparams.")


def text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))  # the shortest text that parses back to the same float


def point_text(point) -> str:
    return f"{text(point[0])},{text(point[1])}"


def point_from_text(value, field_name: str):
    parts = str(value).split(",")
    if len(parts) != 2:
        raise ScenarioError(field_name, f"must be two numbers 'x,y', got {shown(value)}")
    return parts


# -- writing -----------------------------------------------------------------------------------


def encode(scenario: Scenario) -> dict[str, str]:
    """Flat string parameters; values equal to their defaults are left out."""
    k = KEYS
    q: dict[str, str] = {k["landscape.name"]: scenario.landscape}
    if scenario.formula is not None:
        (x0, x1), (y0, y1) = scenario.domain
        q = {k["landscape.name"]: FORMULA, k["landscape.formula"]: scenario.formula,
             k["landscape.domain"]: ",".join(text(v) for v in (x0, x1, y0, y1))}  # fmt: skip
    if scenario.dataset is not None:
        q = {k["landscape.name"]: DATA, k["landscape.model"]: scenario.model}
        q |= {key: str(scenario.dataset[name]) for key, name in _DATASET.items() if name != "standardize"}
        if scenario.dataset["standardize"]:
            q[k["landscape.dataset.standardize"]] = "true"
    if scenario.minibatch is not None:
        q |= {key: text(getattr(scenario.minibatch, name)) for key, name in _MINIBATCH.items()}
    for name, value in scenario.landscape_params.items():
        q[key_of(f"landscape.params.{name}")] = text(value)
    q[k["start"]] = point_text(scenario.start)
    q[k["steps"]] = str(scenario.steps)
    defaults = Noise()
    for key, name in _NOISE.items():
        if getattr(scenario.noise, name) != getattr(defaults, name):
            q[key] = text(getattr(scenario.noise, name))
    for i, run in enumerate(scenario.runs):
        q |= {f"r{i}.{key}": value for key, value in run_query(run).items()}
    return q


def run_query(run: Run) -> dict[str, str]:
    """A run's keys (without their `r<i>.` prefix)."""
    q = {RUN_KEYS["optimizer"]: run.optimizer}
    if run.flavour != "keras":
        q[RUN_KEYS["flavour"]] = run.flavour
    if run.label:
        q[RUN_KEYS["label"]] = run.label
    for name, value in run.hparams.items():
        q[run_key(f"hparams.{name}")] = text(value)
    if run.schedule.name != "constant":
        q[RUN_KEYS["schedule.name"]] = run.schedule.name
    for name, value in run.schedule.params.items():
        q[run_key(f"schedule.{name}")] = text(value)
    if run.start is not None:
        q[RUN_KEYS["start"]] = point_text(run.start)
    return q


# -- reading -----------------------------------------------------------------------------------


def decode(query: Mapping[str, str]) -> Scenario:
    """A Scenario from flat query parameters; ScenarioError naming the bad parameter.

    Keys outside the scenario's namespace (the app's own, like `lecture`) are ignored.
    """
    if "landscape" not in query:
        raise ScenarioError("landscape", "missing")
    landscape_params = {k.split(".", 1)[1]: v for k, v in query.items() if k.startswith("landscape.")}
    start = point_from_text(query["start"], "start") if "start" in query else None
    try:
        noise = Noise(**{name: query[key] for key, name in _NOISE.items() if key in query})
    except ScenarioError as e:
        raise ScenarioError(KEYS[f"noise.{e.field}"], e.message) from None
    by_index: dict[int, dict[str, str]] = {}
    for key, value in query.items():
        m = RUN_KEY.match(key)
        if m:
            by_index.setdefault(int(m.group(1)), {})[m.group(2)] = value
    runs = []
    for i in sorted(by_index):
        try:
            runs.append(run_from_query(by_index[i]))
        except ScenarioError as e:
            raise ScenarioError(f"r{i}.{run_key(e.field)}", e.message) from None
    formula = domain = None
    if query["landscape"] == FORMULA:
        if "formula" not in query:
            raise ScenarioError("landscape.formula", "missing (the landscape is a typed formula)")
        formula = query["formula"]
        if "domain" in query:
            parts = str(query["domain"]).split(",")
            if len(parts) != 4:
                raise ScenarioError("landscape.domain", f"must be four numbers 'x0,x1,y0,y1', got {shown(query['domain'])}")
            numbers = [number(v, "landscape.domain", "four numbers 'x0,x1,y0,y1'") for v in parts]
            domain = ((numbers[0], numbers[1]), (numbers[2], numbers[3]))
    dataset = model = minibatch = None
    if query["landscape"] == DATA:
        model = query.get("model", "linear_regression")
        dataset = {name: query[key] for key, name in _DATASET.items() if key in query}
        dataset.setdefault("name", "two_blobs" if model == "logistic_regression" else "noisy_line")
        landscape_params = {}
    if any(key in query for key in _MINIBATCH):
        try:
            minibatch = Minibatch(**{name: query[key] for key, name in _MINIBATCH.items() if key in query})
        except ScenarioError as e:
            raise ScenarioError(KEYS[f"minibatch.{e.field}"], e.message) from None
    return Scenario(
        landscape=query["landscape"],
        landscape_params=Params(landscape_params),
        start=start,
        steps=query.get("steps", DEFAULT_STEPS),
        noise=noise,
        runs=tuple(runs),
        formula=formula,
        domain=domain,
        dataset=dataset,
        model=model,
        minibatch=minibatch,
    )


def run_from_query(fields: Mapping[str, str]) -> Run:
    """A run from its keys (without their `r<i>.` prefix)."""
    if "optimizer" not in fields:
        raise ScenarioError("optimizer", "missing")
    reserved = set(RUN_KEYS.values())
    hparams = {k: v for k, v in fields.items() if k not in reserved and not k.startswith("schedule.")}
    schedule_params = {k.split(".", 1)[1]: v for k, v in fields.items() if k.startswith("schedule.")}
    try:
        schedule = Schedule(fields.get("schedule", "constant"), Params(schedule_params))
    except ScenarioError as e:
        raise e.within("schedule") from None
    return Run(
        optimizer=fields["optimizer"],
        flavour=fields.get("flavour", "keras"),
        hparams=Params(hparams),
        schedule=schedule,
        label=fields.get("label", ""),
        start=point_from_text(fields["start"], "start") if "start" in fields else None,
    )


def from_url(link: str) -> Scenario:
    """The Scenario of a link copied from the app ("Share & export" or the address bar), or just
    its query part. Unlike the app, which falls back to defaults, a bad parameter raises."""
    from urllib.parse import parse_qsl, urlsplit

    if not isinstance(link, str) or len(link) > MAX_LINK_LENGTH:
        raise ScenarioError("link", f"must be a link of at most {MAX_LINK_LENGTH} characters")
    query = urlsplit(link).query if "?" in link or "://" in link else link
    pairs = parse_qsl(query, keep_blank_values=True)
    if not any(key == "landscape" for key, _ in pairs):
        raise ScenarioError("link", "names no landscape: copy the link from the app's address bar or \"Share & export\"")
    return decode(dict(pairs))
