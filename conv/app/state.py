"""The session's state: one :class:`Settings` value, moved only by callbacks.

Widgets are keyed ``w.<field>`` (``w.<field>.<i>`` for one side of a pair)
and bound to their field by :func:`bind`, which gives the widget its value
from the settings when it is first drawn (or drawn again after being
hidden) and a callback that moves the settings when the user changes it.
No page re-assigns widget state on every run.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import streamlit as st
from streamlit import runtime

from conv.app import sessions
from conv.app.settings import BY_NAME, Settings

__all__ = ["bind", "current", "errors", "load_json", "replace", "start", "sync_url"]

SETTINGS = "settings"
ERRORS = "setting_errors"  # field name -> message for a value that was refused
LINK = "link_problems"
STASH = "settings_before_example"


def start(query: Mapping[str, object]) -> None:
    """On a session's first run, take the settings from the link."""
    if runtime.exists():
        sessions.release_closed()
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
