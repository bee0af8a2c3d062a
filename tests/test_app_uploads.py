"""The page's file handling: filter-bank uploads, what the uploaders accept and say, and
the reproducing code run next to the app's own ``.npy`` downloads."""

import csv
import io

import numpy as np
from apptest import open_app, result
from reference import reference_conv2d
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from conv import io as conv_io
from conv.app import limits

NPY = "application/octet-stream"


def upload(at: AppTest, key: str, name: str, data: bytes) -> AppTest:
    at.file_uploader(key=key).set_value((name, data, NPY)).run()
    assert not at.exception, at.exception
    return at


def bank(shape=(5, 5, 3, 4), seed=11) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape).round(3)


def deferred_downloads(monkeypatch) -> dict:
    """file name -> the callable a download button will run when clicked.

    Recorded where Streamlit registers them, since AppTest cannot click a
    deferred download.
    """
    made: dict = {}
    real = MediaFileManager.add_deferred

    def record(self, data_callable, *args, **kwargs):
        made[kwargs.get("file_name")] = data_callable
        return real(self, data_callable, *args, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return made


def long_form(data: bytes, shape: tuple) -> np.ndarray:
    """Parse a long-form CSV with the csv module, independent of conv.io."""
    rows = list(csv.reader(io.StringIO(data.decode())))
    out = np.full(shape, np.nan)
    for *index, value in rows[1:]:
        out[tuple(int(i) for i in index)] = float(value)
    assert len(rows) - 1 == out.size and not np.isnan(out).any()
    return out


def test_a_filter_bank_uploaded_as_npy_is_convolved_and_downloadable(exercise_3d):
    x, _, _ = exercise_3d
    k = bank()
    at = upload(open_app(example="seed-3d", filter="upload"), "k_upload.file", "bank.npy",
                conv_io.to_npy(k))  # fmt: skip
    assert not at.error, [e.value for e in at.error]
    out = result(at).out
    assert out.shape == (15, 15, 4)
    np.testing.assert_allclose(out, reference_conv2d(x, k, stride=2), rtol=1e-12)
    labels = [b.label for b in at.get("download_button")]
    assert "filter .npy" in labels and "filter .csv" in labels


def test_a_filter_bank_uploaded_as_long_form_csv_is_read_back_exactly(exercise_3d):
    x, _, _ = exercise_3d
    k = bank(shape=(3, 2, 3, 2))
    rows = ["row,col,channel,filter,value"]
    rows += [f"{r},{c},{ch},{f},{float(k[r, c, ch, f])!r}" for r, c, ch, f in np.ndindex(k.shape)]
    data = "\n".join(reversed(rows[1:])).encode()  # any order, header first
    data = (rows[0] + "\n").encode() + data
    at = upload(open_app(example="seed-3d", filter="upload"), "k_upload.file", "bank.csv", data)
    assert not at.error, [e.value for e in at.error]
    np.testing.assert_array_equal(result(at).kernel, k)
    np.testing.assert_allclose(result(at).out, reference_conv2d(x, k, stride=2), rtol=1e-12)


def test_a_four_dimensional_input_upload_is_refused_by_name():
    at = open_app(source="upload", filter="preset", preset="box-blur")
    at = upload(at, "x_upload.file", "bank.npy", conv_io.to_npy(bank()))
    assert len(at.error) == 1
    message = at.error[0].value
    assert "bank.npy: has 4 dimensions (shape (5, 5, 3, 4)); at most 3, (H, W, C)" in message


def test_numpy_code_runs_with_the_downloaded_filter_npy(tmp_path, monkeypatch, exercise_3d):
    x, _, _ = exercise_3d
    k = bank()  # 300 cells: too many to print, so the code loads filter.npy
    at = upload(open_app(example="seed-3d", filter="upload", padding="same"), "k_upload.file",
                "bank.npy", conv_io.to_npy(k))  # fmt: skip
    good = result(at)
    code = next(c.value for c in at.code if "sliding_window_view" in c.value)
    assert 'k = np.load("filter.npy")' in code
    # The files the download buttons serve, written where the user would save them.
    (tmp_path / "filter.npy").write_bytes(conv_io.to_npy(good.kernel))
    (tmp_path / "input.npy").write_bytes(conv_io.to_npy(good.x))
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "<numpy snippet>", "exec"), namespace)
    want = reference_conv2d(x, k, stride=2, padding="same")
    np.testing.assert_allclose(namespace["out"], want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(good.out, want, rtol=1e-12, atol=1e-12)


def test_filter_bank_downloads_are_made_on_click_and_hold_the_bank(monkeypatch):
    made = deferred_downloads(monkeypatch)
    writes = []
    for name in ("to_csv", "to_npy"):
        real = getattr(conv_io, name)
        monkeypatch.setattr(conv_io, name, lambda a, real=real: writes.append(a) or real(a))
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    at.number_input(key="w.cell.0").set_value(3).run()
    assert writes == []  # two runs and not one file made: they wait for a click
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    want = np.stack([sobel_x, sobel_x.T], axis=-1)[:, :, None, :]  # (3, 3, 1, 2)
    assert set(made) >= {"filter.npy", "filter.csv", "output.csv", "input.npy"}
    np.testing.assert_array_equal(np.load(io.BytesIO(made["filter.npy"]())), want)
    header = made["filter.csv"]().decode().splitlines()[0]
    assert header == "row,col,channel,filter,value"
    np.testing.assert_array_equal(long_form(made["filter.csv"](), (3, 3, 1, 2)), want)
    out = result(at).out
    np.testing.assert_array_equal(long_form(made["output.csv"](), out.shape), out)


def test_uploaders_accept_exactly_what_read_array_reads():
    at = open_app(source="upload", filter="upload")
    uploaders = at.get("file_uploader")[:2]
    assert [u.key for u in uploaders] == ["x_upload.file", "k_upload.file"]
    for uploader in uploaders:
        # Streamlit keeps the types with a leading dot.
        assert [t.lstrip(".") for t in uploader.allowed_type] == list(conv_io.UPLOAD_TYPES)


def test_upload_help_names_formats_layouts_and_the_current_limits(monkeypatch):
    # Odd limits prove the text is made from the app's limits, not typed in.
    monkeypatch.setattr(limits, "MAX_UPLOAD_MB", 7)
    monkeypatch.setattr(limits, "MAX_CELLS", 1_234_567)
    at = open_app(source="upload", filter="upload")
    x_help = at.file_uploader(key="x_upload.file").help
    k_help = at.file_uploader(key="k_upload.file").help
    for text in (x_help, k_help):
        for ext in conv_io.UPLOAD_TYPES:
            assert f".{ext}" in text
        assert "`row,col,channel,value`" in text and "0-based" in text
        assert "a single line is read as a 1×N row" in text
        assert "At most 7 MB and 1,234,567 cells" in text
    assert "`row,col,channel,filter,value`" in k_help
    assert "filter" not in x_help  # an input is never a filter bank


def test_a_2d_input_with_a_filter_bank_downloads_as_given_and_the_code_runs_on_it(
    tmp_path, monkeypatch
):
    made = deferred_downloads(monkeypatch)
    at = open_app(example="test-image", filter="preset", preset="sobel-x,sobel-y")
    good = result(at)
    x = good.x
    assert x.shape == (64, 64)
    # A 2-D input is a headerless matrix, not the long form of a (64, 64, 1) array.
    np.testing.assert_array_equal(np.loadtxt(io.BytesIO(made["input.csv"]()), delimiter=","), x)
    assert np.load(io.BytesIO(made["input.npy"]())).shape == (64, 64)
    assert any("input **64 × 64**," in m.value for m in at.markdown)
    # The printed code, run next to the files the buttons serve.
    code = next(c.value for c in at.code if "sliding_window_view" in c.value)
    assert 'x = np.load("input.npy")' in code
    for name in ("input.npy", "filter.npy"):
        (tmp_path / name).write_bytes(made[name]())
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "<numpy snippet>", "exec"), namespace)
    sobel_x = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    k = np.stack([sobel_x, sobel_x.T], axis=-1)[:, :, None, :]
    want = reference_conv2d(x, k, padding="same", pad_mode="replicate")
    np.testing.assert_allclose(namespace["out"], want, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(good.out, want, rtol=1e-12, atol=1e-12)


def test_an_upload_is_kept_while_hidden_and_dropped_by_its_remove_button(exercise_2d):
    x, _, _ = exercise_2d
    at = open_app(source="upload", filter="preset", preset="box-blur", stride="1")
    data = conv_io.to_csv(x)
    at = upload(at, "x_upload.file", "x.csv", data)
    want = reference_conv2d(x, np.ones((3, 3)) / 9)
    np.testing.assert_allclose(result(at).out, want, rtol=1e-12)
    at.radio(key="w.source").set_value("example").run()
    at.radio(key="w.source").set_value("upload").run()
    assert any("uploaded earlier" in c.value for c in at.caption)
    assert not at.error
    np.testing.assert_allclose(result(at).out, want, rtol=1e-12)
    # A new upload replaces it; the × (the uploader cleared) removes it.
    at = upload(at, "x_upload.file", "x.csv", data)
    at.file_uploader(key="x_upload.file").set_value(None).run()
    assert not at.exception
    assert any("choose a file to upload" in e.value for e in at.error)
    assert not any("uploaded earlier" in c.value for c in at.caption)


def test_an_rgba_upload_says_its_alpha_channel_was_dropped():
    from PIL import Image

    rgba = np.zeros((6, 7, 4), np.uint8)
    rgba[..., 0], rgba[..., 3] = 200, 128
    data = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(data, "PNG")
    at = open_app(source="upload", filter="preset", preset="box-blur", stride="1")
    at = upload(at, "x_upload.file", "rgba.png", data.getvalue())
    assert any("alpha channel" in c.value and "dropped" in c.value for c in at.caption)
    assert result(at).x.shape == (6, 7, 3)  # colour kept, transparency gone
    np.testing.assert_allclose(result(at).x[..., 0], 200 / 255)
