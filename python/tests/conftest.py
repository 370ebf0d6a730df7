"""Test setup: import `daq` from this checkout (python/) unless
DAQ_TEST_INSTALLED=1 asks for the installed package, and make the
independent numpy reference of test/numerics importable."""

import os
import sys

import numpy as np
import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)
REPOSITORY = os.path.dirname(PACKAGE_ROOT)

if os.environ.get("DAQ_TEST_INSTALLED") != "1":
    sys.path.insert(0, PACKAGE_ROOT)
# daq_reference.py: written from the op documentation, not from any lowering.
sys.path.insert(0, os.path.join(REPOSITORY, "test", "numerics", "lib"))


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
