""".ci/setup itself, run with a PATH of stand-ins (no real apt-get, no real build): it must
name what is missing and why, install it when root, and stop before building when it
cannot install."""

import os
import shutil
import subprocess
import sys

from conftest import REPO


def _bin(tmp_path, fake_uid, with_apt):
    b = tmp_path / "bin"
    b.mkdir()
    for tool in ("bash", "dirname", "cat"):
        os.symlink(shutil.which(tool), b / tool)
    os.symlink(sys.executable, b / "python3")
    log = tmp_path / "calls.log"

    def script(name, body):
        p = b / name
        p.write_text("#!" + shutil.which("bash") + "\n" + body)
        p.chmod(0o755)

    script("id", f'echo {fake_uid}\n')
    script("cargo", f'echo "cargo $*" >> {log}\n')
    if with_apt:
        script("apt-get", f'echo "apt-get $*" >> {log}\n')
    return b, log


def _run(tmp_path, fake_uid, with_apt):
    b, log = _bin(tmp_path, fake_uid, with_apt)
    env = {"PATH": str(b), "HOME": str(tmp_path), "LIBCLANG_PATH": str(tmp_path / "nowhere")}
    r = subprocess.run(
        ["bash", os.path.join(REPO, ".ci", "setup")], env=env, capture_output=True, text=True
    )
    calls = log.read_text() if log.exists() else ""
    return r, calls


def test_without_root_it_stops_before_the_build_naming_packages(tmp_path):
    r, calls = _run(tmp_path, fake_uid=1000, with_apt=False)
    assert r.returncode == 1
    out = r.stdout + r.stderr
    for pkg in ("cmake", "make", "g++", "libclang-dev"):
        assert f"installing {pkg} from Debian" in out
    assert "apt-get install -y" in out and "libclang-dev" in out
    assert "pip install --user cmake libclang" in out
    assert "build" not in calls  # cargo build never ran


def test_as_root_it_installs_then_rechecks(tmp_path):
    r, calls = _run(tmp_path, fake_uid=0, with_apt=True)
    # the stand-in apt-get installs nothing, so the re-check must fail before the build
    assert r.returncode == 1
    assert "apt-get install" in calls and "libclang-dev" in calls and "cmake" in calls
    assert "still missing after apt-get install" in r.stderr
    assert "build" not in calls
