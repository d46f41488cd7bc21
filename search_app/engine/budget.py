"""Bounds on the work one search request may cause (issue #10).

Respelling with Polish letters and typo correction cost time per word that
grows with the word's length and the index's vocabulary: one unknown word of
500 letters took 6 s on the bundled practices, a query of 600 characters of
unknown words 5 s (24-39 s at 20k practices), and four such anonymous requests
kept every worker busy until its timeout. A :class:`QueryBudget`, one per
request, caps each kind of work; once any cap is reached the rest of the
query understanding is skipped and the query is searched as far as it was
understood, with a Polish note saying so. Ranking has its own time limit.

Bounded cost alone does not keep a server responsive: eight clients sending
such queries back to back keep every worker busy, and a person's query waits
behind theirs (normal p95 8-10x its quiet value, measured). Queries of more
than :data:`FREE_WORDS` words (people's, even whole questions, rarely have
more; allegro-faq: median 7, 90th percentile 12) served to the network are
therefore rate-limited per worker process (:func:`admits`): past the rate
they are answered at once with a note, unsearched (normal p95 then 2.6-4.5x).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# Words of a query searched at all (clean_request cuts longer queries with a note).
MAX_WORDS = 32
# Longer "words" are not Polish words anyone types (the longest in the SGJP dictionary
# have about 30 letters); they are searched as typed, never respelt or corrected, because
# the edit-distance automaton's cost grows with the word's length.
MAX_WORD_LENGTH = 32
# Queries of more words served to the network are rate-limited per worker process: at
# most LONG_QUERIES_PER_SECOND on average (LONG_QUERY_BURST at once), so that they take at
# most ~10% of a processor (about 10 ms each); past that they are shed with a note.
FREE_WORDS = 12
LONG_QUERIES_PER_SECOND = 10
LONG_QUERY_BURST = 5

NOTE_LONG_WORD = (
    "Bardzo długich słów (powyżej {limit} znaków) nie poprawiano — wyszukano je w podanej postaci."
)
NOTE_UNDERSTANDING = (
    "Zapytanie zawiera zbyt wiele nieznanych słów, by sprawdzić je wszystkie — "
    "część wyszukano bez poprawiania pisowni i polskich znaków."
)
NOTE_BUSY = (
    "Serwer obsługuje teraz zbyt wiele długich zapytań — skróć zapytanie lub spróbuj za chwilę."
)
NOTE_RANKING = "Wyszukiwanie trwało zbyt długo i zostało przerwane — wyniki mogą być niepełne."


def _served() -> bool:
    """Whether long queries are rate-limited: only in a request served to the network.

    The CLI, ``bdp eval`` and the benchmarks search back to back on purpose, outside
    any request. The app's ``LONG_QUERY_RATE_LIMIT`` setting decides, by default on
    except in testing (the limit is per process, shared by every test's requests).
    """
    from flask import current_app, has_request_context

    if not has_request_context():
        return False
    return bool(current_app.config.get("LONG_QUERY_RATE_LIMIT", not current_app.testing))


@dataclass
class QueryBudget:
    """What one request may spend on understanding its query and on ranking.

    ``lookups`` counts single-word analyses and dictionary look-ups (Morfeusz,
    ~10 µs each, but respelling one word may try up to 512 spellings);
    ``corrections`` counts edit-distance searches of the index's vocabulary
    (~15 ms a word on the bundled practices, more on larger indexes). The
    deadline backs both up on indexes whose vocabulary makes each step slower.
    Once a cap is reached every later request for work is refused too, so the
    rest of the query is left as typed rather than half-corrected.
    """

    max_words: int = MAX_WORDS
    max_word_length: int = MAX_WORD_LENGTH
    # Measured on the 400 allegro-faq questions (also typed without Polish letters and with
    # three typos): at most 1,264 look-ups, 3 corrections.
    max_lookups: int = 2048
    max_corrections: int = 3
    understanding_seconds: float = 0.3
    ranking_seconds: float = 2.0
    # Long queries are rate-limited when served to the network (see admits()).
    limit_rate: bool = field(default_factory=_served)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    lookups: int = 0
    corrections: int = 0
    exhausted: bool = False
    long_words: bool = False
    ranking_cut: bool = False
    shed: bool = False
    started: float | None = None
    # Words whose analysed form the text fields have (True) or lack, asked once a request.
    known: dict[str, bool] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        if self.started is None:
            self.started = self.clock()

    def time_left(self) -> bool:
        """Whether the understanding deadline is still ahead (False also marks exhaustion)."""
        if self.exhausted:
            return False
        started = self.started if self.started is not None else self.clock()
        if self.clock() - started > self.understanding_seconds:
            self.exhausted = True
        return not self.exhausted

    def cut_short(self) -> bool:
        """Whether any work was cut (shed, ranking stopped, understanding exhausted):
        the answer then depends on the moment and the load, and is not one to keep."""
        return self.shed or self.ranking_cut or self.exhausted

    def fits(self, word: str) -> bool:
        """Whether ``word`` is short enough to be respelt or corrected at all."""
        if len(word) <= self.max_word_length:
            return True
        self.long_words = True
        return False

    def spend_lookups(self, amount: int = 1) -> bool:
        """Take ``amount`` look-ups if they and the time are left; False if not."""
        return self._spend("lookups", self.max_lookups, amount)

    def spend_correction(self) -> bool:
        """Take one edit-distance search of the vocabulary if it and the time are left."""
        return self._spend("corrections", self.max_corrections, 1)

    def _spend(self, counter: str, limit: int, amount: int) -> bool:
        if not self.time_left():
            return False
        spent = getattr(self, counter) + amount
        if spent > limit:
            self.exhausted = True
            return False
        setattr(self, counter, spent)
        return True

    def notes(self) -> list[str]:
        """Polish notes for the user on every kind of work that was cut short."""
        notes = []
        if self.long_words:
            notes.append(NOTE_LONG_WORD.format(limit=self.max_word_length))
        if self.exhausted:
            notes.append(NOTE_UNDERSTANDING)
        if self.ranking_cut:
            notes.append(NOTE_RANKING)
        return notes


class _TokenBucket:
    """At most ``rate`` events a second on average, ``burst`` at once; thread-safe."""

    def __init__(self, rate: float, burst: float, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.stamp = burst, clock()
        self.lock = threading.Lock()

    def take(self) -> bool:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
            self.stamp = now
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True


_long_queries = _TokenBucket(LONG_QUERIES_PER_SECOND, LONG_QUERY_BURST)


def admits(budget: QueryBudget, words: int) -> bool:
    """Whether a query of ``words`` words is searched; if not it is shed (``budget.shed``).

    A long query served to the network past the process's rate of long queries is
    shed: answered at once, with a note and without being searched.
    """
    if words > FREE_WORDS and budget.limit_rate and not _long_queries.take():
        budget.shed = True
    return not budget.shed
