"""Discrete-event simulation of a contact center (not built yet: see issue 3)."""

__all__ = []
