"""LazyFigure sends exactly what plotly's own figure would, and is a full figure when read."""

import copy
import json
import pickle

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import conv
from conv.app import figures, overview
from conv.app.lazy_figure import LazyFigure, pixel_width


def sent(fig_dict: dict) -> dict:
    """The JSON Streamlit sends for a figure's ``to_dict()``, read back."""
    return json.loads(pio.to_json(fig_dict, validate=False))


def by_plotly(fig: LazyFigure) -> dict:
    """The reference: plotly's own figure from the same traces and layout."""
    data, layout = fig.__dict__["_spec"]
    return sent(go.Figure(data=data, layout=layout, _validate=False).to_dict())


def app_figures():
    rng = np.random.default_rng(123)
    x = rng.normal(size=(33, 33, 3)).round(2)
    k = rng.normal(size=(5, 5, 3)).round(2)
    out = conv.conv2d(x, k, stride=2, padding=1)
    pads = ((1, 1), (1, 1))
    window = conv.explain_cell(x, k, 0, 3, stride=2, padding=1)
    padded = conv.pad(x, pads)
    unread = (np.array([33]), np.array([], dtype=int))
    bank = rng.normal(size=(3, 3, 2, 5))
    return {
        "input, padded, window, unread": figures.array_figure(
            x, padded=padded, padding=pads, window=window, zoom=7, unread=unread
        ),
        "input 2-D, large, sampled": figures.array_figure(rng.normal(size=(300, 200))),
        "kernel flipped bank": figures.kernel_figure(bank, flip=True, filter_index=3),
        "output, selected": figures.output_figure(out, selected=(2, 4)),
        "output, filling (NaN)": figures.output_figure(out, filled=20, colors="viridis"),
        "output bank, region": figures.output_figure(
            rng.normal(size=(40, 40, 3)), filter_index=1, region=np.s_[5:20, 10:30]
        ),
        "integers": figures.array_figure(np.arange(12, dtype=np.int64).reshape(3, 4)),
        "overview, targets and boxes": overview.overview_figure(
            ["data:,", "data:,"], (900, 700), names=["a", "b"], box=(10, 12, 20, 30), targets=True
        ),
        "overview, large panel": overview.overview_figure(
            ["data:,"], (70_000, 40), box=(0, 0, 0, 0)
        ),
    }


@pytest.mark.parametrize("name", list(app_figures()))
def test_the_app_figures_send_what_plotly_would(name):
    fig = app_figures()[name]
    assert isinstance(fig, LazyFigure) and "_spec" in fig.__dict__
    assert sent(fig.to_dict()) == by_plotly(fig)
    assert "_spec" in fig.__dict__  # sending did not build the plotly figure


@given(
    hnp.arrays(
        st.sampled_from([np.float32, np.float64, np.int64, np.uint64, np.int8, np.bool_]),
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4),
    )
)
def test_any_array_is_encoded_as_plotly_encodes_it(values):
    fig = LazyFigure(
        [{"type": "heatmap", "z": values, "customdata": values, "x": [0, 1]}],
        {"template": {}, "xaxis": {"range": np.array([0, 3])}},
    )
    assert sent(fig.to_dict()) == by_plotly(fig)


def test_reading_it_builds_the_figure_and_later_changes_are_sent():
    fig = figures.array_figure(np.arange(6.0).reshape(2, 3))
    width = pixel_width(fig)
    assert "_spec" in fig.__dict__  # pixel_width reads without building
    assert fig.layout.width == width and fig.data[0].type == "heatmap"
    assert "_spec" not in fig.__dict__
    fig.add_trace(go.Scatter(x=[0], y=[0], name="added"))
    fig.update_layout(width=width + 10)
    sent_now = sent(fig.to_dict())
    assert [t.get("name") for t in sent_now["data"]][-1] == "added"
    assert sent_now["layout"]["width"] == width + 10 == pixel_width(fig)


def test_a_layout_without_template_gets_plotlys_default_as_a_figure_would():
    fig = LazyFigure([{"type": "heatmap", "z": np.eye(2)}], {"width": 80})
    expected = sent(go.Figure(data=[{"type": "heatmap", "z": np.eye(2)}], layout={"width": 80},
                              _validate=False).to_dict())  # fmt: skip
    assert sent(fig.to_dict()) == expected
    assert expected["layout"]["template"]  # the default template is really there


def test_a_missing_attribute_is_still_an_attribute_error():
    fig = LazyFigure([], {"template": {}})
    with pytest.raises(AttributeError, match="no_such_thing"):
        fig.no_such_thing  # noqa: B018
    assert fig.layout.template is not None


def test_a_copy_or_a_pickle_is_an_ordinary_figure_with_the_same_content():
    fig = app_figures()["input, padded, window, unread"]
    data, layout = fig.__dict__["_spec"]
    plotlys = go.Figure(data=data, layout=layout, _validate=False)
    for copied, reference in [
        (copy.deepcopy(fig), copy.deepcopy(plotlys)),
        (pickle.loads(pickle.dumps(fig)), pickle.loads(pickle.dumps(plotlys))),
    ]:
        assert type(copied) is go.Figure
        assert sent(copied.to_dict()) == sent(reference.to_dict())
