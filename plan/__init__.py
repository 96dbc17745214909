"""From demand to a staffing plan: requirements, schedules, capacity, scenarios, CLI.

For now it holds the demo day and the ``ccwfm`` command line; the full
planning pipeline is issue 5.
"""

from .demo_day import DemoDay, demo_day, staffing_table

__all__ = ["DemoDay", "demo_day", "staffing_table"]
