"""`python -m descent`: run a scenario, print the catalogues, or benchmark the engine.

Bad input exits with status 2 and one line naming the field and what is allowed; there is
never a traceback for something a user typed.
"""

from __future__ import annotations

import argparse
import json
import sys

USAGE_ERROR = 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, status 2, like every other input error here
        self.exit(USAGE_ERROR, f"error: {message} (see python -m descent --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m descent", description="Descent's engine from the shell.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run = sub.add_parser("run", help="run SCENARIO.json (or - for stdin) and print the result as JSON")
    run.add_argument("scenario", help="path to a scenario JSON file, or - to read it from stdin")
    run.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    train = sub.add_parser("train", help="train a network scenario SCENARIO.json (or - for stdin), print per-epoch metrics as JSON")
    train.add_argument("scenario", help="path to a network scenario JSON file, or - to read it from stdin")
    train.add_argument("--indent", type=int, default=None, help="pretty-print with this indent")
    sub.add_parser("bench-network", help="measure training (4 runs x 200 epochs x 500 examples) and a 100x100 loss slice")
    sub.add_parser("landscapes", help="print the landscape catalogue as JSON")
    sub.add_parser("optimizers", help="print the optimizer and schedule catalogue as JSON")
    bench = sub.add_parser("bench", help="measure the engine's speed on this machine")
    bench.add_argument("--quick", action="store_true", help="fewer repetitions and a smaller sweep")
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
        return json.loads(text)
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

        bench.main(quick=args.quick)
        return 0

    import descent

    if args.command == "train":
        return _train(args)
    try:
        data = _read_scenario(args.scenario)
        scenario = descent.Scenario.from_json(data)
    except _InputError as e:
        return _fail(str(e))
    except descent.ScenarioError as e:
        return _fail(str(e))
    result = descent.run(scenario)
    json.dump(result.to_json(), sys.stdout, indent=args.indent, allow_nan=False)
    print()
    return 0


def _train(args) -> int:
    import descent

    try:
        scenario = descent.NetworkScenario.from_json(_read_scenario(args.scenario))
    except (_InputError, descent.ScenarioError) as e:
        return _fail(str(e))
    result = descent.train(scenario)
    json.dump(result.to_json(), sys.stdout, indent=args.indent, allow_nan=False)
    print()
    return 0
