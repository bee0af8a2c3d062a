"""The container image, built and run as the README says (not in CI; needs a Docker engine).

Builds the ``Dockerfile`` (unless ``--no-build``), runs it with the README's
command (``-p PORT:8501 --cpus 2 --memory 2g``), and checks what the Dockerfile
promises: Docker's own health check turns ``healthy``; the app runs as the
unprivileged user and cannot change its code; the file watcher is off and the
malloc settings are set; Streamlit's server loop is uvloop; the exercise
(seed-3d) opens over the websocket with its first cell's sum, 1.64 rounded as
the exercise gives it, and its stride changes redraw; ``docker stop`` ends it
at once (Streamlit is PID 1 and gets the SIGTERM). Then the README's two
replicas sharing one cookie secret start and both answer. Prints each check and
exits 1 if any failed. Run from the repository root::

    python benchmarks/check_image.py [--no-build] [--port 8501]

Where Docker Hub is out of reach, build a local ``python:3.11-slim`` first
(README, "Docker").
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import Visitor, healthy  # Streamlit's protocol, and its health wait

ROOT = Path(__file__).resolve().parents[1]
IMAGE = "convscope"
failed: list[str] = []


def docker(*args: str, check: bool = True) -> str:
    done = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=900)
    if check and done.returncode:
        raise SystemExit(f"docker {' '.join(args)} failed:\n{done.stderr}")
    return done.stdout.strip()


def report(what: str, ok: bool, seen: object) -> None:
    print(f"{'ok  ' if ok else 'FAIL'} {what}: {seen}")
    if not ok:
        failed.append(what)


async def exercise(port: int) -> None:
    visitor = Visitor(port, "example=seed-3d", quick_ack=True)
    opened, sent = await visitor.open()
    summed = [m for t in visitor.texts if (m := re.search(r"summed: \*\*(\S+)\*\*", t))]
    value = float(summed[0].group(1)) if summed else None
    ok = value is not None and round(value, 2) == 1.64
    report("seed-3d's cell (0, 0) is 1.64, as the exercise gives it", ok,
           f"{value} ({opened:.2f} s, {sent:,} B)")  # fmt: skip
    times = []
    for i in range(10):
        elapsed, _ = await visitor.change_stride(3 if i % 2 == 0 else 2)
        times.append(elapsed * 1000)
    report("stride changes redraw with the new shape", visitor.failures == 0,
           f"median {statistics.median(times):.0f} ms over 10, server only")  # fmt: skip
    await visitor.close()


def health_status(name: str, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    status = ""
    while time.monotonic() < deadline:
        status = docker("inspect", "--format", "{{.State.Health.Status}}", name)
        if status != "starting":
            break
        time.sleep(2)
    return status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="use the image already built")
    parser.add_argument("--port", type=int, default=8501)
    args = parser.parse_args()

    if not args.no_build:
        start = time.monotonic()
        docker("build", "-q", "-t", IMAGE, str(ROOT))
        print(f"built {IMAGE} in {time.monotonic() - start:.0f} s")
    size = int(docker("image", "inspect", "--format", "{{.Size}}", IMAGE))
    print(f"image size {size / 1e6:.0f} MB")

    name = "convscope-check"
    docker("rm", "-f", name, check=False)
    docker("run", "-d", "--name", name, "-p", f"{args.port}:8501", "--cpus", "2",
           "--memory", "2g", IMAGE)  # fmt: skip
    try:
        started = time.monotonic()
        report("answers /_stcore/health", healthy(args.port, time.monotonic() + 90),
               f"{time.monotonic() - started:.1f} s after start")  # fmt: skip
        status = health_status(name, timeout=120)  # the first check runs 30 s after start
        report("Docker's HEALTHCHECK reports healthy", status == "healthy", status)
        who = docker("exec", name, "id", "-un")
        report("runs as the unprivileged user", who == "convscope", who)
        touch = subprocess.run(["docker", "exec", name, "touch", "/app/streamlit_app.py"],
                               capture_output=True, text=True)  # fmt: skip
        report("cannot change its own code", touch.returncode != 0, touch.stderr.strip())
        env = docker("exec", name, "env")
        wanted = ["STREAMLIT_SERVER_FILE_WATCHER_TYPE=none", "MALLOC_ARENA_MAX=2",
                  "MALLOC_MMAP_THRESHOLD_=65536"]  # fmt: skip
        report("watcher off, malloc set", all(w in env.splitlines() for w in wanted), wanted)
        loop = subprocess.run(
            ["docker", "exec", name, "python", "-c", "from streamlit.web import bootstrap as b; "
             "print(type(b._get_uvloop_loop_factory()()).__module__)"],
            capture_output=True, text=True,
        )  # fmt: skip
        report("the server's event loop is uvloop's", loop.stdout.strip() == "uvloop",
               loop.stdout.strip() or loop.stderr.strip()[-200:])  # fmt: skip
        left = docker("exec", name, "sh", "-c", "ls /app; ls -a /app/.streamlit")
        kept = {"tests", "benchmarks", ".git", "deploy"} & set(left.split())
        report("tests, benchmarks, deploy and .git left out", not kept, left.split())
        asyncio.run(exercise(args.port))
    finally:
        start = time.monotonic()
        docker("stop", name, check=False)
        stopped = time.monotonic() - start
        code = docker("inspect", "--format", "{{.State.ExitCode}}", name, check=False)
        docker("rm", "-f", name, check=False)
    report("docker stop ends it at once (SIGTERM reaches Streamlit)", stopped < 5,
           f"{stopped:.1f} s, exit code {code}")  # fmt: skip

    # The README's N replicas: one cookie secret, loopback ports 8601 and 8602.
    names = ["convscope1", "convscope2"]
    secret = "0" * 64
    try:
        for i, replica in enumerate(names, 1):
            docker("rm", "-f", replica, check=False)
            docker("run", "-d", "--name", replica, "--cpus", "1", "--memory", "1g",
                   "-e", f"STREAMLIT_SERVER_COOKIE_SECRET={secret}",
                   "-p", f"127.0.0.1:860{i}:8501", IMAGE)  # fmt: skip
        up = [healthy(8600 + i, time.monotonic() + 90) for i in (1, 2)]
        report("two replicas answer on 127.0.0.1:8601 and :8602", all(up), up)
    finally:
        for replica in names:
            docker("rm", "-f", replica, check=False)

    print("all checks passed" if not failed else f"{len(failed)} failed: {failed}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
