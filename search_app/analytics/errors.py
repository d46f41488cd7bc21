"""The analytics errors people see, worded in Polish, as :class:`BdpError` kinds.

Only configuration and the read side raise: recording never does (see
:mod:`search_app.analytics.log`). Deriving from :class:`BdpError` lets the CLI's
group and the web layer's handler report them in one place.
"""

from __future__ import annotations

from indexer.errors import BdpError


class AnalyticsSettingError(BdpError, ValueError):
    """A ``BDP_ANALYTICS_*`` setting with a value the search log cannot use."""


class PeriodError(BdpError, ValueError):
    """A report period (days, since/until) or limit out of its bounds."""


class AnalyticsReadError(BdpError):
    """The search log exists but cannot be read (damaged, not a database, no access)."""
