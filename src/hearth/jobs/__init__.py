"""Background jobs of a Hearth process (interfaces layer: they call actions)."""
