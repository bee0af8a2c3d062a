"""Limits are consistent with each other and with the Streamlit upload setting."""

import pathlib

import pytest

from conv.app import limits as app_limits
from conv.io import limits

tomllib = pytest.importorskip("tomllib")  # Python 3.11+

CONFIG = pathlib.Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml"


def test_upload_limit_matches_streamlit_config():
    if not CONFIG.exists():
        pytest.skip(".streamlit/config.toml does not exist yet")
    with CONFIG.open("rb") as fh:
        config = tomllib.load(fh)
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB


def test_limits_are_ordered_and_sized():
    assert limits.MAX_UPLOAD_MB == 20
    assert limits.MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert app_limits.MAX_DRAWN_CELLS < app_limits.MAX_OUTPUT_CELLS <= limits.MAX_CELLS
    assert app_limits.MAX_CELLS == limits.MAX_CELLS  # the app reads what the library reads
    # The largest allowed float64 array must fit comfortably in a small host's memory.
    assert limits.MAX_CELLS * 8 <= 256 * 2**20
    assert 20 <= limits.MAX_TEXT_CELL_CHARS <= 1000
    for name in limits.__all__:
        value = getattr(limits, name)
        assert isinstance(value, int) and value > 0, name
