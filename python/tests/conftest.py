"""Shared fixtures: locating the shared test data (``../shared`` beside the checkout).

As in the Rust tests, ``OPAL_SHARED`` overrides the location; a test needing missing data
is skipped with the reason printed, unless ``OPAL_REQUIRE_SHARED=1`` (set by CI) makes that
a failure.
"""

import os
import pathlib
import signal

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]

# A process started in the background by a non-interactive shell inherits SIGINT ignored,
# and Python then installs no KeyboardInterrupt handler: the Ctrl-C tests (which send
# SIGINT to this process) would test nothing. Restore Python's own handler.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


def shared_path(rel):
    """``shared/<rel>``, or a skip (a failure under ``OPAL_REQUIRE_SHARED=1``)."""
    base = pathlib.Path(os.environ.get("OPAL_SHARED", REPO.parent / "shared"))
    path = base / rel
    if path.exists():
        return path
    msg = f"shared data '{rel}' not found under {base} (set OPAL_SHARED)"
    if os.environ.get("OPAL_REQUIRE_SHARED") == "1":
        pytest.fail(msg)
    print(f"SKIPPED: {msg}")
    pytest.skip(msg)


@pytest.fixture
def sif_dir():
    return shared_path("data/sif")
