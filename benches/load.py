#!/usr/bin/env python3
"""HTTP load harness: requests/s and p50/p99 latency of four servers, in one run.

    python3 benches/load.py [--duration 10] [--rounds 3] [--connections 64] [--threads 1]

Builds in release mode, starts on 127.0.0.1:
  floor      benches/floor.rs: a hand-written guard that only jsonwebtoken::decode()s the header
  unguarded  the floor server's /public route: Rocket alone
  quickstart GET /protected of the quickstart, in-memory blocklist
  redis      the same on the Redis blocklist (REDIS_URL, default redis://127.0.0.1:6379)
  redis+cache the same with blocklist_cache = true (answers cached, kept coherent by Redis)
drives each with wrk (installed from Debian when missing), prints the figures with their
ratio to the floor, and writes benches/results/http.json and benches/results/http.svg.

The machine is noisy (2 cores shared by the servers and wrk), so the variants are measured in
interleaved rounds; each figure is the median of its rounds and each ratio the median of the
per-round ratios; with `taskset` present, wrk
runs on the first core and the servers on the others.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benches" / "results"


def run(cmd, **kw):
    shown = ["Authorization: Bearer …" if c.startswith("Authorization:") else c for c in cmd]
    print("+", " ".join(shown), flush=True)
    return subprocess.run(cmd, check=True, **kw)


def ensure_wrk():
    if shutil.which("wrk"):
        return
    run(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL)


def pinned(cmd, cores):
    if shutil.which("taskset") and (os.cpu_count() or 1) > 1:
        return ["taskset", "-c", cores] + cmd
    return cmd


def start(binary, port, env):
    full_env = dict(os.environ, ROCKET_PORT=str(port), ROCKET_ADDRESS="127.0.0.1",
                    ROCKET_LOG_LEVEL="off", ROCKET_CLI_COLORS="false", **env)
    server_cores = f"1-{max(1, (os.cpu_count() or 2) - 1)}"
    process = subprocess.Popen(pinned([str(binary)], server_cores), env=full_env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
        except urllib.error.HTTPError:
            return process  # answering (404 is fine)
        except OSError:
            time.sleep(0.1)
            continue
        return process
    process.kill()
    sys.exit(f"{binary.name} did not start on port {port}")


def login(port):
    body = json.dumps({"username": "test", "password": "test"}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/login", data=body,
                                 headers={"content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=5) as response:
        return json.load(response)["access_token"]


def check(url, token, want):
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=5) as response:
        body = response.read().decode()
        if want not in body:
            sys.exit(f"{url} answered {body!r}, expected {want!r}")


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def wrk(url, token, args):
    seconds = max(1, args.duration // args.rounds)
    cmd = pinned(["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s",
                  "--latency", "-H", f"Authorization: Bearer {token}", url], "0")
    out = run(cmd, capture_output=True, text=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    latency = {}
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(us|ms|s)\b", out).groups()
        latency[pct] = float(value) * UNITS[unit]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        sys.exit(f"{url}: {errors.group(1)} failed responses\n{out}")
    return {"rps": rps, "p50_ms": latency["50"], "p99_ms": latency["99"]}


def median(runs):
    def mid(key):
        values = sorted(r[key] for r in runs)
        return values[len(values) // 2]
    return {"rps": mid("rps"), "p50_ms": mid("p50_ms"), "p99_ms": mid("p99_ms"),
            "rounds_rps": [r["rps"] for r in runs]}


def svg(results):
    width, bar_h, gap, left = 640, 28, 14, 150
    top = 40
    height = top + len(results) * (bar_h + gap) + 20
    peak = max(r["rps"] for r in results.values())
    rows = []
    for i, (name, r) in enumerate(results.items()):
        y = top + i * (bar_h + gap)
        w = (width - left - 120) * r["rps"] / peak
        rows.append(
            f'<text x="{left - 10}" y="{y + bar_h * 0.68}" text-anchor="end">{name}</text>'
            f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="#4c78a8"/>'
            f'<text x="{left + w + 8:.1f}" y="{y + bar_h * 0.68}">{r["rps"]:,.0f} req/s</text>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="sans-serif" font-size="14">'
            f'<text x="{left}" y="24" font-weight="bold">requests/s, GET with a valid token</text>'
            + "".join(rows) + "</svg>\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=15, help="seconds per variant, all rounds")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians are kept")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    args = parser.parse_args()

    ensure_wrk()
    run(["cargo", "build", "--release", "-q", "-p", "jwt-ext-examples", "--example", "quickstart",
         "-p", "jwt-ext-benches", "--bin", "floor"], cwd=ROOT)
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target")) / "release"
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    prefix = f"jwt-ext-http-bench:{os.getpid()}:"

    servers = [
        start(target / "floor", 8101, {}),
        start(target / "examples" / "quickstart", 8102, {}),
        start(target / "examples" / "quickstart", 8103,
              {"ROCKET_JWT": f'{{blocklist="{redis_url}", blocklist_key_prefix="{prefix}"}}'}),
        start(target / "examples" / "quickstart", 8104,
              {"ROCKET_JWT": f'{{blocklist="{redis_url}", blocklist_key_prefix="{prefix}", '
                             f'blocklist_cache=true}}'}),
    ]
    try:
        token = login(8102)
        variants = {
            "floor": ("http://127.0.0.1:8101/protected", '"logged_in_as":"test"'),
            "unguarded": ("http://127.0.0.1:8101/public", '"public":true'),
            "quickstart": ("http://127.0.0.1:8102/protected", '"logged_in_as":"test"'),
            "quickstart+redis": ("http://127.0.0.1:8103/protected", '"logged_in_as":"test"'),
            "redis+cache": ("http://127.0.0.1:8104/protected", '"logged_in_as":"test"'),
        }
        for url, want in variants.values():
            check(url, token, want)
        rounds = {name: [] for name in variants}
        for _ in range(args.rounds):
            for name, (url, _) in variants.items():
                rounds[name].append(wrk(url, token, args))
        results = {name: median(runs) for name, runs in rounds.items()}
    finally:
        for server in servers:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait()

    # Each ratio is the median of per-round ratios: a round measures every variant within a
    # few seconds, so slow drifts of the machine cancel out.
    print(f"\n{'variant':<18}{'req/s':>10}{'vs floor':>10}{'p50 ms':>9}{'p99 ms':>9}")
    for name, r in results.items():
        ratios = sorted(a / b for a, b in zip(r["rounds_rps"], results["floor"]["rounds_rps"]))
        r["vs_floor"] = ratios[len(ratios) // 2]
        r["round_ratios"] = ratios
        print(f"{name:<18}{r['rps']:>10,.0f}{r['vs_floor']:>9.2f}x{r['p50_ms']:>9.2f}{r['p99_ms']:>9.2f}")
    paired = sorted(a / b for a, b in zip(results["quickstart+redis"]["rounds_rps"],
                                          results["quickstart"]["rounds_rps"]))
    redis_vs_memory = paired[len(paired) // 2]
    print(f"\nquickstart+redis vs quickstart: {redis_vs_memory:.2f}x")
    paired = sorted(a / b for a, b in zip(results["redis+cache"]["rounds_rps"],
                                          results["quickstart"]["rounds_rps"]))
    cache_vs_memory = paired[len(paired) // 2]
    print(f"redis+cache vs quickstart: {cache_vs_memory:.2f}x")

    RESULTS.mkdir(parents=True, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "duration_s": args.duration, "rounds": args.rounds,
            "connections": args.connections, "wrk_threads": args.threads,
            "cpus": os.cpu_count(), "redis_vs_memory": redis_vs_memory,
            "cache_vs_memory": cache_vs_memory}
    (RESULTS / "http.json").write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    (RESULTS / "http.svg").write_text(svg(results))
    print(f"wrote {RESULTS / 'http.json'} and {RESULTS / 'http.svg'}")


if __name__ == "__main__":
    main()
