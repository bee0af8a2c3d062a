"""Closed sessions given back: Streamlit's memory after the visitors leave.

Streamlit keeps a closed tab's session (its whole session_state: results,
kept uploads) for ``server.disconnectedSessionTTL`` seconds so a reconnect
can resume it, but removes expired ones only when another session
disconnects: after the last visitor leaves, up to 128 of them stay in memory
for good. One thread per server process drops them once expired, with the
cached arrays past their ttl (:data:`conv.app.result.ARRAYS`), and hands
the memory back to the system (``malloc_trim`` where glibc is there).
Measured by ``benchmarks/load_test.py --probe``.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
import time
from concurrent.futures import Future

import streamlit as st
from streamlit import runtime

from conv.app import result

__all__ = ["RELEASE_EVERY", "release_closed"]

#: Seconds between looks for closed sessions past the reconnect window.
RELEASE_EVERY = 10.0


@st.cache_resource(max_entries=1, show_spinner=False)
def release_closed() -> threading.Thread:
    """Start the releasing thread, once per server process (the cache keeps it single)."""
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
        dropped = result.ARRAYS.prune()  # arrays past their ttl, once nobody asks for them
        if released or dropped:
            gc.collect()  # a session sits in reference cycles; its shutdown runs on collection
            _malloc_trim()


def _malloc_trim() -> None:
    """Give glibc's free heap pages back to the system (elsewhere: nothing to do)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
