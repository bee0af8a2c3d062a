"""Load test: N concurrent visitors over Streamlit's own websocket protocol (not in CI).

Each visitor is a raw websocket client speaking what the browser speaks: it
opens ``/_stcore/stream``, sends a ``rerun_script`` BackMsg with its link
(``?source=generate&shape=...&seed=<its own seed>``), reads ForwardMsgs until
``script_finished``, then changes the stride through the widget state of the
``w.stride.0`` number input (its id, ``$$ID-<hash>-w.stride.0``, is read from
the deltas) and times each change from send to ``script_finished``. Every
stride is new to that visitor, so every change is a new convolution; the
shape arithmetic in the reply is checked, so a wrong or failed run counts.

Waves of N = 1, 5, 10, 20 visitors (distinct seeds: distinct visitors) run
one after another; after each wave it prints p50/p95 of the redraw time,
server CPU (sum over replicas, % of one core, over the wave), RSS (sum over
replicas) with the wave's sessions open and again after they closed, and the
ForwardMsg bytes per rerun (decompressed websocket payload, as the browser's
devtools count it). ``--memory-waves K`` then runs K more waves of 20 new
visitors and compares RSS with the one-visitor RSS.

Servers: one ``streamlit run`` on a loopback port, or with ``--replicas R``
the tested recipe ``deploy/run_replicas.sh`` (R replicas behind nginx, which
needs ``apt-get install nginx``). Loopback only; every wait has a timeout and
the whole run a hard ``--timeout``. Run from the repository root::

    python benchmarks/load_test.py                     # one replica
    python benchmarks/load_test.py --replicas 2        # two replicas behind nginx
    python benchmarks/load_test.py --waves 20 --memory-waves 8 --settle 150
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # loopback only, always
STRIDE_KEY = "-w.stride.0"
REPLY_TIMEOUT = 120.0  # seconds one rerun may take before it counts as failed

# --probe: the server runs through this wrapper. On SIGUSR1 a thread writes one
# line saying where the memory is: RSS; glibc's heap (in use, free but kept,
# mmapped); live numpy bytes (arrays reachable from any container, each base
# counted once); AppSessions alive, how many sit disconnected in Streamlit's
# session storage and how many of those are already past its TTL.
PROBE = r"""
import ctypes, gc, os, signal, sys, threading, time
import numpy as np

class Mallinfo2(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in "arena ordblks smblks hblks hblkhd "
                "usmblks fsmblks uordblks fordblks keepcost".split()]

try:
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = Mallinfo2
except (OSError, AttributeError):
    libc = None
wake = threading.Event()

def probe():
    collected = gc.collect()
    arrays, sessions, storages = {}, [], []
    for obj in gc.get_objects():
        name = type(obj).__name__
        if name == "AppSession":
            sessions.append(obj)
        elif name == "MemorySessionStorage":
            storages.append(obj)
        for ref in gc.get_referents(obj):
            if isinstance(ref, np.ndarray):
                while isinstance(ref.base, np.ndarray):
                    ref = ref.base
                if ref.base is None:
                    arrays[id(ref)] = ref.nbytes
    stored = expired = 0
    for s in storages:
        cache = s._cache
        stored += len(cache._data)  # held, expired or not (len() would reap)
        now = cache._timer()
        expired += sum(now >= t for t in cache._expirations.values())
    rss = int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    line = (f"{time.strftime('%H:%M:%S')} RSS {rss / 2**20:.0f} MB | numpy {len(arrays)} arrays "
            f"{sum(arrays.values()) / 2**20:.0f} MB | AppSession alive {len(sessions)}, "
            f"stored disconnected {stored} ({expired} past TTL) | gc freed {collected}")
    if libc is not None:
        m = libc.mallinfo2()
        line += (f" | malloc in use {m.uordblks / 2**20:.0f} MB, free kept "
                 f"{m.fordblks / 2**20:.0f} MB, heap {m.arena / 2**20:.0f} MB, "
                 f"mmapped {m.hblkhd / 2**20:.0f} MB")
    return line

def loop():
    while True:
        wake.wait()
        wake.clear()
        line = probe()
        with open(os.environ["CONVSCOPE_PROBE_LOG"], "a") as f:
            f.write(line + "\n")

signal.signal(signal.SIGUSR1, lambda *_: wake.set())
threading.Thread(target=loop, daemon=True).start()
sys.argv = sys.argv[1:]
from streamlit.web.cli import main
main()
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def healthy(port: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.25)
    return False


class Servers:
    """One replica, or ``replicas`` behind nginx via deploy/run_replicas.sh; stopped on exit.

    ``proxy`` puts even one replica behind nginx (which also serves Streamlit's
    own scripts, gzipped).
    """

    def __init__(
        self,
        replicas: int,
        extra: list[str],
        probe: bool = False,
        app: str = "streamlit_app.py",
        proxy: bool = False,
    ):
        self.app = app
        self.proxy = proxy or replicas > 1
        self.replicas = replicas
        self.extra = extra
        self.probe = probe
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> Servers:
        if not self.proxy:
            self.port = free_port()
            start = ["-c", PROBE, "streamlit"] if self.probe else ["-m", "streamlit"]
            command = [
                sys.executable, *start, "run", self.app,
                f"--server.address={HOST}", f"--server.port={self.port}",
                "--server.headless=true", "--server.fileWatcherType=none", *self.extra,
            ]  # fmt: skip
        else:
            base, self.port = free_port(), free_port()
            while any(p == self.port for p in range(base, base + self.replicas)):
                self.port = free_port()
            command = ["bash", "deploy/run_replicas.sh", str(self.replicas), str(base),
                       str(self.port), *self.extra]  # fmt: skip
        logs = ROOT / "benchmarks" / "results"  # git-ignored
        logs.mkdir(exist_ok=True)
        self.log = open(logs / f"load_test_server_{self.port}.log", "w")
        self.probe_log = logs / f"load_test_probe_{self.port}.txt"
        self.probe_log.write_text("")
        env = {**os.environ, "CONVSCOPE_PROBE_LOG": str(self.probe_log), "APP": self.app}
        # Its own process group, so stopping it can never reach anything else.
        self.proc = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        if not healthy(self.port, time.monotonic() + 90):
            self.__exit__()
            raise RuntimeError(f"server did not start; see {self.log.name}")
        deadline = time.monotonic() + 30  # every replica's process is visible
        while len(self.processes()) < self.replicas and time.monotonic() < deadline:
            time.sleep(0.2)
        return self

    def processes(self) -> list[psutil.Process]:
        """The streamlit server processes (not nginx, not the shell script)."""
        root = psutil.Process(self.proc.pid)
        found = [root, *root.children(recursive=True)]
        return [p for p in found if "streamlit" in " ".join(p.cmdline())]

    def usage(self) -> tuple[float, float, list[float]]:
        """CPU seconds and RSS MB summed over replicas, and RSS MB per replica."""
        cpu, rss = 0.0, []
        for p in self.processes():
            try:
                t = p.cpu_times()
                cpu += t.user + t.system
                rss.append(p.memory_info().rss / 2**20)
            except psutil.NoSuchProcess:
                pass
        return cpu, sum(rss), rss

    async def probed(self, when: str) -> None:
        """With --probe: print the server's own account of its memory, labelled ``when``."""
        if not self.probe:
            return
        lines = len(self.probe_log.read_text().splitlines())
        self.proc.send_signal(signal.SIGUSR1)
        for _ in range(600):  # a full gc over many sessions can take a while
            now = self.probe_log.read_text().splitlines()
            if len(now) > lines:
                print(f"  probe, {when}: {now[-1]}", flush=True)
                return
            await asyncio.sleep(0.1)
        print(f"  probe, {when}: no answer in 60 s", flush=True)

    def __exit__(self, *exc) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        # SIGTERM to the script (or server) we started: run_replicas.sh stops its
        # replicas and nginx itself; that clean stop is part of what is tested.
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # our own group only
            self.proc.wait(timeout=10)
        self.log.close()


@dataclass
class Visitor:
    """One browser session, spoken to in Streamlit's protobuf protocol."""

    port: int
    query: str
    ws: object = None
    page_hash: str = ""
    widget_ids: dict = field(default_factory=dict)  # user key -> widget id
    texts: list = field(default_factory=list)
    failures: int = 0
    # Acknowledge each reply at once. Streamlit 1.67's server socket keeps
    # Nagle's algorithm on (it binds without IPPROTO_TCP, so asyncio skips
    # TCP_NODELAY), and with a Python client's delayed ACK a rerun's messages
    # after the first wait about 40 ms. Chromium is not slowed so (an A/B on
    # the page with TCP_NODELAY set server-side changed nothing): for a
    # browser-like time of one rerun, set this.
    quick_ack: bool = False

    async def open(self) -> tuple[float, int]:
        url = f"ws://{HOST}:{self.port}/_stcore/stream"
        self.ws = await websockets.connect(
            url, subprotocols=["streamlit"], max_size=None, open_timeout=30
        )
        return await self.rerun([])

    async def rerun(self, widget_states: list[tuple[str, int]]) -> tuple[float, int]:
        """Send one rerun; seconds until script_finished and bytes received meanwhile."""
        msg = BackMsg()
        msg.rerun_script.query_string = self.query
        msg.rerun_script.page_script_hash = self.page_hash
        for widget_id, value in widget_states:
            state = msg.rerun_script.widget_states.widgets.add()
            state.id = widget_id
            state.int_value = value
        self.texts = []
        self._ack_now()
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        received = 0
        while True:
            data = await asyncio.wait_for(self.ws.recv(), REPLY_TIMEOUT)
            self._ack_now()  # Linux leaves quick-ACK mode by itself: set again
            received += len(data)
            if self._read(data):
                return time.perf_counter() - start, received

    def _ack_now(self) -> None:
        if self.quick_ack:
            sock = self.ws.transport.get_extra_info("socket")
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)

    def _read(self, data: bytes) -> bool:
        """Note what a ForwardMsg says; True when the script run has finished."""
        fwd = ForwardMsg()
        fwd.ParseFromString(data)
        kind = fwd.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = fwd.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query = fwd.page_info_changed.query_string  # the browser's address bar
        elif kind == "delta" and fwd.delta.WhichOneof("type") == "new_element":
            element = fwd.delta.new_element
            which = element.WhichOneof("type")
            inner = getattr(element, which)
            if which == "markdown":
                self.texts.append(inner.body)
            elif which in ("exception", "alert") and (which == "exception" or inner.format == 1):
                self.failures += 1  # an exception, or st.error
            widget_id = getattr(inner, "id", "")
            if widget_id.startswith("$$ID-"):
                self.widget_ids[widget_id.split("-", 2)[2]] = widget_id
        return kind == "script_finished"

    async def change_stride(self, stride: int) -> tuple[float, int]:
        elapsed, received = await self.rerun([(self.widget_ids["w.stride.0"], stride)])
        if not any(re.search(rf"/{stride}⌋ \+ 1 = ", t) for t in self.texts):
            self.failures += 1  # the reply does not show the new stride's arithmetic
        return elapsed, received

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


async def wave(servers: Servers, n: int, first_seed: int, args) -> dict:
    visitors = [
        Visitor(
            servers.port,
            f"source=generate&shape={args.shape}&kshape={args.kshape}&seed={first_seed + i}",
        )
        for i in range(n)
    ]
    cpu0, _, _ = servers.usage()
    me = psutil.Process()
    client0 = sum(me.cpu_times()[:2])
    t0 = time.monotonic()

    async def one(v: Visitor) -> tuple[float, list, list]:
        opened, _ = await v.open()
        changes = [await v.change_stride(s) for s in range(2, 2 + args.changes)]
        return opened, [c[0] for c in changes], [c[1] for c in changes]

    try:
        results = await asyncio.gather(*(one(v) for v in visitors))
        wall = time.monotonic() - t0
        cpu1, rss_open, per_replica = servers.usage()
        client = 100 * (sum(me.cpu_times()[:2]) - client0) / wall
    finally:
        await asyncio.gather(*(v.close() for v in visitors), return_exceptions=True)
    await asyncio.sleep(args.close_wait)
    _, rss_closed, _ = servers.usage()
    redraws = [t for r in results for t in r[1]]
    sent = [b for r in results for b in r[2]]
    return {
        "n": n,
        "open_p50": statistics.median(r[0] for r in results),
        "p50": statistics.median(redraws),
        "p95": pct(redraws, 0.95),
        "cpu": 100 * (cpu1 - cpu0) / wall,
        "client": client,
        "load": os.getloadavg()[0],
        "rss_open": rss_open,
        "rss_closed": rss_closed,
        "per_replica": per_replica,
        "kb": statistics.mean(sent) / 1024,
        "failures": sum(v.failures for v in visitors),
    }


def row(r: dict) -> str:
    replicas = "/".join(f"{m:.0f}" for m in r["per_replica"])
    return (
        f"| {r['n']:>2} | {r['open_p50'] * 1e3:7.0f} | {r['p50'] * 1e3:7.0f} | "
        f"{r['p95'] * 1e3:7.0f} | {r['cpu']:5.0f} | {r['rss_open']:7.0f} ({replicas}) | "
        f"{r['rss_closed']:7.0f} | {r['kb']:7.1f} | {r['failures']} | {r['client']:4.0f} | "
        f"{r['load']:4.1f} |"
    )


HEADER = (
    "| visitors | open p50 ms | stride change p50 ms | p95 ms | server CPU % (1 core = 100) | "
    "RSS MB, sessions open (per replica) | RSS MB, closed | KB per rerun | failed | "
    "client CPU % | load avg |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


async def run(servers: Servers, args) -> None:
    _, rss0, _ = servers.usage()
    print(f"server(s) up on {HOST}:{servers.port}, {servers.replicas} replica(s), "
          f"idle RSS {rss0:.0f} MB; input {args.shape}, filter {args.kshape}, "
          f"{args.changes} stride changes per visitor")  # fmt: skip
    print(HEADER, flush=True)
    seed = 1000
    results = []
    for n in args.waves:
        results.append(await wave(servers, n, seed, args))
        seed += n
        print(row(results[-1]), flush=True)
        await servers.probed(f"{n} visitor(s) closed")
    if args.memory_waves:
        one = next((r["rss_open"] for r in results if r["n"] == 1), None)
        print(f"\nmemory: {args.memory_waves} waves of 20 distinct visitors "
              f"(one-visitor RSS {one:.0f} MB)" if one else "\nmemory waves")  # fmt: skip
        print(HEADER, flush=True)
        for _ in range(args.memory_waves):
            r = await wave(servers, 20, seed, args)
            seed += 20
            print(row(r), flush=True)
            await servers.probed("20 visitors closed")
        if args.settle:
            await asyncio.sleep(args.settle)
        _, rss_end, per = servers.usage()
        ratio = f", {rss_end / one:.2f}x the one-visitor RSS" if one else ""
        print(f"RSS {args.settle:.0f} s after the last wave closed: {rss_end:.0f} MB "
              f"(per replica {'/'.join(f'{m:.0f}' for m in per)}){ratio}")  # fmt: skip
        await servers.probed(f"{args.settle:.0f} s after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicas", type=int, default=1, help="behind nginx when > 1")
    parser.add_argument("--waves", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--changes", type=int, default=4, help="stride changes per visitor")
    parser.add_argument("--shape", default="128x128x3")
    parser.add_argument("--kshape", default="5x5")
    parser.add_argument("--memory-waves", type=int, default=0)
    parser.add_argument("--close-wait", type=float, default=2.0, help="s before 'closed' RSS")
    parser.add_argument("--settle", type=float, default=0.0, help="s before the final RSS")
    parser.add_argument("--timeout", type=float, default=1800.0, help="hard limit, seconds")
    parser.add_argument(
        "--probe", action="store_true",
        help="one replica only: after each wave the server reports where its memory is",
    )  # fmt: skip
    parser.add_argument("server_args", nargs="*", help="passed to streamlit / run_replicas.sh")
    args = parser.parse_args()
    if not 1 <= args.replicas <= 16 or any(not 1 <= n <= 50 for n in args.waves):
        parser.error("replicas must be 1..16 and waves 1..50 visitors")
    if args.probe and args.replicas != 1:
        parser.error("--probe needs --replicas 1")
    with Servers(args.replicas, args.server_args, args.probe) as servers:
        try:
            asyncio.run(asyncio.wait_for(run(servers, args), args.timeout))
        except TimeoutError:
            print(f"stopped: the whole run passed --timeout {args.timeout:.0f} s")


if __name__ == "__main__":
    main()
