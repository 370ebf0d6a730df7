"""`pip install ./python` from this checkout works: into a fresh virtual
environment that sees Debian's numpy and torch, without network access,
and the installed package (not the source tree) runs a compiled op and a
daq.torch layer."""

import os
import subprocess
import sys
import textwrap

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.dirname(HERE)

SCRIPT = textwrap.dedent("""
    import numpy as np, torch, daq, daq.ops, daq.torch
    assert daq.__file__.startswith(%r), daq.__file__
    print(float(daq.ops.max_abs(np.array([1.5, -3.0], np.float32))))
    layer = daq.torch.Conv2d(2, 3, 3, padding=1)
    layer(torch.randn(1, 2, 5, 5)).sum().backward()
    print(tuple(layer.weight.grad.shape))
""")


@pytest.mark.skipif(sys.executable != "/usr/bin/python3",
                    reason="installs into a venv of Debian's /usr/bin/python3")
def test_pip_install_into_a_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages",
                    "--without-pip", str(venv)], check=True)
    python = str(venv / "bin" / "python")
    # Offline: Debian's pip installs into the venv and Debian's setuptools
    # builds the wheel; numpy and torch come from the system site packages.
    install = subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install",
         "--no-build-isolation", "--no-deps", "--no-index", "--quiet",
         PACKAGE],
        capture_output=True, text=True, cwd=tmp_path)
    assert install.returncode == 0, install.stdout + install.stderr
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()"
         "['purelib'])"], capture_output=True, text=True, check=True)
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DAQ_CAPI_LIBRARY", "DAQ_BUILD_DIR")}
    run = subprocess.run([python, "-c", SCRIPT % site.stdout.strip()],
                         capture_output=True, text=True, cwd=tmp_path,
                         env=env)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.split() == ["3.0", "(3,", "2,", "3,", "3)"]
