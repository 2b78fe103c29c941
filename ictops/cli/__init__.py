"""Command-line interface: one module per verb, each a thin adapter over the library."""
