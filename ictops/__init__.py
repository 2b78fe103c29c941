"""ictops: maintenance toolkit for the ICT group of a Thai educational service area office."""

__version__ = "0.1.0"
