#!/usr/bin/env python3
"""Memory per open connection of `postkit serve` (issue 28).

Usage: python3 benches/connections.py [BINARY] [N]

Starts the server on 127.0.0.1 (port 0), opens N connections that send
nothing and N that send half a request, and reports the server's resident
memory before and after, per connection. Loopback only; every connection is
closed at the end and the server is stopped.
"""
import socket
import subprocess
import sys
import tempfile
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "target/release/postkit"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    server = subprocess.Popen(
        [BIN, "serve", "--bind", "127.0.0.1:0", "--idle-timeout", "120", "--header-timeout", "120"],
        cwd=tempfile.mkdtemp(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        banner = server.stdout.readline().strip()
        host, port = banner.split("http://")[1].split("/")[0].rsplit(":", 1)
        time.sleep(0.5)
        before = rss_kb(server.pid)
        conns = []
        for i in range(2 * N):
            c = socket.create_connection((host, int(port)))
            if i % 2:
                c.sendall(b"GET /api/campaign HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            conns.append(c)
        time.sleep(1.0)
        after = rss_kb(server.pid)
        print(banner)
        print(f"{2 * N} connections ({N} idle, {N} half-sent): RSS {before} kB -> {after} kB, "
              f"{(after - before) / (2 * N):.1f} kB per connection")
        for c in conns:
            c.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
