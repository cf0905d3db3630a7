"""PEP 517 build backend of opal: maturin, plus the two tools HiGHS's build needs (the
``highs-sys`` crate compiles HiGHS with CMake and generates its Rust bindings with bindgen,
which loads libclang) fetched from PyPI when the machine does not have them.

- ``cmake``: the PyPI wheel ``cmake`` when no ``cmake`` is on PATH (and ``CMAKE`` is unset);
  pip puts the build environment's ``bin`` first on PATH, where the cmake crate finds it.
- libclang: the PyPI wheel ``libclang`` (``clang/native/libclang.so``) when ``LIBCLANG_PATH``
  is unset and bindgen would find no system libclang (``build_tools.find_libclang``, the
  same search as clang-sys's; ``libclang-cpp`` does not count); ``LIBCLANG_PATH`` then
  points bindgen at it.

``OPAL_BUILD_TOOLS=pypi`` always uses the wheels, ``OPAL_BUILD_TOOLS=system`` never does.
A C++ compiler (g++ or clang++) is still needed: neither wheel provides one.
"""

import importlib.util
import os
import shutil
import sys

import maturin as _maturin

from build_tools import find_libclang  # beside this file: pyproject's backend-path

_MODE = os.environ.get("OPAL_BUILD_TOOLS", "auto").lower()


def _need_cmake():
    if _MODE == "pypi":
        return True
    if _MODE == "system":
        return False
    return not (os.environ.get("CMAKE") or shutil.which("cmake"))


def _need_libclang():
    if _MODE == "pypi":
        return True
    if _MODE == "system" or os.environ.get("LIBCLANG_PATH"):
        return False
    return find_libclang() is None


def _tools():
    reqs = []
    if _need_cmake():
        reqs.append("cmake>=3.16")
    if _need_libclang():
        reqs.append("libclang>=14")
    return reqs


def _point_bindgen_at_wheel():
    """Sets LIBCLANG_PATH to the libclang wheel's library, when that wheel is wanted."""
    if not _need_libclang() or (_MODE != "pypi" and os.environ.get("LIBCLANG_PATH")):
        return
    spec = importlib.util.find_spec("clang")
    if spec is None or not spec.submodule_search_locations:
        return  # not installed (e.g. --no-build-isolation): bindgen reports what it misses
    native = os.path.join(list(spec.submodule_search_locations)[0], "native")
    if os.path.isdir(native):
        os.environ["LIBCLANG_PATH"] = native
        print(f"opal build: LIBCLANG_PATH={native} (PyPI libclang)", file=sys.stderr)


def get_requires_for_build_wheel(config_settings=None):
    return _maturin.get_requires_for_build_wheel(config_settings) + _tools()


def get_requires_for_build_editable(config_settings=None):
    return _maturin.get_requires_for_build_wheel(config_settings) + _tools()


def get_requires_for_build_sdist(config_settings=None):
    return _maturin.get_requires_for_build_sdist(config_settings)


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    return _maturin.prepare_metadata_for_build_wheel(metadata_directory, config_settings)


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _point_bindgen_at_wheel()
    return _maturin.build_wheel(wheel_directory, config_settings, metadata_directory)


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    _point_bindgen_at_wheel()
    return _maturin.build_editable(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory, config_settings=None):
    return _maturin.build_sdist(sdist_directory, config_settings)
