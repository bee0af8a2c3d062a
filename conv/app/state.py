"""The session's state: one :class:`Settings` value, moved only by callbacks.

Widgets are keyed ``w.<field>`` (``w.<field>.<i>`` for one side of a pair)
and bound to their field by :func:`bind`, which gives the widget its value
from the settings when it is first drawn (or drawn again after being
hidden) and a callback that moves the settings when the user changes it.
No page re-assigns widget state on every run.
"""

from __future__ import annotations

import contextlib
import ctypes
import dataclasses
import gc
import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future

import streamlit as st
from streamlit import runtime

from conv.app.settings import BY_NAME, Settings

__all__ = ["bind", "current", "errors", "load_json", "replace", "start", "sync_url"]

SETTINGS = "settings"
ERRORS = "setting_errors"  # field name -> message for a value that was refused
LINK = "link_problems"
STASH = "settings_before_example"
# How often closed sessions past Streamlit's reconnect window are looked for.
RELEASE_EVERY = 10.0  # seconds


def start(query: Mapping[str, object]) -> None:
    """On a session's first run, take the settings from the link."""
    if runtime.exists():
        _releaser()
    if SETTINGS not in st.session_state:
        settings, problems = Settings.from_query(query)
        st.session_state[SETTINGS] = settings
        st.session_state[LINK] = problems
        st.session_state[ERRORS] = {}


def current() -> Settings:
    return st.session_state[SETTINGS]


def errors() -> dict[str, str]:
    """Refused widget values, by field, until the field gets a good value."""
    return st.session_state.setdefault(ERRORS, {})


def link_problems() -> list[str]:
    """What the link that opened this session had wrong (shown once)."""
    return st.session_state.pop(LINK, [])


def widget_key(name: str, index: int | None = None) -> str:
    return f"w.{name}" if index is None else f"w.{name}.{index}"


def _widget_value(settings: Settings, name: str, index: int | None):
    value = getattr(settings, name)
    if index is not None:
        return value[index]
    if name == "shape" or name == "kernel_shape":
        return BY_NAME[name].text(value)
    if name == "presets":
        return list(value)
    if name == "decimals":
        return BY_NAME[name].text(value)
    return value


def bind(name: str, index: int | None = None) -> dict:
    """Keyword arguments that tie a widget to field ``name`` (or one side of a pair)."""
    key = widget_key(name, index)
    if key not in st.session_state:
        st.session_state[key] = _widget_value(current(), name, index)
    return {"key": key, "on_change": _changed, "args": (name, index)}


def _changed(name: str, index: int | None) -> None:
    value = st.session_state[widget_key(name, index)]
    if index is not None:
        sides = list(getattr(current(), name))
        sides[index] = value
        value = tuple(sides)
    try:
        settings = current().with_value(name, value)
    except ValueError as error:
        errors()[name] = str(error)
        return
    errors().pop(name, None)
    if name == "source":
        settings = _around_examples(settings)
    replace(settings)


def _around_examples(settings: Settings) -> Settings:
    """An example brings its own filter and parameters; leaving it brings the user's back."""
    before = current()
    if settings.source == "example":
        st.session_state[STASH] = before
    elif before.source == "example" and STASH in st.session_state:
        stashed = st.session_state.pop(STASH)
        settings = dataclasses.replace(stashed, source=settings.source).fitted()
    return settings


def replace(settings: Settings) -> None:
    """Make ``settings`` current and show it in every widget drawn so far (callbacks only)."""
    st.session_state[SETTINGS] = settings
    for field in dataclasses.fields(settings):
        if field.name in errors():
            continue  # keep the text the user is still correcting
        for index in (None, 0, 1, 2, 3):
            key = widget_key(field.name, index)
            if key in st.session_state:
                st.session_state[key] = _widget_value(settings, field.name, index)


def load_json(key: str) -> None:
    """Callback of a settings.json uploader: load it, or say what was wrong."""
    file = st.session_state.get(key)
    if file is None:
        return
    try:
        settings, problems = Settings.from_json(file.getvalue().decode("utf-8", "replace"))
    except ValueError as error:
        st.session_state[LINK] = [str(error)]
        return
    st.session_state[LINK] = problems
    st.session_state[ERRORS] = {}
    replace(settings)


def sync_url(settings: Settings) -> None:
    """Mirror the settings in the address bar, so a copied link reopens this view."""
    query = settings.to_query()
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


# Streamlit keeps a closed tab's session (its whole session_state: results,
# kept uploads) for server.disconnectedSessionTTL seconds so a reconnect can
# resume it, but removes expired ones only when another session disconnects:
# after the last visitor leaves, up to 128 of them stay in memory for good.
# This thread drops them once expired and hands the memory back to the system.


@st.cache_resource(max_entries=1, show_spinner=False)
def _releaser() -> threading.Thread:
    """One thread per server process (the cache keeps it from being started twice)."""
    thread = threading.Thread(
        target=_release_forever, args=(runtime.get_instance(),), name="release", daemon=True
    )
    thread.start()
    return thread


def _release_forever(server_runtime) -> None:
    try:
        manager = server_runtime._session_mgr  # Streamlit 1.67 internals (tests/test_deploy.py)
        storage, lock = manager._session_storage._cache, manager._storage_lock
        loop = server_runtime._get_async_objs().eventloop
    except Exception:  # another Streamlit version: leave its sessions alone
        logging.getLogger(__name__).warning("cannot release closed sessions here")
        return

    def expire(done: Future) -> None:  # on the event loop, like every other use of the storage
        with lock:
            held = len(storage._data)
            storage.expire()
            done.set_result(held - len(storage._data))

    while not loop.is_closed():
        time.sleep(RELEASE_EVERY)
        done = Future()
        try:
            loop.call_soon_threadsafe(expire, done)
            released = done.result(timeout=30)
        except Exception:  # the server is stopping
            return
        if released:
            gc.collect()  # a session sits in reference cycles; its shutdown runs on collection
            _malloc_trim()


def _malloc_trim() -> None:
    """Give glibc's free heap pages back to the system (elsewhere: nothing to do)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
