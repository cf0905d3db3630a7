""".ci/totals.sh: the counts .ci/test prints must equal the runners' own, whatever bytes the
logs hold (issue 15: a NUL byte made grep call the log binary and the total 0)."""

import os
import subprocess

from conftest import REPO

TOTALS = os.path.join(REPO, ".ci", "totals.sh")


def _count(fn, log, word):
    r = subprocess.run(
        ["bash", "-c", f'source "{TOTALS}"; {fn} "$1" "$2"', "_", str(log), word],
        capture_output=True, text=True, check=True,
    )
    return int(r.stdout.strip())


CARGO_LOG = (
    b"   Compiling opal v0.1.0\n"
    b"running 3 tests\n"
    b"test a ... ok\x00\x00 binary \xff\xfe junk from a test\n"
    b"test result: ok. 3 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out\n"
    b"\x00\n"
    b"test result: FAILED. 17 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out\n"
    b"   Doc-tests opal\n"
    b"test result: ok. 0 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out\n"
)


def test_cargo_counts_survive_nul_bytes(tmp_path):
    log = tmp_path / "cargo.log"
    log.write_bytes(CARGO_LOG)
    assert _count("cargo_count", log, "passed") == 20
    assert _count("cargo_count", log, "failed") == 2


def test_pytest_summary_variants(tmp_path):
    log = tmp_path / "pytest.log"
    log.write_bytes(b"..\x00.F\n 1 passed in 0.1s trap inside output\nFAILED x\n"
                    b"3 failed, 40 passed, 2 skipped, 1 error in 12.34s\n")
    assert _count("pytest_count", log, "passed") == 40
    assert _count("pytest_count", log, "failed") == 3
    assert _count("pytest_count", log, "errors") == 1
    log.write_bytes(b"=== 42 passed, 1 warning in 3.00s ===\n")
    assert _count("pytest_count", log, "passed") == 42
    assert _count("pytest_count", log, "failed") == 0
    log.write_bytes(b"")
    assert _count("pytest_count", log, "passed") == 0
