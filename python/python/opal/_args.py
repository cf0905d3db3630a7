"""Argument errors of the native functions, named.

PyO3 reports a failed argument conversion as the converter's own exception (``TypeError:
must be real number, not str``; ``OverflowError: can't convert negative int to unsigned``)
with the argument's name only in a note (``while processing 'seed'``), which ``str(e)``
does not show. ``name_arguments`` rewraps the native functions of ``opal._opal`` so that
such errors say which argument they are about: a ``TypeError`` for a wrong type, a
``ValueError`` for an integer out of range (a negative count, seed or size).
"""

import functools
import re

_NOTE = re.compile(r"^while processing '([^']+)'$")


def _argument(e):
    for note in getattr(e, "__notes__", ()):
        m = _NOTE.match(note)
        if m:
            return m.group(1)
    return None


def _named(fn):
    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except OverflowError as e:
            name = _argument(e)
            if name is None:
                raise
            raise ValueError(f"{name} must be a non-negative integer in range ({e})") from None
        except TypeError as e:
            name = _argument(e)
            if name is None or str(e).startswith(name):
                raise
            raise TypeError(f"{name}: {e}") from None

    return call


def name_arguments(module):
    """Replaces each native function of ``module`` by a wrapper naming bad arguments."""
    for attr in dir(module):
        fn = getattr(module, attr)
        if type(fn).__name__ == "builtin_function_or_method":
            setattr(module, attr, _named(fn))
