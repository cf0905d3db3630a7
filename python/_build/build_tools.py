"""What HiGHS's build needs and whether this machine has it: one implementation for
``.ci/setup`` (which installs the Debian packages) and the Python build backend (which
fetches PyPI wheels instead).

The ``highs-sys`` crate compiles HiGHS with CMake (so ``cmake``, ``make`` and a C++ compiler)
and generates its Rust bindings with bindgen, which loads libclang at build time through
clang-sys. The libclang test mirrors clang-sys's own search (clang-sys 1.9, ``runtime``
feature, Linux), so that "found" here means "bindgen will find it":

- ``LIBCLANG_PATH`` set: only that file, or that directory, is searched;
- otherwise ``$(llvm-config --prefix)/{bin,lib,lib64}``, then ``LD_LIBRARY_PATH`` and
  ``LIBRARY_PATH``, then ``/usr/local/llvm*/lib*``, ``/usr/local/lib*`` and ``/usr/lib*``
  with up to two levels of subdirectories;
- file names ``libclang.so``, ``libclang-*.so``, ``libclang.so.*``, ``libclang-*.so.*``, never
  one containing ``-cpp.``: ``libclang-cpp.so.14`` (Debian's libclang-cpp14, often present
  without libclang) is the C++ library, not the C API bindgen loads;
- the file must be a readable ELF shared object of this machine's word size.

Run as a script it prints what is missing, one line per Debian package:
``python3 build_tools.py missing`` -> ``libclang-dev<TAB>why``; exit status 0 either way.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import shutil
import struct
import subprocess
import sys
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

LIBCLANG_PATTERNS = ("libclang.so", "libclang-*.so", "libclang.so.*", "libclang-*.so.*")
LINUX_DIRECTORIES = (
    "/usr/local/llvm*/lib*",
    "/usr/local/lib*/*/*",
    "/usr/local/lib*/*",
    "/usr/local/lib*",
    "/usr/lib*/*/*",
    "/usr/lib*/*",
    "/usr/lib*",
)


def is_libclang_name(filename: str) -> bool:
    """True when clang-sys would take ``filename`` for libclang (the C API library)."""
    if "-cpp." in filename:
        return False
    return any(fnmatch.fnmatchcase(filename, p) for p in LIBCLANG_PATTERNS)


def _elf_class_ok(path: str) -> bool:
    """A readable ELF file of this interpreter's word size (clang-sys's validation)."""
    try:
        with open(path, "rb") as f:
            head = f.read(5)
    except OSError:
        return False
    if len(head) < 5 or head[:4] != b"\x7fELF":
        return False
    want = 2 if struct.calcsize("P") == 8 else 1
    return head[4] == want


def _search_directory(directory: str) -> List[str]:
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return []
    return [os.path.join(directory, n) for n in names if is_libclang_name(n)]


def _llvm_prefix(env: Mapping[str, str]) -> Optional[str]:
    exe = env.get("LLVM_CONFIG_PATH", "llvm-config")
    try:
        out = subprocess.run([exe, "--prefix"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    lines = out.stdout.splitlines()
    return lines[0].strip() if lines else None


def find_libclang(
    env: Optional[Mapping[str, str]] = None,
    root: str = "",
    llvm_prefix: Optional[Callable[[Mapping[str, str]], Optional[str]]] = None,
) -> Optional[str]:
    """The libclang that bindgen would load, or None.

    ``root`` prefixes the standard directories (tests point it at a fake tree);
    ``llvm_prefix`` replaces the ``llvm-config --prefix`` call (tests pass a stub).
    """
    env = os.environ if env is None else env
    llvm_prefix = _llvm_prefix if llvm_prefix is None else llvm_prefix
    candidates: List[str] = []
    explicit = env.get("LIBCLANG_PATH")
    if explicit:
        if os.path.isfile(explicit) and is_libclang_name(os.path.basename(explicit)):
            candidates.append(explicit)
        else:
            candidates.extend(_search_directory(explicit))
        return next((c for c in candidates if _elf_class_ok(c)), None)
    prefix = llvm_prefix(env)
    if prefix:
        for sub in ("bin", "lib", "lib64"):
            candidates.extend(_search_directory(os.path.join(prefix, sub)))
    for var in ("LD_LIBRARY_PATH", "LIBRARY_PATH"):
        for d in env.get(var, "").split(os.pathsep):
            if d:
                candidates.extend(_search_directory(d))
    for pattern in LINUX_DIRECTORIES:
        for d in sorted(glob.glob(root + pattern)):
            if os.path.isdir(d):
                candidates.extend(_search_directory(d))
    return next((c for c in candidates if _elf_class_ok(c)), None)


def _has_venv(python: str) -> bool:
    """True when ``python -m venv`` can create an environment with pip (Debian's python3
    needs the python3-venv package for ensurepip)."""
    try:
        subprocess.run(
            [python, "-c", "import venv, ensurepip"], capture_output=True, check=True
        )
        return True
    except (OSError, subprocess.CalledProcessError):
        return False


Which = Callable[[str], Optional[str]]


def missing_debian_packages(
    env: Optional[Mapping[str, str]] = None,
    which: Which = shutil.which,
    libclang: Optional[Callable[[], Optional[str]]] = None,
    venv_ok: Optional[Callable[[], bool]] = None,
) -> List[Tuple[str, str]]:
    """(Debian package, reason) for every tool the build and the tests need but lack."""
    env = os.environ if env is None else env
    libclang = (lambda: find_libclang(env)) if libclang is None else libclang
    venv_ok = (lambda: _has_venv(sys.executable)) if venv_ok is None else venv_ok
    out: List[Tuple[str, str]] = []
    if not (env.get("CMAKE") or which("cmake")):
        out.append(("cmake", "HiGHS is compiled with CMake and no cmake is on PATH"))
    if not which("make"):
        out.append(("make", "CMake's Makefile generator runs make and none is on PATH"))
    if not (env.get("CXX") or which("c++") or which("g++") or which("clang++")):
        out.append(("g++", "HiGHS is C++ and no C++ compiler (c++, g++, clang++) is on PATH"))
    if libclang() is None:
        why = (
            f"LIBCLANG_PATH={env['LIBCLANG_PATH']} holds no libclang.so"
            if env.get("LIBCLANG_PATH")
            else "bindgen loads libclang (libclang.so, libclang-N.so or libclang.so.N) and "
            "none was found (libclang-cpp is a different library)"
        )
        out.append(("libclang-dev", why))
    if not venv_ok():
        out.append(("python3-venv", "the tests install the Python package into a venv"))
    return out


def main(argv: Sequence[str]) -> int:
    if len(argv) >= 2 and argv[1] == "missing":
        for package, why in missing_debian_packages():
            print(f"{package}\t{why}")
        return 0
    if len(argv) >= 2 and argv[1] == "libclang":
        found = find_libclang()
        print(found or "not found")
        return 0 if found else 1
    print("usage: build_tools.py missing|libclang", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))

