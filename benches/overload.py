#!/usr/bin/env python3
"""Goodput of one `postkit serve` replica under overload (not part of CI).

    cargo build --release && python3 benches/overload.py [target/release/postkit]

For each server setting (the bounded FIFO queue, today's default, and
`--queue 0`, the shed-at-once behaviour before it), runs closed-loop
clients at 1x, 2x and 4x the render slots. Each client asks for full-size
kits (the 5 default sizes as a zip) one after another; on a 503 it sleeps
for the answer's Retry-After and asks again. Reports, per level:
- goodput: assets (images) delivered per second of wall time;
- p50 / p95 / max time to a finished kit (first attempt to the 200), and
  max over p50;
- the 503s the clients were sent;
- the server's peak resident memory (VmHWM).
Everything runs on 127.0.0.1 (a port the OS picks); every loop is bounded
in count (KITS per level) and time. Prints a Markdown table.
"""
import concurrent.futures as cf
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serve import form, peak_kb  # noqa: E402  (benches/serve.py)

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/postkit")
STORY = ("When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at "
         "the station, found us a home and taught our children to love the sea.")
KITS = int(os.environ.get("KITS", "48"))
ASSETS_PER_KIT = 5
DEADLINE_S = 600


def kit(url, i, busy):
    """One kit, retried on 503 after Retry-After (at most 200 tries): seconds to it."""
    ctype, body = form([("org", f"Hub {i}"), ("story", STORY)])
    start = time.perf_counter()
    for _ in range(200):
        req = urllib.request.Request(url + "api/render", data=body, method="POST",
                                     headers={"Content-Type": ctype, "Accept": "application/zip"})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                r.read()
                return time.perf_counter() - start
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
            busy[0] += 1
            time.sleep(float(e.headers.get("Retry-After", "1")))
    raise RuntimeError("a kit was refused 200 times")


def start(args):
    server = subprocess.Popen([BIN, "serve", "--bind", "127.0.0.1:0", *args], cwd=tempfile.mkdtemp(),
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = server.stdout.readline().strip()
    url = line.split("serving on ")[1].split()[0]
    slots = int(line.split("(")[1].split()[0])
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "healthz", timeout=5).read()
            break
        except OSError:
            time.sleep(0.05)
    return server, url, slots


def level(url, clients):
    """KITS kits from `clients` closed-loop clients."""
    busy = [0]
    times = []
    lock = threading.Lock()
    next_kit = [0]
    deadline = time.monotonic() + DEADLINE_S

    def client():
        while time.monotonic() < deadline:
            with lock:
                i = next_kit[0]
                next_kit[0] += 1
            if i >= KITS:
                return
            t = kit(url, i, busy)
            with lock:
                times.append(t)

    t0 = time.perf_counter()
    with cf.ThreadPoolExecutor(clients) as ex:
        for f in [ex.submit(client) for _ in range(clients)]:
            f.result()
    wall = time.perf_counter() - t0
    times.sort()
    p50 = statistics.median(times)
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    return {
        "goodput": len(times) * ASSETS_PER_KIT / wall,
        "p50": p50, "p95": p95, "max": times[-1], "busy": busy[0], "kits": len(times),
    }


def main():
    rows = []
    for name, args in [("queue (default)", []), ("shed at once (--queue 0)", ["--queue", "0"])]:
        server, url, slots = start(args)
        try:
            kit(url, -1, [0])  # warm
            base = None
            for x in (1, 2, 4):
                r = level(url, slots * x)
                base = base or r["goodput"]
                rows.append((name, x, slots * x, r, r["goodput"] / base, peak_kb(server.pid)))
        finally:
            server.terminate()
            server.wait(timeout=120)
    print("| server | load | clients | kits | assets/s | vs 1x | p50 s | p95 s | max s | max/p50 | 503s sent | peak memory |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for name, x, clients, r, rel, kb in rows:
        print(f"| {name} | {x}x | {clients} | {r['kits']} | {r['goodput']:.1f} | {rel:.0%} | {r['p50']:.2f} | "
              f"{r['p95']:.2f} | {r['max']:.2f} | {r['max'] / r['p50']:.1f} | {r['busy']} | {kb / 1024:.0f} MB |")


if __name__ == "__main__":
    main()
