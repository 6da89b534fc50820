"""audioop, imported once and quietly: deprecated in Python 3.11-3.12 (a warning on import), gone
from the standard library in 3.13, where the audioop-lts package provides it."""

import warnings

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    import audioop

__all__ = ["audioop"]
