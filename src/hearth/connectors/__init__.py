"""Connectors: outside data <-> ledger activities, one package per platform."""
