"""Run the generated PyTorch reproduction scripts in real PyTorch and compare with the engine.

PyTorch is not a dependency of the project, so the tests cannot run these scripts; this tool
does, where torch is installed (e.g. `pip install torch==2.13.0`):

    python tools/check_reproduce.py            # the tests' sample scenes, in PyTorch's flavour

Prints, per scene, what the script printed, the engine's final point and loss, and whether
they agree within the tests' tolerance; exits 1 when one does not.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

import descent  # noqa: E402
from descent import reproduce  # noqa: E402
from tests.descent.test_reproduce import SCENES, _in_flavour  # noqa: E402


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory(prefix="descent-reproduce-") as folder:
        for name, data in SCENES.items():
            scenario = _in_flavour(data, "pytorch")
            run = descent.run(scenario).runs[0]
            path = os.path.join(folder, f"{name}.py")
            with open(path, "w", encoding="utf-8") as f:
                f.write(reproduce.script(scenario, 0, "pytorch"))
            out = subprocess.run([sys.executable, path], capture_output=True, text=True, timeout=600)
            if out.returncode != 0:
                print(f"{name}: the script failed\n{out.stderr[-2000:]}")
                failures += 1
                continue
            printed = json.loads(out.stdout.strip().splitlines()[-1])
            ok = (np.allclose(printed["final_point"], run.final_point, rtol=1e-4, atol=1e-5)
                  and np.isclose(printed["final_loss"], run.final_loss, rtol=1e-3, atol=1e-6)
                  and printed.get("diverged_at") == run.diverged_at)  # fmt: skip
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name}: script {printed}, engine point {run.final_point.tolist()} "
                  f"loss {run.final_loss:.7g} diverged_at {run.diverged_at}")  # fmt: skip
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
