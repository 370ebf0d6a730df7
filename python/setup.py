"""Builds the `daq` wheel: the pure-Python package plus a copy of
libDaqCAPI.so from the repository's CMake build (built with
scripts/build.sh when it is missing). Metadata is in pyproject.toml.

Environment: DAQ_CAPI_LIBRARY (a library to package instead),
DAQ_BUILD_DIR (the CMake build directory, default <repository>/build).
"""

import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.dist import Distribution

LIBRARY = "libDaqCAPI.so"
HERE = Path(__file__).resolve().parent
REPOSITORY = HERE.parent


def find_library():
    """The library to package, building it if the repository has none."""
    env = os.environ.get("DAQ_CAPI_LIBRARY")
    if env:
        if not Path(env).is_file():
            raise SystemExit("DAQ_CAPI_LIBRARY=%s does not exist" % env)
        return Path(env)
    build = Path(os.environ.get("DAQ_BUILD_DIR") or REPOSITORY / "build")
    library = build / "lib" / LIBRARY
    if not library.is_file():
        script = REPOSITORY / "scripts" / "build.sh"
        if not script.is_file():
            raise SystemExit(
                "%s not found and no scripts/build.sh to build it: build the "
                "package from a daq checkout, or set DAQ_CAPI_LIBRARY"
                % library)
        print("daq: %s is missing, building it with %s" % (library, script))
        subprocess.check_call(["bash", str(script), "DaqCAPI"])
    if not library.is_file():
        raise SystemExit("scripts/build.sh did not produce %s" % library)
    return library


class BuildPy(build_py):
    def run(self):
        super().run()
        library = find_library()
        # An editable install imports python/daq in place, and daq/_capi.py
        # finds the library in the repository's build/lib by itself; a copy
        # would go stale on the next rebuild.
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "daq" / LIBRARY
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(library, target)


class BinaryDistribution(Distribution):
    """The wheel holds a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


setup(cmdclass={"build_py": BuildPy}, distclass=BinaryDistribution)
