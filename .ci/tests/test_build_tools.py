"""build_tools.find_libclang must say what bindgen (clang-sys) will find: a fake file tree
per case, the standard directories rooted in it, no llvm-config."""

import os
import struct

import pytest

import build_tools as bt

ELF64 = b"\x7fELF\x02" + b"\x00" * 59
ELF32 = b"\x7fELF\x01" + b"\x00" * 47
NATIVE = ELF64 if struct.calcsize("P") == 8 else ELF32
FOREIGN = ELF32 if struct.calcsize("P") == 8 else ELF64


def _put(root, rel, data=NATIVE):
    path = os.path.join(root, rel.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)
    return path


def _find(root, env=None):
    return bt.find_libclang(env=env or {}, root=str(root), llvm_prefix=lambda e: None)


@pytest.mark.parametrize(
    "name,ok",
    [
        ("libclang.so", True),
        ("libclang-14.so", True),
        ("libclang.so.1", True),
        ("libclang.so.14.0.6", True),
        ("libclang-14.so.1", True),
        ("libclang-cpp.so.14", False),  # Debian's libclang-cpp14: the C++ library
        ("libclang-cpp.so", False),
        ("libclang.a", False),
        ("libclangBasic.a", False),
        ("libclang_rt.asan-x86_64.so", False),
    ],
)
def test_names_that_clang_sys_takes(name, ok):
    assert bt.is_libclang_name(name) is ok


def test_libclang_cpp_alone_is_not_libclang(tmp_path):
    # The machine of issue 15: only libclang-cpp14 installed.
    _put(tmp_path, "/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14")
    assert _find(tmp_path) is None


def test_debian_libclang1_is_found(tmp_path):
    _put(tmp_path, "/usr/lib/x86_64-linux-gnu/libclang-cpp.so.14")
    want = _put(tmp_path, "/usr/lib/x86_64-linux-gnu/libclang-14.so.1")
    assert _find(tmp_path) == want


def test_llvm_tree_two_levels_down_is_found(tmp_path):
    want = _put(tmp_path, "/usr/lib/llvm-14/lib/libclang.so.1")
    assert _find(tmp_path) == want


def test_usr_local_is_searched(tmp_path):
    want = _put(tmp_path, "/usr/local/lib/libclang.so")
    assert _find(tmp_path) == want


def test_not_elf_or_wrong_word_size_is_refused(tmp_path):
    _put(tmp_path, "/usr/lib/libclang.so", b"INPUT(-lclang)\n")  # a linker script
    assert _find(tmp_path) is None
    _put(tmp_path, "/usr/lib/libclang.so", FOREIGN)
    assert _find(tmp_path) is None


def test_libclang_path_directory_is_the_only_place_searched(tmp_path):
    _put(tmp_path, "/usr/lib/x86_64-linux-gnu/libclang-14.so.1")
    custom = tmp_path / "custom"
    custom.mkdir()
    assert _find(tmp_path, {"LIBCLANG_PATH": str(custom)}) is None
    want = _put(tmp_path, "/custom/libclang.so")
    assert _find(tmp_path, {"LIBCLANG_PATH": str(custom)}) == want


def test_libclang_path_file(tmp_path):
    want = _put(tmp_path, "/wheel/clang/native/libclang.so")
    assert _find(tmp_path, {"LIBCLANG_PATH": want}) == want
    cpp = _put(tmp_path, "/wheel/clang/native/libclang-cpp.so.14")
    assert _find(tmp_path, {"LIBCLANG_PATH": cpp}) is None


def test_ld_library_path_and_llvm_config_prefix(tmp_path):
    lib = _put(tmp_path, "/opt/llvm/lib/libclang.so")
    assert _find(tmp_path) is None  # /opt is not a standard directory
    assert _find(tmp_path, {"LD_LIBRARY_PATH": os.path.dirname(lib)}) == lib
    found = bt.find_libclang(env={}, root=str(tmp_path), llvm_prefix=lambda e: str(tmp_path / "opt/llvm"))
    assert found == lib


def _which(present):
    return lambda name: f"/usr/bin/{name}" if name in present else None


def test_missing_packages_named_with_reasons():
    missing = bt.missing_debian_packages(
        env={}, which=_which({"make"}), libclang=lambda: None, venv_ok=lambda: False
    )
    names = [p for p, _ in missing]
    assert names == ["cmake", "g++", "libclang-dev", "python3-venv"]
    assert all(why for _, why in missing)
    assert "libclang-cpp" in dict(missing)["libclang-dev"]


def test_nothing_missing_when_everything_is_there():
    missing = bt.missing_debian_packages(
        env={},
        which=_which({"cmake", "make", "g++"}),
        libclang=lambda: "/usr/lib/libclang.so",
        venv_ok=lambda: True,
    )
    assert missing == []


def test_cmake_and_cxx_from_environment_count():
    missing = bt.missing_debian_packages(
        env={"CMAKE": "/opt/cmake", "CXX": "/opt/clang++"},
        which=_which({"make"}),
        libclang=lambda: "/x/libclang.so",
        venv_ok=lambda: True,
    )
    assert missing == []
