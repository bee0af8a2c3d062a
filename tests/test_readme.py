"""The README's Python examples run and print what the exercise publishes."""

import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_python_blocks_run_and_reproduce_the_exercise():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    for block in blocks:
        exec(block, namespace)
    out = namespace["out"]
    assert out.shape == (15, 15)
    np.testing.assert_array_equal(out[0, :4].round(2), [1.64, -3.22, -2.44, 5.48])


def test_readme_test_command_is_the_one_ci_runs():
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    readme = README.read_text(encoding="utf-8")
    test_line = next(line for line in readme.splitlines() if "pytest" in line)
    install, test = (part.strip() for part in test_line.split("#")[0].split("&&"))
    assert install.replace("pip", "python -m pip") in ci
    assert f"\n{test}\n" in ci
