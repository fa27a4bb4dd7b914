"""Start-up time of the `paperbot` command line: `paperbot --help` and `paperbot top --help`.

Usage: python benchmarks/cli_startup.py [--runs 10]

Each command runs as a fresh subprocess (the installed console script beside this interpreter, or
`python -m bot` when it is absent); prints min / median / max wall time and the load average, since
the machine may be shared.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = (["--help"], ["top", "--help"])


def paperbot() -> list[str]:
    """The console script of this interpreter's environment, or the module."""
    script = Path(sys.executable).with_name("paperbot")
    if script.exists():
        return [str(script)]
    found = shutil.which("paperbot")
    return [found] if found else [sys.executable, "-m", "bot"]


def time_once(argv: list[str]) -> float:
    """Wall seconds of one run; the run must succeed."""
    start = time.perf_counter()
    subprocess.run(argv, check=True, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Time each command and print one line per command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    runs = parser.parse_args().runs
    base = paperbot()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for args in COMMANDS:
        times = [time_once(base + args) for _ in range(runs)]
        print(
            f"paperbot {' '.join(args)}: min {min(times):.3f} s, median {statistics.median(times):.3f} s, "
            f"max {max(times):.3f} s ({runs} runs)"
        )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
