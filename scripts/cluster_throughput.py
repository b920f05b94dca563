#!/usr/bin/env python3
"""Jobs per minute of a deployment: N `tournee serve` on one PostgreSQL
database, each planning at most K jobs at once, fed J planning jobs of the
sample week (data/rouen/week.json, a fixed iteration limit so that every job
is the same work) round-robin through all servers, until every job is done.

    scripts/postgres-test-server.sh start
    python3 scripts/cluster_throughput.py --servers 2 --max-solves 1 --jobs 20

Uses target/release/tournee and the server in target/postgres/env; prints
one line: servers, solves per server, jobs, seconds, jobs per minute.
"""
import argparse, json, os, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(method, url, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=1)
    ap.add_argument("--max-solves", type=int, default=1)
    ap.add_argument("--jobs", type=int, default=20)
    ap.add_argument("--iterations", type=int, default=20000)
    a = ap.parse_args()
    env = open(os.path.join(ROOT, "target/postgres/env")).read().strip()
    base = env.split("=", 1)[1]
    name = f"throughput_{os.getpid()}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f"CREATE DATABASE {name}"], check=True)
    db = f"{base}/{name}"
    servers, urls = [], []
    for _ in range(a.servers):
        p = subprocess.Popen([os.path.join(ROOT, "target/release/tournee"), "serve",
                              "--addr", "127.0.0.1:0", "--db", db,
                              "--max-solves", str(a.max_solves), "--queue", str(a.jobs),
                              "--max-jobs-per-key", str(a.jobs)],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        servers.append(p)
        urls.append(p.stdout.readline().strip().removeprefix("listening on "))
    week = json.load(open(os.path.join(ROOT, "data/rouen/week.json")))
    try:
        start = time.time()
        ids = []
        for k in range(a.jobs):
            week["solver"] = {"time_limit_s": 300, "iteration_limit": a.iterations, "seed": k + 1}
            ids.append(call("POST", f"{urls[k % len(urls)]}/api/v1/jobs", week)["id"])
        pending = set(ids)
        while pending:
            time.sleep(0.2)
            for i in list(pending):
                state = call("GET", f"{urls[0]}/api/v1/jobs/{i}")["state"]
                if state not in ("queued", "running"):
                    if state != "done":
                        sys.exit(f"job {i} ended {state}")
                    pending.discard(i)
        took = time.time() - start
        print(f"servers {a.servers}  solves/server {a.max_solves}  jobs {a.jobs}  "
              f"{took:.1f} s  {60 * a.jobs / took:.1f} jobs/min")
    finally:
        for p in servers:
            p.kill()


if __name__ == "__main__":
    main()
