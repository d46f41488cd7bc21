"""The search log of issue #14: what people search for, kept without knowing who they are.

Pure Python and :mod:`sqlite3` (no Flask): the web layer records, ``bdp
analytics`` reports. One module per concept:

- :mod:`~search_app.analytics.settings` — where the file lives (``<index_dir>/
  analytics.sqlite3`` or ``BDP_ANALYTICS_DB``) and how long searches are kept
  (``BDP_ANALYTICS_RETENTION_DAYS``, 90 days);
- :mod:`~search_app.analytics.events` — the two events as stored (normalized
  query, minute, random search id; nothing about the person);
- :mod:`~search_app.analytics.schema` — the SQLite schema, WAL, opening;
- :mod:`~search_app.analytics.log` — :class:`SearchLog`: a bounded queue and a
  writer thread per process, so recording never slows nor fails a search;
- :mod:`~search_app.analytics.writer` — one batch, one transaction;
- :mod:`~search_app.analytics.failures` — kinds of database failure, warned once;
- :mod:`~search_app.analytics.retention` — pruning old rows;
- :mod:`~search_app.analytics.reports` — the read side: :func:`build_report`;
- :mod:`~search_app.analytics.text` — a report as Polish text tables.
"""

from __future__ import annotations

from search_app.analytics.errors import AnalyticsReadError, AnalyticsSettingError, PeriodError
from search_app.analytics.log import SearchLog
from search_app.analytics.reports import Period, Report, build_report
from search_app.analytics.settings import analytics_db_path, retention_days

__all__ = [
    "AnalyticsReadError",
    "AnalyticsSettingError",
    "Period",
    "PeriodError",
    "Report",
    "SearchLog",
    "analytics_db_path",
    "build_report",
    "retention_days",
]
