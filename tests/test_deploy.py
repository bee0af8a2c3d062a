"""The deployment files agree with each other and with the app (no container engine needed).

The image cannot be built in CI, so what could silently break it is checked
from the files: ports, the health-check path, what the build context leaves
out, and the malloc settings shared with ``deploy/run_replicas.sh``.
"""

from __future__ import annotations

import json
import re
import shlex
import threading
import time
import weakref
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def instructions() -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    found = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            found.append((word.upper(), rest.strip()))
    return found


def env() -> dict[str, str]:
    values = {}
    for word, rest in instructions():
        if word == "ENV":
            values.update(item.split("=", 1) for item in shlex.split(rest))
    return values


def cmd() -> list[str]:
    (command,) = [rest for word, rest in instructions() if word == "CMD"]
    return json.loads(command)  # exec form: Streamlit is PID 1 and gets SIGTERM


def option(argv: list[str], name: str) -> str:
    """The value of a `streamlit run` option given as `--name value` or `--name=value`."""
    for i, arg in enumerate(argv):
        if arg == name:
            return argv[i + 1]
        if arg.startswith(name + "="):
            return arg.split("=", 1)[1]
    raise AssertionError(f"{name} not in {argv}")


def test_cmd_serves_the_exposed_port_on_all_interfaces():
    (exposed,) = [rest for word, rest in instructions() if word == "EXPOSE"]
    argv = cmd()
    assert argv[:3] == ["streamlit", "run", "streamlit_app.py"]
    assert option(argv, "--server.port") == exposed.split("/")[0] == "8501"
    assert option(argv, "--server.address") == "0.0.0.0"
    assert option(argv, "--server.headless") == "true"


def test_healthcheck_asks_streamlits_health_endpoint_without_curl():
    (check,) = [rest for word, rest in instructions() if word == "HEALTHCHECK"]
    urls = re.findall(r"https?://[^'\"\s]+", check)
    assert urls == ["http://127.0.0.1:8501/_stcore/health"]
    assert "CMD python " in check and "curl" not in check  # python:3.11-slim has no curl


def test_runs_as_a_user_that_is_not_root():
    users = [rest for word, rest in instructions() if word == "USER"]
    assert users and users[-1] not in ("root", "0")
    order = [word for word, _ in instructions()]
    assert order.index("USER") > max(i for i, w in enumerate(order) if w in ("COPY", "RUN"))


def pattern_regex(pattern: str) -> str:
    """Docker's (Go filepath.Match) syntax: `*` and `?` stay in one segment, `**` spans any."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] in "*?":
            out, i = out + ("[^/]*" if pattern[i] == "*" else "[^/]"), i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return out


def ignored(path: str, patterns: list[str]) -> bool:
    """.dockerignore: the last pattern matching the path or one of its parents wins."""
    parts = path.split("/")
    result = False
    for pattern in patterns:
        negate = pattern.startswith("!")
        regex = pattern_regex(pattern.lstrip("!").strip("/"))
        if any(re.fullmatch(regex, "/".join(parts[:d])) for d in range(1, len(parts) + 1)):
            result = not negate
    return result


def dockerignore() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_ignore_rule_reference():
    """The matcher used below behaves as Docker documents it."""
    assert ignored("a/b/x.pyc", ["**/*.pyc"]) and ignored("x.pyc", ["**/*.pyc"])
    assert ignored("tests/deep/file.py", ["tests"]) and not ignored("tests.py", ["tests"])
    assert not ignored("conv/tests_x.py", ["*/tests"])
    assert not ignored("docs/keep.md", ["docs", "!docs/keep.md"])


def test_image_gets_everything_the_app_runs_and_no_tests():
    patterns = dockerignore()
    copied = [rest.split() for word, rest in instructions() if word == "COPY"]
    assert any(args[-2:] == [".", "."] for args in copied), "the whole (filtered) context"
    pages = re.findall(r'st\.Page\(\s*"([^"]+)"', (ROOT / "streamlit_app.py").read_text())
    assert len(pages) >= 4
    needed = ["streamlit_app.py", ".streamlit/config.toml", "requirements.txt", *pages]
    needed += [
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "conv").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    ]
    assert "conv/app/limits.py" in needed and "conv/io/__init__.py" in needed
    left_out = [path for path in needed if ignored(path, patterns)]
    assert left_out == []
    for path in ["tests/test_deploy.py", "benchmarks/load_test.py", ".git/HEAD"]:
        assert ignored(path, patterns), path
    assert ignored(".streamlit/secrets.toml", patterns)


def test_config_bakes_in_the_upload_limit():
    import tomllib

    from conv.io import limits

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_malloc_settings_agree_between_image_and_replica_script():
    image = {k: v for k, v in env().items() if k.startswith("MALLOC_")}
    script = dict(
        re.findall(
            r"^export (MALLOC_\w+)=(\S+)$", (ROOT / "deploy/run_replicas.sh").read_text(), re.M
        )
    )
    assert image == script
    assert image["MALLOC_ARENA_MAX"] == "2"
    assert int(image["MALLOC_MMAP_THRESHOLD_"]) <= 1 << 20  # arrays get their own mappings


class FakeRuntime:
    """The three things the releaser reads of Streamlit's runtime, around a real storage."""

    def __init__(self, storage, loop):
        self._session_mgr = type("Manager", (), {})()
        self._session_mgr._session_storage = storage
        self._session_mgr._storage_lock = threading.Lock()
        self._loop = loop

    def _get_async_objs(self):
        return type("Async", (), {"eventloop": self._loop})()


def test_closed_sessions_are_released_without_another_disconnect(monkeypatch):
    """Streamlit's storage drops expired sessions only on its next write; the releaser does."""
    import asyncio

    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.session_manager import SessionInfo

    from conv.app import sessions

    class Session:  # what the storage needs of an AppSession: an id
        def __init__(self, id):
            self.id = id

    monkeypatch.setattr(sessions, "RELEASE_EVERY", 0.05)
    storage = MemorySessionStorage(ttl_seconds=0.2)
    closed = [Session(f"s{i}") for i in range(3)]
    for s in closed:
        storage.save(SessionInfo(client=None, session=s))
    gone = [weakref.ref(s) for s in closed]
    del closed, s
    loop = asyncio.new_event_loop()
    threading.Thread(target=loop.run_forever, daemon=True).start()
    try:
        threading.Thread(
            target=sessions._release_forever, args=(FakeRuntime(storage, loop),), daemon=True
        ).start()
        time.sleep(0.1)
        assert all(ref() is not None for ref in gone)  # within the TTL: kept for a reconnect
        deadline = time.monotonic() + 5
        while any(ref() is not None for ref in gone) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert all(ref() is None for ref in gone)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        time.sleep(0.1)
        loop.close()


def test_streamlit_still_has_what_the_releaser_reads():
    """A Streamlit upgrade that renames these would silently keep closed sessions again."""
    from streamlit.runtime.memory_session_storage import MemorySessionStorage
    from streamlit.runtime.runtime import Runtime
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    assert hasattr(MemorySessionStorage(), "_cache")
    assert hasattr(MemorySessionStorage()._cache, "expire")
    assert hasattr(MemorySessionStorage()._cache, "_data")
    assert "_storage_lock" in WebsocketSessionManager.__init__.__code__.co_names
    assert "_session_mgr" in Runtime.__init__.__code__.co_names
    assert hasattr(Runtime, "_get_async_objs")


def test_the_server_runs_on_uvloop_where_requirements_install_it():
    """requirements.txt installs uvloop off Windows, and Streamlit's server loop takes it.

    It is ~10 % of the server's CPU a rerun (``benchmarks/bench_redraw.py
    --asyncio-against``); a Streamlit that stopped picking it up would lose that
    silently.
    """
    import sys

    import pytest

    lines = (ROOT / "requirements.txt").read_text().splitlines()
    line = next(r for r in lines if r.startswith("uvloop"))
    assert line.split("#")[0].strip().endswith('sys_platform != "win32"')
    if sys.platform == "win32":
        pytest.skip("uvloop does not run on Windows")
    import uvloop
    from streamlit.web import bootstrap

    loop = bootstrap._get_uvloop_loop_factory()()
    try:
        assert isinstance(loop, uvloop.Loop)
    finally:
        loop.close()


def test_the_proxy_names_a_type_for_every_kind_of_file_streamlit_ships():
    """nginx serves Streamlit's /static/ files itself, with only the types it is told.

    An unnamed suffix goes out as text/plain, and a script module sent so is not
    run: a Streamlit release that ships, say, ``.mjs`` must fail here first.
    """
    import streamlit

    template = (ROOT / "deploy/nginx.conf.template").read_text()
    block = re.search(r"location /static/ \{.*?types \{(.*?)\}", template, re.S)
    assert block, "deploy/nginx.conf.template has no types block under location /static/"
    named = {
        suffix
        for line in block.group(1).strip().rstrip(";").split(";")
        for suffix in line.split()[1:]
    }
    shipped = Path(streamlit.__file__).parent / "static" / "static"
    suffixes = {p.suffix.lstrip(".") for p in shipped.rglob("*") if p.is_file()}
    assert suffixes, f"no files under {shipped}"
    assert suffixes <= named, f"types missing from the proxy: {sorted(suffixes - named)}"
    assert "application/javascript js;" in " ".join(block.group(1).split())
