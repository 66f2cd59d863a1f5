"""How long gasmix takes to start: `--help`, `--version` and `solve --help` against bare
Python and against importing the libraries a solve needs (the "import floor"). Figures are
printed, never asserted (timings are noisy).

    python benchmarks/startup.py                # a table
    python benchmarks/startup.py --repeat 30    # best of 30 fresh processes each
    python benchmarks/startup.py --json         # exactly one JSON object on stdout

Every figure is the best wall time of `--repeat` fresh processes (the best, because noise
on a shared machine only ever adds time). The gasmix commands run the console script
beside this interpreter (`python -m gasmix` if there is none), as a user would.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

FLOOR = "import numpy, pandas, highspy, pulp, click, rich"


def gasmix_command() -> list[str]:
    script = Path(sys.executable).parent / "gasmix"
    return [str(script)] if script.exists() else [sys.executable, "-m", "gasmix"]


def commands() -> dict[str, list[str]]:
    gasmix = gasmix_command()
    return {
        "gasmix --help": [*gasmix, "--help"],
        "gasmix --version": [*gasmix, "--version"],
        "gasmix solve --help": [*gasmix, "solve", "--help"],
        "python -c pass": [sys.executable, "-c", "pass"],
        f'python -c "{FLOOR}"': [sys.executable, "-c", FLOOR],
    }


def best_seconds(command: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        best = min(best, time.perf_counter() - start)
    return best


def measure(repeat: int) -> dict:
    runs = commands()
    # One untimed run each first: the disk cache and .pyc files are then as a user's are.
    for command in runs.values():
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    seconds = {name: best_seconds(command, repeat) for name, command in runs.items()}
    floor = seconds[f'python -c "{FLOOR}"']
    return {"python": sys.version.split()[0], "repeat": repeat, "import_floor": FLOOR,
            "seconds": seconds, "ratio_to_import_floor": {name: s / floor for name, s in seconds.items()}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=10, help="fresh processes per command (best kept)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout")
    args = parser.parse_args()
    result = measure(max(1, args.repeat))
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"Python {result['python']}, best of {result['repeat']} fresh processes each")
    width = max(map(len, result["seconds"]))
    print(f"{'command':<{width}}  {'seconds':>8}  {'of floor':>8}")
    for name, seconds in result["seconds"].items():
        print(f"{name:<{width}}  {seconds:8.3f}  {result['ratio_to_import_floor'][name]:8.0%}")


if __name__ == "__main__":
    main()
