"""Tests of the set-up scripts (.ci/setup, .ci/totals.sh, python/_build/build_tools.py):
they run on any machine, installed packages or not, by pointing the code at fake trees."""

import os
import sys

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "python", "_build"))
