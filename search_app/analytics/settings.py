"""Where the search log lives and how long it keeps searches, from the environment.

The database sits in the index directory (``<index_dir>/analytics.sqlite3``):
the directory the server already writes to, git-ignored, backed up with the
index, and never touched by generation pruning (which removes only ``gen-*``
directories). ``BDP_ANALYTICS_DB`` puts it anywhere else.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from search_app.analytics.errors import AnalyticsSettingError

DB_FILENAME = "analytics.sqlite3"
ENV_DB = "BDP_ANALYTICS_DB"
ENV_RETENTION_DAYS = "BDP_ANALYTICS_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
# Ten years: the longest period a report covers, so nothing reported is ever pruned early.
MAX_DAYS = 3650


def analytics_db_path(index_dir: Path | str, environ: Mapping[str, str] | None = None) -> Path:
    """``BDP_ANALYTICS_DB`` when set, else ``analytics.sqlite3`` in the index directory.

    >>> analytics_db_path("index", {})
    PosixPath('index/analytics.sqlite3')
    >>> analytics_db_path("index", {"BDP_ANALYTICS_DB": "/var/lib/bdp/log.db"})
    PosixPath('/var/lib/bdp/log.db')
    """
    environ = os.environ if environ is None else environ
    configured = environ.get(ENV_DB, "").strip()
    return Path(configured) if configured else Path(index_dir) / DB_FILENAME


def retention_days(environ: Mapping[str, str] | None = None) -> int:
    """Days searches are kept: ``BDP_ANALYTICS_RETENTION_DAYS`` (1..3650), by default 90.

    >>> retention_days({})
    90
    >>> retention_days({"BDP_ANALYTICS_RETENTION_DAYS": "30"})
    30
    """
    environ = os.environ if environ is None else environ
    raw = environ.get(ENV_RETENTION_DAYS, "").strip()
    if not raw:
        return DEFAULT_RETENTION_DAYS
    try:
        days = int(raw.replace("_", ""))
    except ValueError:
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise AnalyticsSettingError(
            f"{ENV_RETENTION_DAYS}: oczekiwano liczby dni od 1 do {MAX_DAYS}, jest {raw!r}"
        )
    return days
