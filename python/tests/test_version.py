import re

import opal


def test_version_is_semver():
    assert re.fullmatch(r"\d+\.\d+\.\d+", opal.__version__)
