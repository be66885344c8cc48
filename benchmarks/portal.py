"""How fast the portal's public pages answer on the demonstration hub.

Builds the demonstration hub (``silkhub demo --no-serve``, seeded) in a temporary directory, or
reuses one given with ``--data-dir``, serves it with ``silkhub serve`` in a child process on
127.0.0.1 (this checkout's silkhub, or the one on ``PYTHONPATH`` when that is set, e.g. an
older version to compare with), and then, from this process, over one keep-alive connection:

1. **first**: each page once, straight after start-up (what the first visitor after a restart
   waits for), once the server has reported its own warm-up done (``silkhub serve`` requests
   every public page once when it starts; see ``silkhub.web.server.warm_up``);
2. **warm-up**: each page a few more times;
3. **measured**: ``--requests`` rounds; each round requests every page once, in turn, so that
   noise from the shared machine falls on every page alike.

The baseline, measured in the same rounds, is ``GET /api/health`` (one ``SELECT 1`` and a small
JSON body): the cost of the server, the framework and the connection with no page behind it.
For each page it prints p50 and p95 (milliseconds) and the ratio of its p95 to the baseline's.
Goal (issue 7): every page's p95 under 150 ms on this machine.

    python benchmarks/portal.py
    python benchmarks/portal.py --requests 50 --data-dir /tmp/silkhub-demo  # build once, reuse
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

GOAL_P95_MS = 150.0
WARM_UP = 3
BASELINE = "/api/health"
#: Every public page of the portal, in both languages (the sign-in page is public too), and
#: the dashboard of a second dataset, which has its own measures and filters; a dataset's
#: source page; tracking with a container of the demo (train X8005, rerouted) and that train's
#: page; a country's page and a search. (An alert's or a bulletin's page has an address the
#: demo draws anew, so the lists stand for them.)
PAGES = [
    f"/{lang}{path}"
    for lang in ("zh", "en")
    for path in (
        "/",
        "/stats",
        "/stats?dataset=port",
        "/stats/briefing",
        "/stats/sources",
        "/stats/sources/rail",
        "/stats/footprint",
        "/indices",
        "/indices/methodology",
        "/track",
        "/track?ref=DMOU0000787",
        "/logistics/transports",
        "/logistics/transports/RAIL/DEMO-X8005-20201218",
        "/alerts",
        "/alerts/bulletins",
        "/countries/KZ",
        "/search?q=KZ",
        "/login",
    )
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


ROOT = Path(__file__).resolve().parent.parent


def silkhub(*args: str) -> list[str]:
    return [sys.executable, "-m", "silkhub", *args]


def child_env() -> dict[str, str]:
    """The server runs this checkout's silkhub, or PYTHONPATH's when it is set (to measure
    another version): not whatever ``python -m`` would find in the current directory."""
    env = dict(os.environ)
    env.setdefault("PYTHONPATH", str(ROOT))
    return env


def prepare(data_dir: Path) -> None:
    """A complete demonstration hub in ``data_dir`` (built unless one is there already)."""
    marker = data_dir / "demo.json"
    if marker.is_file() and json.loads(marker.read_text(encoding="utf-8")).get("complete"):
        print(f"reusing the demonstration hub in {data_dir}", file=sys.stderr)
        return
    print(f"building the demonstration hub in {data_dir} ...", file=sys.stderr)
    subprocess.run(
        silkhub("demo", "--data-dir", str(data_dir), "--no-serve"),
        check=True,
        stdout=subprocess.DEVNULL,
        cwd=data_dir.parent,
        env=child_env(),
    )


def wait_until_up(client: httpx.Client, server: subprocess.Popen[bytes]) -> float:
    """Seconds from now until the server answers its health check."""
    start = time.perf_counter()
    while time.perf_counter() - start < 120:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}); see its log")
        try:
            if client.get(BASELINE).status_code == 200:
                return time.perf_counter() - start
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit("the server did not answer within 120 s")


def timed_get(client: httpx.Client, path: str) -> float:
    """Milliseconds for one request, body read; a page that fails stops the benchmark."""
    start = time.perf_counter()
    response = client.get(path)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {path} answered {response.status_code}")
    return elapsed


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile: a value that was measured, not interpolated."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5))
    return ordered[min(rank, len(ordered)) - 1]


def warm_up_line(log_path: Path, wait_s: float = 60) -> str | None:
    """The server's own warm-up report (``silkhub.web.server.warm_up``), once it is done; None
    from a server that does not warm up."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        for line in log_path.read_text(encoding="utf-8", errors="replace").splitlines():
            if "warm-up:" in line:
                return line[line.index("warm-up:") :]
        time.sleep(0.2)
    return None


def measure(
    origin: str, rounds: int, server: subprocess.Popen[bytes], log_path: Path
) -> dict[str, Any]:
    # trust_env=False: no proxy from the environment between the benchmark and 127.0.0.1.
    with httpx.Client(base_url=origin, timeout=60, trust_env=False) as client:
        started_s = wait_until_up(client, server)
        warmed = warm_up_line(log_path)
        first = {path: timed_get(client, path) for path in PAGES}
        for _ in range(WARM_UP):
            for path in [BASELINE, *PAGES]:
                timed_get(client, path)
        times: dict[str, list[float]] = {path: [] for path in [BASELINE, *PAGES]}
        for _ in range(rounds):
            for path in times:
                times[path].append(timed_get(client, path))
    return {"started_s": started_s, "warm_up": warmed, "first": first, "times": times}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="measured rounds (each page)")
    parser.add_argument("--data-dir", type=Path, help="build the hub here, or reuse the one here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="silkhub-portal-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp) / "hub"
        prepare(data_dir)
        port = free_port()
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                silkhub("--data-dir", str(data_dir), "serve", "--port", str(port)),
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=tmp,
                env=child_env(),
            )
            try:
                result = measure(f"http://127.0.0.1:{port}", args.requests, server, log_path)
            finally:
                server.terminate()
                server.wait(timeout=30)

    times = result["times"]
    base_p50, base_p95 = percentile(times[BASELINE], 50), percentile(times[BASELINE], 95)
    pages: dict[str, dict[str, float]] = {}
    print(f"server answered {result['started_s']:.1f} s after start; {args.requests} rounds")
    print(f"server's {result['warm_up'] or 'warm-up: none reported'}")
    print(f"{'page':<28} {'first':>8} {'p50':>8} {'p95':>8} {'p95/base':>9}   (ms)")
    print(f"{BASELINE + ' (baseline)':<28} {'':>8} {base_p50:>8.1f} {base_p95:>8.1f} {1:>9.1f}")
    for path in PAGES:
        p50, p95 = percentile(times[path], 50), percentile(times[path], 95)
        pages[path] = {
            "first_ms": round(result["first"][path], 1),
            "p50_ms": round(p50, 1),
            "p95_ms": round(p95, 1),
        }
        print(
            f"{path:<28} {result['first'][path]:>8.1f} {p50:>8.1f} {p95:>8.1f} "
            f"{p95 / base_p95:>9.1f}"
        )
    worst = max(pages, key=lambda p: pages[p]["p95_ms"])
    summary = {
        "benchmark": "portal",
        "rounds": args.requests,
        "warm_up": result["warm_up"],
        "baseline": {"path": BASELINE, "p50_ms": round(base_p50, 1), "p95_ms": round(base_p95, 1)},
        "pages": pages,
        "worst_page": worst,
        "worst_p95_ms": pages[worst]["p95_ms"],
        "worst_ratio": round(pages[worst]["p95_ms"] / base_p95, 1),
        "goal": f"p95 < {GOAL_P95_MS:g} ms on every page",
        "met": pages[worst]["p95_ms"] < GOAL_P95_MS,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
