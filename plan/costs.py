"""Step 6, costs: what a plan costs over its horizon, item by item.

:class:`Costs` holds the items (wages, hiring, bot contacts, abandoned
contacts) and their :attr:`Costs.total`; :meth:`Costs.to_frame` is the table
reports show (with a total line for people, never read back by code).

Examples
--------
>>> c = Costs(wages=1000.0, hiring=200.0, bot_contacts=10.0, abandoned_contacts=5.0)
>>> c.total
1215.0
>>> c.to_frame()["item"].tolist()
['wages', 'hiring', 'bot contacts', 'abandoned contacts', 'total']
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ccwfm import _validation as v

__all__ = ["COST_ITEMS", "Costs", "plan_costs"]

COST_ITEMS = ("wages", "hiring", "bot_contacts", "abandoned_contacts")


@dataclass(frozen=True)
class Costs:
    """Cost items of a plan's horizon, in ``currency``.

    Attributes
    ----------
    wages : float
        Paid hours x hourly cost (x the shift's cost factor).
    hiring : float
        Hires x cost per hire of the classes joining within the horizon.
    bot_contacts : float
        Contacts the bot resolves x cost per bot contact.
    abandoned_contacts : float
        Contacts abandoned in the queue x cost per abandoned contact.
    currency : str
    """

    wages: float = 0.0
    hiring: float = 0.0
    bot_contacts: float = 0.0
    abandoned_contacts: float = 0.0
    currency: str = "EUR"

    def __post_init__(self):
        for name in COST_ITEMS:
            object.__setattr__(self, name, v.number(name, getattr(self, name), lo=0))
        v.text("currency", self.currency)

    @property
    def total(self):
        """Sum of the items."""
        return float(sum(getattr(self, name) for name in COST_ITEMS))

    def items(self):
        """``{item: cost}`` in report order (item names with spaces)."""
        return {name.replace("_", " "): float(getattr(self, name)) for name in COST_ITEMS}

    def to_frame(self):
        """``item``, ``cost``, ``currency``: one row per item, then the total."""
        rows = list(self.items().items()) + [("total", self.total)]
        out = pd.DataFrame(rows, columns=["item", "cost"])
        out["currency"] = self.currency
        return out


def plan_costs(requirements, abandon_rate, *, wages, hiring, finance):
    """The costs of a plan.

    Parameters
    ----------
    requirements : pandas.DataFrame
        The requirements step's table: ``contained`` (contacts the bot
        resolves) and ``agent_volume`` (contacts reaching agents) per queue
        and interval.
    abandon_rate : array-like
        Share of ``agent_volume`` abandoning in each row of ``requirements``
        (simulated or by formula; NaN counts as none).
    wages, hiring : float
        Wage and hiring cost of the horizon.
    finance : plan.scenario.Finance
        Cost per bot contact and per abandoned contact, currency.

    Returns
    -------
    Costs
    """
    rate = np.nan_to_num(np.asarray(abandon_rate, float), nan=0.0)
    abandoned = float(np.sum(requirements["agent_volume"].to_numpy(float) * rate))
    contained = float(requirements["contained"].sum())
    return Costs(wages=float(wages), hiring=float(hiring),
                 bot_contacts=contained * finance.bot_contact_cost,
                 abandoned_contacts=abandoned * finance.abandon_cost,
                 currency=finance.currency)
