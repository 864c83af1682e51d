"""`python -m descent`: run a scenario, explain one of its steps, print the catalogues, or benchmark.

Bad input exits with status 2 and one line naming the field and what is allowed; there is
never a traceback for something a user typed.
"""

from __future__ import annotations

import argparse
import json
import sys

USAGE_ERROR = 2
EXPORT_FORMATS = ("gif", "mp4", "html", "csv", "json")  # viz.export.EXPORT_FORMATS (viz is imported only to export)


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, like every other input error here
        self.exit(USAGE_ERROR, f"error: {message} (see python -m descent --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m descent", description="Descent's engine from the shell.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run SCENARIO.json (or - for stdin) and print the result as JSON")
    run.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    run.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    data = sub.add_parser("data", help="print a data landscape's data of SCENARIO.json (or -) as {\"x\": [...], \"y\": [...]}")
    data.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    train = sub.add_parser("train", help="train a network scenario SCENARIO.json (or - for stdin), print per-epoch metrics as JSON")
    train.add_argument("scenario", help="path to a network scenario JSON file, or - to read it from stdin")
    train.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    sub.add_parser("bench-network", help="measure training (4 runs x 200 epochs x 500 examples) and a 100x100 loss slice")
    sub.add_parser("landscapes", help="print the landscape catalogue as JSON")
    sub.add_parser("optimizers", help="print the optimizer and schedule catalogue as JSON")
    export = sub.add_parser("export", help="write SCENARIO.json's animated map (GIF, MP4, HTML), trajectories (CSV) or results (JSON) to a file")
    export.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS, help="what to write")
    export.add_argument("-o", "--output", required=True, help="the file to write")
    export.add_argument("--size", default="1280x720", choices=("1280x720", "1920x1080"), help="GIF/MP4 frame size")
    export.add_argument("--fps", type=int, default=None, help="GIF/MP4 frames per second (default 10 for GIF, 30 for MP4; 1..60)")
    export.add_argument("--duration", type=float, default=10.0, help="GIF/MP4 length in seconds (0.5..60)")
    export.add_argument("--run", type=int, default=None, help="a network scenario: only this run's decision boundary (default: a panel per run)")
    code = sub.add_parser("code", help="print a complete Keras, PyTorch or optax script that reproduces a run of SCENARIO.json")
    code.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    code.add_argument("--framework", required=True, choices=("keras", "pytorch", "optax"), help="the framework to write for")
    code.add_argument("--run", type=int, default=0, help="which run (0 = the first)")
    explain = sub.add_parser("explain", help="print one step of a run of SCENARIO.json, with every number in it, as JSON")
    explain.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    explain.add_argument("--run", type=int, default=0, help="which run (0 = the first)")
    explain.add_argument("--step", type=int, default=0, help="which step k (from point k to point k + 1)")
    explain.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    bench = sub.add_parser("bench", help="measure the engine's speed on this machine")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller sweep")
    bench.add_argument("--maps", action="store_true", help="time the maps instead: 200x200 hyperparameters, 512x512 starts, 4x64 rates")
    maps = sub.add_parser("map", help="compute a map of SCENARIO.json (or - for stdin) and print it as JSON")
    maps.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    maps.add_argument("--kind", choices=("hyper", "basin", "tune"), default="hyper", help="hyperparameter map, basins of attraction or learning-rate tuning")
    maps.add_argument("--run", type=int, default=0, help="the run to map (hyper, basin)")
    maps.add_argument("--x", default="learning_rate", help="hyperparameter on the x axis (hyper)")
    maps.add_argument("--y", default=None, help="hyperparameter on the y axis (hyper; none: a one-axis map)")
    maps.add_argument("--x-range", nargs=2, type=float, metavar=("LOW", "HIGH"), help="x range (default: its slider range)")
    maps.add_argument("--y-range", nargs=2, type=float, metavar=("LOW", "HIGH"), help="y range (default: its slider range)")
    maps.add_argument("--n", type=int, default=64, help="values per axis (hyper) or learning rates (tune)")
    maps.add_argument("--resolution", type=int, default=128, help="starts per side (basin)")
    maps.add_argument("--low", type=float, default=1e-4, help="lowest learning rate (tune)")
    maps.add_argument("--high", type=float, default=1.0, help="highest learning rate (tune)")
    maps.add_argument("--steps", type=int, default=None, help="steps per run (default: the scenario's)")
    return parser


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _read_scenario(source: str):
    try:
        text = sys.stdin.read() if source == "-" else open(source, encoding="utf-8").read()
    except OSError as e:
        raise _InputError(f"cannot read {source}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise _InputError(f"{source} is not UTF-8 text") from None
    try:
        data = json.loads(text)
        # A scene file from "Scene and results (JSON)" (or `export --format json`) holds the
        # scenario beside its results.
        if isinstance(data, dict) and set(data) == {"scenario", "results"}:
            return data["scenario"]
        return data
    except json.JSONDecodeError as e:
        raise _InputError(f"malformed JSON in {source}: {e.msg} at line {e.lineno} column {e.colno}") from None
    except RecursionError:
        raise _InputError(f"malformed JSON in {source}: nested too deeply") from None


class _InputError(Exception):
    pass


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "landscapes":
        import landscapes

        json.dump(landscapes.catalogue(), sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if args.command == "optimizers":
        import optimizers

        catalogue = {"optimizers": optimizers.catalogue(), "schedules": optimizers.schedule_catalogue()}
        json.dump(catalogue, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    if args.command == "bench-network":
        from descent import network_bench

        network_bench.main()
        return 0
    if args.command == "bench":
        from descent import bench

        if args.maps:
            bench.maps_main(quick=args.quick)
        else:
            bench.main(quick=args.quick)
        return 0

    import descent

    if args.command == "train":
        return _train(args)
    try:
        data = _read_scenario(args.scenario)
        if args.command == "export" and _is_network(data):
            return _export_network(args, data)
        scenario = descent.Scenario.from_json(data)
    except _InputError as e:
        return _fail(str(e))
    except descent.ScenarioError as e:
        return _fail(str(e))
    if args.command == "map":
        try:
            record = _map(args, scenario)
        except descent.ScenarioError as e:
            return _fail(str(e))
        json.dump(record.to_json(), sys.stdout, allow_nan=False)
        print()
        return 0
    if args.command == "data":
        try:
            points = descent.data(scenario)
        except descent.ScenarioError as e:
            return _fail(str(e))
        json.dump(points, sys.stdout, allow_nan=False)
        print()
        return 0
    if args.command == "export":
        return _export(args, scenario)
    if args.command == "code":
        from descent import reproduce

        try:
            reproduce.script(scenario, args.run, args.framework)  # checks the run and framework before running
        except descent.ScenarioError as e:
            return _fail(str(e))
        result = descent.run(scenario)
        run = result.runs[args.run]
        print(reproduce.script(scenario, args.run, args.framework, table=(run.final_point, run.final_loss)), end="")
        return 0
    if args.command == "explain":
        from descent.explain import to_json

        try:
            explained = descent.explain(scenario, run=args.run, step=args.step)
        except descent.ScenarioError as e:
            return _fail(str(e))
        json.dump(to_json(explained), sys.stdout, indent=args.indent, allow_nan=False)
        print()
        return 0
    result = descent.run(scenario)
    json.dump(result.to_json(), sys.stdout, indent=args.indent, allow_nan=False)
    print()
    return 0


def _map(args, scenario):
    """The map the command line asks for (its input checked by descent.maps, field named)."""
    from descent import maps

    if args.kind == "tune":
        return maps.tune_learning_rates(scenario, args.low, args.high, n=args.n, steps=args.steps)
    if args.kind == "basin":
        return maps.basin_map(scenario, args.run, resolution=args.resolution, steps=args.steps)

    def axis(name, given, which):
        default = maps.default_axis(scenario, name, run=args.run, where=which)
        low, high = given if given else (default.low, default.high)
        return maps.Axis(name, low, high, args.n, default.log and low > 0)

    y = None if args.y is None else axis(args.y, args.y_range, "y")
    return maps.hyperparameter_map(scenario, args.run, x=axis(args.x, args.x_range, "x"), y=y, steps=args.steps)


# The map's grid in the app (ui.page.MAP_RESOLUTION).
EXPORT_RESOLUTION = 300


def _export(args, scenario) -> int:
    """Run the scenario and write one export file. viz (plotly, Pillow, imageio) is imported
    here only: the engine itself never depends on it."""
    import descent
    from viz import export

    options: dict = {}
    if args.format in ("gif", "mp4"):
        options, problem = _video_options(args)
        if problem:
            return _fail(problem)
    result = descent.run(scenario)
    surface = descent.surface(scenario, resolution=EXPORT_RESOLUTION)
    spec = scenario.landscape_spec
    data = export.export_bytes(args.format, result, surface, minima=spec.minima, log_scale=spec.log_scale,
                               title=spec.title, **options)  # fmt: skip
    return _write_output(args, data)


def _is_network(data) -> bool:
    """A network scenario (what `train` reads): a data set and a model at the top, no landscape."""
    return isinstance(data, dict) and "landscape" not in data and bool({"dataset", "model", "epochs"} & set(data))


def _video_options(args) -> tuple[dict | None, str | None]:
    """The GIF/MP4 options of `export`, or the message refusing one."""
    if args.fps is not None and not 1 <= args.fps <= 60:
        return None, f"--fps: must be a whole number in [1, 60], got {args.fps}"
    if not 0.5 <= args.duration <= 60:
        return None, f"--duration: must be a number of seconds in [0.5, 60], got {args.duration:g}"
    width, height = (int(v) for v in args.size.split("x"))
    options = {"width": width, "height": height, "fps": args.fps, "duration": args.duration}
    if sys.stderr.isatty():
        options["progress"] = _counter("frame")
    return options, None


def _counter(unit: str):
    """A progress callback for a terminal: `unit done/total`, rewritten in place on stderr."""
    return lambda done, total: print(f"\r{unit} {done}/{total}", end="" if done < total else "\n", file=sys.stderr)


def _export_network(args, data) -> int:
    """A network scenario's decision boundary over the epochs, a panel per run (or `--run`'s)."""
    import descent
    from viz import network_video

    if args.format not in ("gif", "mp4"):
        return _fail(f"--format: a network scenario exports its decision boundary as gif or mp4, got {args.format}")
    try:
        scenario = descent.NetworkScenario.from_json(data)
    except descent.ScenarioError as e:
        return _fail(str(e))
    if args.run is not None and not 0 <= args.run < len(scenario.runs):
        return _fail(f"--run: must be a run index in [0, {len(scenario.runs) - 1}], got {args.run}")
    options, problem = _video_options(args)
    if problem:
        return _fail(problem)
    result = descent.train(scenario)
    movie = network_video.movie(result, descent.boundary, None if args.run is None else [args.run], title=_network_title(scenario))
    payload = network_video.video_bytes(movie, format=args.format, **options)
    return _write_output(args, payload)


def _network_title(scenario) -> str:
    import network

    name = next(d.title for d in network.DATASETS if d.id == scenario.dataset.name)
    return f"{name}, {scenario.dataset.size} points"


def _write_output(args, payload: bytes) -> int:
    try:
        with open(args.output, "wb") as f:
            f.write(payload)
    except OSError as e:
        return _fail(f"cannot write {args.output}: {e.strerror or e}")
    print(f"wrote {args.output} ({len(payload) / 1e6:.2f} MB, {args.format})", file=sys.stderr)
    return 0


def _train(args) -> int:
    import descent

    try:
        scenario = descent.NetworkScenario.from_json(_read_scenario(args.scenario))
    except (_InputError, descent.ScenarioError) as e:
        return _fail(str(e))
    # on a terminal, the epochs trained so far (as `export` counts its frames)
    result = descent.train(scenario, progress=_counter("epoch") if sys.stderr.isatty() else None)
    json.dump(result.to_json(), sys.stdout, indent=args.indent, allow_nan=False)
    print()
    return 0
