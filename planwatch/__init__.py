"""planwatch: where each indicator of a five-year plan stands against its target."""

__version__ = "0.1.0"
