"""Volume and handle-time forecasting per queue and interval.

History comes from interval files (:func:`read_intervals`; :func:`read_header`
gives a file's column names before mapping them) or call-level ACD
logs (:func:`read_acd`, which also yields agents on duty and, through
:func:`estimate_patience`, the callers' patience); models share the
``fit(history) -> self`` / ``predict(horizon, level=(80, 95))`` protocol and
:class:`AutoForecaster` picks the best per queue by rolling-origin backtest,
with conformal prediction intervals.
"""

from .acd import AcdLog, read_acd
from .aht import AhtForecaster
from .auto import AutoForecaster, default_models
from .backtest import origins, rolling_origin, score
from .baselines import SeasonalNaive, WeekdayAverage
from .calendar import Calendar
from .count import CountGLM
from .daily import DailyProfile
from .demo import demo_calendar, demo_expected, demo_history, demo_special_days
from .ensemble import Ensemble
from .history import COLUMNS, History, Issue, detect_interval
from .interval_models import IntervalETS, IntervalMSTL
from .io import interval_columns, read_header, read_intervals
from .patience import Patience, estimate_patience
from .reforecast import reforecast

__all__ = [
    "AcdLog", "AhtForecaster", "AutoForecaster", "COLUMNS", "Calendar", "CountGLM", "DailyProfile", "Ensemble",
    "History", "IntervalETS", "IntervalMSTL", "Issue", "Patience", "SeasonalNaive",
    "WeekdayAverage", "default_models", "demo_calendar", "demo_expected", "demo_history",
    "demo_special_days", "detect_interval", "estimate_patience", "origins", "read_acd",
    "interval_columns", "read_header", "read_intervals", "reforecast", "rolling_origin", "score",
]
