"""Messages every page shows first: what the link could not use, and refused values."""

import streamlit as st

from conv.app import state

__all__ = ["settings_problems"]


def settings_problems() -> None:
    """Name each setting the link (or a loaded settings.json) could not use, and each value
    a widget refused; the settings keep their last good values meanwhile."""
    problems = state.link_problems()
    if problems:
        st.warning(
            "Some settings could not be used and were left as they were:\n\n"
            + "\n".join(f"- {p}" for p in problems)
        )
    for message in state.errors().values():
        st.error(message, icon="⚠️")
