"""Opening the page under streamlit.testing.v1.AppTest, shared by the AppTest suites."""

from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "streamlit_app.py")


def open_app(**query) -> AppTest:
    """Run the page once with ``query`` as its URL query string; fail on any exception."""
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at
