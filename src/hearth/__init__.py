"""Hearth: a self-hosted community engine for developer communities."""

__version__ = "0.1.0"
