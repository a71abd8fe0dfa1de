"""The production process supervisor behind `scripts/serve` (no Django import: it only runs children).

It starts gunicorn (whose own master runs and restarts the web processes) and N `jiuzhu db_worker`
processes, restarts any child that exits while it is not stopping, and on SIGTERM or SIGINT stops
them all gracefully: gunicorn finishes the requests in flight, each worker its current task; after
--grace seconds what is still running is killed.

    python -m jiuzhu.ops.supervise --bind 127.0.0.1:8000 --web-processes 2 --web-threads 4 --workers 2
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path


def log(msg: str) -> None:
    print(f"[serve {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


@dataclass
class Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    started: float = 0.0
    next_start: float = 0.0
    history: list[float] = field(default_factory=list)

    def start(self) -> None:
        argv = list(self.argv)
        if "--worker-id" in argv:
            # A new id at every start: a restarted worker must not look like the one that died, whose
            # running task the others requeue once its heartbeat goes stale.
            i = argv.index("--worker-id") + 1
            argv[i] = f"{argv[i]}-{os.urandom(3).hex()}"
        # Its own session: a Ctrl-C in the terminal reaches only the supervisor, which then sends each
        # child a single TERM (a second signal would make a worker abandon its task).
        self.proc = subprocess.Popen(argv, start_new_session=True)
        self.started = time.monotonic()
        log(f"started {self.name} (pid {self.proc.pid})")


def build_children(args: argparse.Namespace) -> list[Child]:
    bindir = Path(sys.executable).parent
    gunicorn = [str(bindir / "gunicorn"), "jiuzhu.wsgi:application",
                "--workers", str(args.web_processes), "--threads", str(args.web_threads),
                "--worker-class", "gthread" if args.web_threads > 1 else "sync",
                "--timeout", str(args.timeout), "--graceful-timeout", str(args.grace),
                "--max-requests", "2000", "--max-requests-jitter", "200",
                "--forwarded-allow-ips", args.forwarded_allow_ips,
                "--error-logfile", "-", "--log-level", "info",
                "--no-control-socket", "--name", "jiuzhu-web"]
    for b in args.bind:
        gunicorn += ["--bind", b]
    children = [Child("web (gunicorn)", gunicorn)]
    tag = args.bind[0].replace(":", "-").replace("[", "").replace("]", "")
    for i in range(args.workers):
        wid = f"{socket.gethostname()[:20]}-{tag}-w{i}"[:56]
        children.append(Child(f"worker {i}", [str(bindir / "jiuzhu"), "db_worker", "--no-reload",
                                              "--worker-id", wid]))
    return children


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="jiuzhu.ops.supervise")
    p.add_argument("--bind", action="append", required=True, help="host:port, repeatable")
    p.add_argument("--web-processes", type=int, default=2)
    p.add_argument("--web-threads", type=int, default=4)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--grace", type=int, default=30, help="seconds to finish requests and tasks on stop")
    p.add_argument("--timeout", type=int, default=120, help="seconds before gunicorn restarts a stuck web process")
    p.add_argument("--forwarded-allow-ips", default="127.0.0.1,::1")
    args = p.parse_args(argv)

    children = build_children(args)
    stopping = {"sig": 0}

    def on_signal(signum: int, _frame: object) -> None:
        stopping["sig"] = signum

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    for c in children:
        c.start()
    log(f"jiuzhu serving on {', '.join(args.bind)}: {args.web_processes} web processes × "
        f"{args.web_threads} threads, {args.workers} background workers; pid {os.getpid()}")

    while not stopping["sig"]:
        now = time.monotonic()
        for c in children:
            if c.proc is not None and c.proc.poll() is not None:
                rc = c.proc.returncode
                c.proc = None
                # Back off when a child keeps crashing (5 restarts within a minute: wait 10 s).
                c.history = [t for t in c.history if now - t < 60] + [now]
                delay = 10.0 if len(c.history) > 5 else 1.0
                c.next_start = now + delay
                log(f"{c.name} exited with code {rc}: restarting in {delay:.0f} s")
            if c.proc is None and now >= c.next_start and not stopping["sig"]:
                c.restarts += 1
                c.start()
        time.sleep(0.2)

    log(f"received {signal.Signals(stopping['sig']).name}: stopping gracefully (up to {args.grace} s)")
    for c in children:
        if c.proc is not None and c.proc.poll() is None:
            c.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + args.grace + 5
    for c in children:
        if c.proc is None:
            continue
        try:
            c.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log(f"{c.name} did not stop in time: killing it")
            c.proc.kill()
            c.proc.wait()
        log(f"{c.name} stopped (code {c.proc.returncode})")
    log("stopped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
