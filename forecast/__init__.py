"""Volume and handle-time forecasting per queue and interval (not built yet: see issue 4)."""

__all__ = []
