"""credit-portal: a static-site generator for a city's social-credit open-data portal."""

from generator import native as _native

__version__ = "0.1.0"

# Before any other module of the package is imported: the compiled twins of the hot modules,
# where `make` has built them from exactly these sources (generator/native.py).
_native.install()
