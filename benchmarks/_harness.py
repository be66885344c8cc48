"""What every benchmark script shares: each contender runs in a child process of its own (so
that memory and imports do not leak between them), and reports its peak memory."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """This process's peak resident memory. Linux's VmHWM starts afresh at exec; ru_maxrss
    would carry over the parent's peak (the data builder's) through fork and exec."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_child(script: str, kind: str, args: list[str], *, timeout: float) -> dict[str, Any]:
    """Run ``script --child kind *args`` and return the JSON object on its last line; a failed
    child stops the benchmark with its error output."""
    out = subprocess.run(
        [sys.executable, script, "--child", kind, *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"the {kind} run failed (exit {out.returncode})")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result
