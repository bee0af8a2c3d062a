"""Shared test set-up: the exercise's worked cases and a hypothesis profile."""

import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

# Tests import the loop reference as ``from reference import ...`` whether or
# not the tests folder is ever made a package.
sys.path.insert(0, str(Path(__file__).parent))

# Timing-based failures are noise on a shared 2-core machine; each test sets
# its own max_examples.
settings.register_profile("convscope", deadline=None)
settings.load_profile("convscope")


@pytest.fixture
def exercise_2d():
    """The exercise's 2-D case: input, filter and published stride-1 answer."""
    x = np.array(
        [
            [0.15, 0.71, 0.26, -0.11, -2.03],
            [0.13, 0.44, -0.11, -0.23, 0.19],
            [-1.44, 0.51, 0.42, 2.58, -0.88],
            [-1.18, 2.73, 2.35, 0.21, -0.29],
            [-1.64, -0.37, 0.27, 0.57, 1.82],
        ]
    )
    kernel = np.array([[0.08, 0.27, -0.24], [-0.25, -0.11, -0.18], [0.44, 1.87, 1.18]])
    expected = np.array([[0.9, 4.15, 4.47], [7.74, 5.27, 0.74], [-1.6, -0.43, 3.72]])
    return x, kernel, expected


@pytest.fixture
def exercise_3d():
    """The exercise's 3-D case (seed 123, stride 2) and its published first-row start."""
    rng = np.random.default_rng(123)
    x = rng.normal(size=(33, 33, 3)).round(2)
    kernel = rng.normal(size=(5, 5, 3)).round(2)
    return x, kernel, np.array([1.64, -3.22, -2.44, 5.48])
