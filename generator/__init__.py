"""credit-portal: a static-site generator for a city's social-credit open-data portal."""

__version__ = "0.1.0"
