"""Hypothesis profiles: a bounded number of examples in ``make test``, many more in ``make check``.

``make check`` sets ``HYPOTHESIS_PROFILE=check``.  Property tests of the input
surfaces (``test_fuzz_*.py``) take their example count from the profile, so
they stay short in the default run; tests that set ``max_examples`` themselves
keep it.
"""

import os

from hypothesis import HealthCheck, settings

# The default run is derandomized (the same examples every time: CI does not
# flake); ``make check`` draws new ones on every run and explores.
settings.register_profile(
    "default", max_examples=40, deadline=None, print_blob=True, derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "check", max_examples=600, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
