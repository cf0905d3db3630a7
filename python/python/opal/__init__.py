"""opal: optimization solvers written in Rust.

The bindings grow with the solvers; for now the package exposes its version.
"""

from ._opal import __version__

__all__ = ["__version__"]
