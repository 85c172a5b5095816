#!/usr/bin/env python3
"""Benchmarks `postkit serve` on this machine (not part of CI).

    cargo build --release && python3 benches/serve.py [target/release/postkit]

Measures, against a server on 127.0.0.1 (a port the OS picks):
- start: time from launch to the first /healthz answer;
- preview: the 5 default sizes with previews (what the page asks for as a
  partner types), warm, one request at a time: p50 and p95 latency;
- throughput: full-size kits (5 sizes, as a zip) at concurrency 4, in assets
  per second, against `postkit batch` on the same content;
- memory: the server's peak resident memory (VmHWM) over the run.
Every loop is bounded in count; prints a Markdown table.
"""
import concurrent.futures as cf
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "target/release/postkit")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORY = ("When we arrived in Plymouth we knew nobody. The volunteers at the hub met us at "
         "the station, found us a home and taught our children to love the sea.")
PREVIEWS = 60
KITS = 40


def form(fields, boundary="postkit-bench"):
    body = b""
    for k, v in fields:
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n".encode()
    body += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", body


BUSY = [0]


def post(url, fields, accept="application/json"):
    """One render; a 503 (every slot busy) is retried shortly, at most 500 times."""
    ctype, body = form(fields)
    for _ in range(500):
        req = urllib.request.Request(url + "api/render", data=body, method="POST",
                                     headers={"Content-Type": ctype, "Accept": accept})
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            if e.code != 503:
                raise
            BUSY[0] += 1
            time.sleep(0.02)
    return 503, b""


def peak_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def main():
    work = tempfile.mkdtemp()
    t0 = time.perf_counter()
    server = subprocess.Popen([BIN, "serve", "--bind", "127.0.0.1:0"], cwd=work,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    url = server.stdout.readline().strip().split("serving on ")[1].split()[0]
    while True:
        try:
            urllib.request.urlopen(url + "healthz", timeout=5).read()
            break
        except OSError:
            time.sleep(0.005)
    start_ms = (time.perf_counter() - t0) * 1000
    try:
        fields = [("org", "Plymouth Welcome Hub"), ("story", STORY), ("preview", "400")]
        post(url, fields)  # warm
        lat = []
        for i in range(PREVIEWS):
            t = time.perf_counter()
            status, _ = post(url, [("org", "Plymouth Welcome Hub"), ("story", f"{STORY} {i}"), ("preview", "400")])
            assert status == 200
            lat.append((time.perf_counter() - t) * 1000)
        lat.sort()
        p50 = statistics.median(lat)
        p95 = lat[int(len(lat) * 0.95) - 1]

        t = time.perf_counter()
        with cf.ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda i: post(url, [("org", f"Partner {i}"), ("story", f"{STORY} {i}")],
                                                   "application/zip")[0], range(KITS)))
        serve_s = time.perf_counter() - t
        ok = sum(1 for s in results if s == 200)
        serve_rate = ok * 5 / serve_s
        peak = peak_kb(server.pid) / 1024
    finally:
        server.terminate()
        server.wait(timeout=30)

    rows = os.path.join(work, "rows.csv")
    with open(rows, "w") as f:
        f.write("org,story\n")
        for i in range(KITS):
            f.write(f"Partner {i},\"{STORY} {i}\"\n")
    t = time.perf_counter()
    subprocess.run([BIN, "batch", rows, "--out", os.path.join(work, "out"), "--quiet"], check=True)
    batch_s = time.perf_counter() - t
    batch_rate = KITS * 5 / batch_s

    print("| measure | value |")
    print("|---|---|")
    print(f"| start to first answer | {start_ms:.0f} ms |")
    print(f"| preview of the 5 default sizes, warm ({PREVIEWS} requests) | p50 {p50:.0f} ms, p95 {p95:.0f} ms |")
    print(f"| full-size kits as zip, concurrency 4 ({KITS} kits, {ok} answered 200) | {serve_rate:.1f} assets/s |")
    print(f"| `postkit batch`, same {KITS} stories x 5 sizes | {batch_rate:.1f} assets/s |")
    print(f"| serve / batch | {serve_rate / batch_rate:.2f}x |")
    print(f"| server peak memory (VmHWM) | {peak:.0f} MB |")
    print(f"| 503 answers retried during the run | {BUSY[0]} |")


if __name__ == "__main__":
    main()
