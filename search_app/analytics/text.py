"""A report as aligned text tables with Polish headings, for ``bdp analytics``.

>>> print("\\n".join(table(["Zapytanie", "Liczba"], [["żłobek", 12], ["kultura", 3]])))
  Zapytanie  Liczba
  ─────────  ──────
  żłobek         12
  kultura         3
"""

from __future__ import annotations

from collections.abc import Sequence

from search_app.analytics.reports import Report

# Longer queries are cut in the table (the JSON output has them whole).
CELL_CHARS = 48
NONE = "—"


def report_lines(report: Report) -> list[str]:
    """The whole report: the period and totals, then one table per question."""
    lines = [
        f"Dziennik wyszukiwań: {_period(report)}",
        f"Wyszukiwań: {report.searches}, bez wyników: {report.zero_result_searches} "
        f"({percent(_share(report.zero_result_searches, report.searches))}), "
        f"z poprawioną pisownią: {report.corrected_searches}, "
        f"różnych zapytań: {report.distinct_queries}.",
        f"Kliknięć w wyniki: {report.clicks}; wyszukiwań z kliknięciem: "
        f"{report.searches_with_clicks} (CTR {percent(report.click_through_rate)}).",
    ]
    sections: list[tuple[str, list[str], list[list[object]]]] = [
        (
            "Najczęstsze zapytania",
            ["Zapytanie", "Liczba"],
            [[q.query, q.count] for q in report.top_queries],
        ),
        (
            "Zapytania bez wyników",
            ["Zapytanie", "Liczba", "Ostatnia poprawka"],
            [[q.query, q.count, q.correction or NONE] for q in report.zero_result_queries],
        ),
        (
            "Poprawione zapytania",
            ["Zapytanie", "Poprawka", "Liczba"],
            [[q.query, q.correction, q.count] for q in report.corrected_queries],
        ),
        (
            "Słowa nieznane w indeksie",
            ["Słowo", "Liczba"],
            [[w.word, w.count] for w in report.unknown_words],
        ),
        (
            "Klikalność zapytań (CTR)",
            ["Zapytanie", "Wyszukiwań", "Z kliknięciem", "CTR"],
            [[c.query, c.searches, c.clicked, c.ctr] for c in report.click_through],
        ),
    ]
    for heading, headers, rows in sections:
        lines += ["", heading]
        lines += table(headers, rows) if rows else ["  (brak)"]
    return lines


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Columns aligned, numbers to the right, shares (floats) as percentages, long cells cut."""
    cells = [[_cell(value) for value in row] for row in rows]
    right = [bool(rows) and all(_numeric(row[i]) for row in rows) for i in range(len(headers))]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(w) if r else v.ljust(w) for v, w, r in zip(values, widths, right, strict=True)
        ]
        return ("  " + "  ".join(padded)).rstrip()

    return [line(headers), line(["─" * w for w in widths]), *(line(row) for row in cells)]


def percent(share: float) -> str:
    """A share as a Polish percentage (decimal comma).

    >>> percent(0.25)
    '25,0%'
    """
    return f"{share * 100:.1f}%".replace(".", ",")


def _period(report: Report) -> str:
    since = report.since.strftime("%Y-%m-%d %H:%M")
    until = report.until.strftime("%Y-%m-%d %H:%M")
    if report.days is None:
        return f"{since} – {until} (UTC)"
    length = "ostatni dzień" if report.days == 1 else f"ostatnie {report.days} dni"
    return f"{length} ({since} – {until} UTC)"


def _cell(value: object) -> str:
    text = percent(value) if isinstance(value, float) else str(value)
    return text if len(text) <= CELL_CHARS else text[: CELL_CHARS - 1] + "…"


def _numeric(value: object) -> bool:
    return isinstance(value, int | float)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0
