#!/usr/bin/env python3
"""Checks deploy/: every manifest against the Kubernetes schemas (strict,
for the oldest and newest versions the manifests support), then against the
real postkit binary given as the first argument:

- the Deployment's arguments start a server (loopback, port 0) whose
  /healthz and /readyz answer 200 and whose render slots are the workers
  the manifest sets; its grace period outlasts the preStop sleep, the
  drain delay and the request timeout; the Ingress's body size and
  timeouts match the server's flags;
- the Indexed Job's arguments, run once per index with the variables
  Kubernetes sets, render a small sheet in N shards that the merge Job's
  arguments merge; its pod failure policy fails the index (no retry) on
  the exit code `postkit batch --help` gives for bad rows, which a sheet
  with a bad row does exit with.

Run by tests/deploy.rs with the venv .ci/run makes (kubernetes-validate,
which brings PyYAML). Loopback only; every wait is bounded.
"""

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

import kubernetes_validate
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
# The oldest version with the preStop sleep action and per-index backoff, and
# the newest the schemas know.
VERSIONS = ["1.30.0", kubernetes_validate.utils.latest_version()]

failures = []


def check(ok, message):
    if not ok:
        failures.append(message)


def load():
    docs = {}
    for path in sorted(DEPLOY.rglob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            for version in VERSIONS:
                try:
                    kubernetes_validate.validate(doc, version, strict=True)
                except Exception as e:  # the library's own error types
                    failures.append(f"{path.relative_to(ROOT)} ({version}): {e}")
            docs[(doc["kind"], doc["metadata"]["name"])] = doc
    return docs


def flag(args, name):
    return args[args.index(name) + 1]


def container(doc):
    return doc["spec"]["template"]["spec"]["containers"][0]


def resolved(c, env):
    """The container's arguments, $(VAR) replaced from `env`."""
    return [re.sub(r"\$\((\w+)\)", lambda m: env[m.group(1)], a) for a in c["args"]]


def check_serve(postkit, docs):
    dep = docs[("Deployment", "postkit")]
    spec = dep["spec"]["template"]["spec"]
    c = container(dep)
    args = c["args"]
    check(spec.get("automountServiceAccountToken") is False, "serve: token mounted")
    check(spec["securityContext"].get("runAsNonRoot") is True, "serve: not runAsNonRoot")
    check(c["securityContext"].get("readOnlyRootFilesystem") is True, "serve: root writable")
    workers = [e for e in c["env"] if e["name"] == "POSTKIT_WORKERS"][0]
    check(
        workers["valueFrom"]["resourceFieldRef"]["resource"] == "limits.cpu",
        "serve: --workers not from the CPU limit",
    )
    check(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "serve: readiness is not /readyz")
    check(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "serve: liveness is not /healthz")
    timeout = int(flag(args, "--request-timeout"))
    drain = int(flag(args, "--drain-delay"))
    pre_stop = c["lifecycle"]["preStop"]["sleep"]["seconds"]
    grace = spec["terminationGracePeriodSeconds"]
    check(
        grace > pre_stop + drain + timeout,
        f"serve: grace {grace} s is not longer than preStop {pre_stop} + drain {drain} + request {timeout} s",
    )
    notes = docs[("Ingress", "postkit")]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    check(
        notes[prefix + "proxy-body-size"] == flag(args, "--max-body-mb") + "m",
        "ingress: body size is not the server's --max-body-mb",
    )
    check(
        int(notes[prefix + "proxy-read-timeout"]) > timeout,
        "ingress: proxy-read-timeout is not longer than the request timeout",
    )
    # The manifest's own arguments, on loopback, one worker.
    run = resolved(c, {"POSTKIT_WORKERS": "1"})
    run[run.index("--bind") + 1] = "127.0.0.1:0"
    server = subprocess.Popen([postkit] + run, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = server.stdout.readline()
        m = re.search(r"http://(127\.0\.0\.1:\d+)/ \((\d+) render slots", line)
        check(m is not None, f"serve: the manifest's arguments did not start a server: {line!r}")
        if m:
            check(m.group(2) == "1", f"serve: --workers 1 gave {m.group(2)} render slots")
            for path in ["/healthz", "/readyz"]:
                with urllib.request.urlopen(f"http://{m.group(1)}{path}", timeout=10) as r:
                    check(r.status == 200, f"serve: {path} answered {r.status}")
    finally:
        server.kill()
        server.wait(timeout=10)


def check_batch(postkit, docs):
    job = docs[("Job", "postkit-batch")]
    merge = docs[("Job", "postkit-merge")]
    c = container(job)
    env = {e["name"]: e.get("value") for e in c["env"]}
    count = job["spec"]["completions"]
    check(job["spec"]["completionMode"] == "Indexed", "job: not Indexed")
    check(env.get("POSTKIT_SHARD_COUNT") == str(count), "job: POSTKIT_SHARD_COUNT is not completions")
    check(flag(c["args"], "--shard") == "auto", "job: not --shard auto")
    help_text = subprocess.run([postkit, "batch", "--help"], capture_output=True, text=True).stdout
    bad_rows = int(re.search(r"\n\s*(\d+)\s+some rows are bad", help_text).group(1))
    rules = job["spec"]["podFailurePolicy"]["rules"]
    fail_index = [r for r in rules if r["action"] == "FailIndex"]
    check(
        len(fail_index) == 1 and fail_index[0]["onExitCodes"]["values"] == [bad_rows],
        f"job: FailIndex is not on the bad-rows exit code {bad_rows}",
    )
    work = Path(tempfile.mkdtemp())
    try:
        data = work / "data"
        (data / "in").mkdir(parents=True)
        (data / "in" / "batch.csv").write_text(
            "org,story,platform\n"
            + "".join(f"Community {i},We met at the library.,x-post\n" for i in range(count + 2))
            + "No Story Org,,x-post\n"
        )
        codes = []
        for index in range(count):
            run = [a.replace("/data/", f"{data}/") for a in resolved(c, {"POSTKIT_JOBS": "1"})]
            environ = dict(os.environ, JOB_COMPLETION_INDEX=str(index), POSTKIT_SHARD_COUNT=str(count))
            r = subprocess.run([postkit] + run, env=environ, capture_output=True, text=True, timeout=120)
            codes.append(r.returncode)
        check(codes.count(bad_rows) == 1, f"job: exit codes {codes}, one shard has the bad row")
        check(set(codes) <= {0, bad_rows}, f"job: exit codes {codes}")
        run = [a.replace("/data/", f"{data}/") for a in container(merge)["args"]]
        r = subprocess.run([postkit] + run, capture_output=True, text=True, timeout=120)
        check(r.returncode == bad_rows, f"merge job: exit {r.returncode}: {r.stderr}")
        check((data / "out" / "report.json").is_file(), "merge job: no report.json")
        check((data / "out" / "index.html").is_file(), "merge job: no review page")
    finally:
        shutil.rmtree(work)


def main():
    postkit = sys.argv[1]
    docs = load()
    check_serve(postkit, docs)
    check_batch(postkit, docs)
    for f in failures:
        print(f"check-deploy: {f}", file=sys.stderr)
    if not failures:
        print(f"check-deploy: {len(docs)} manifests valid for Kubernetes {', '.join(VERSIONS)}, and true to postkit")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
