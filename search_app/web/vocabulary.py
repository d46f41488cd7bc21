"""The suggestion vocabulary of the live generation, built beside the requests.

Building it reads every stored practice and counts phrases: 4-6 s at 10,000
practices, 11-14 s at 100,000 (``search_app/engine/suggest.py``). A worker
builds it once per generation in a thread of its own, so no request holds
a worker that long: a suggestion waits at most ``SUGGEST_WAIT`` seconds for
it, then is answered from the previous generation's vocabulary (or with no
suggestions before the first one exists) and marked incomplete, so that the
response cache does not keep it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from indexer.store import LiveIndex
from search_app.engine.suggest import Vocabulary, build_vocabulary


class Vocabularies:
    """One worker's vocabulary: the newest built, and at most one build running."""

    def __init__(
        self,
        live: LiveIndex,
        wait: float,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        self.live = live
        self.wait = wait
        self.on_error = on_error
        self._lock = threading.Lock()
        self._built: tuple[str | None, Vocabulary] | None = None
        self._building: tuple[str | None, threading.Event] | None = None

    def current(self) -> tuple[Vocabulary, bool]:
        """The vocabulary to answer with, and whether it is the live generation's."""
        generation = self.live.generation
        with self._lock:
            if self._built is not None and self._built[0] == generation:
                return self._built[1], True
            if self._building is None or self._building[0] != generation:
                self._building = (generation, threading.Event())
                threading.Thread(
                    target=self._build, args=self._building, name="bdp-vocabulary", daemon=True
                ).start()
            ready = self._building[1]
        ready.wait(self.wait)
        with self._lock:
            built = self._built
        if built is not None and built[0] == generation:
            return built[1], True
        return (built[1] if built is not None else Vocabulary()), False

    def _build(self, generation: str | None, ready: threading.Event) -> None:
        try:
            with self.live.searcher() as searcher:
                vocabulary = build_vocabulary(searcher)
            with self._lock:
                if self._building is not None and self._building[1] is ready:
                    self._built = (generation, vocabulary)  # not a superseded build's
        except Exception as exc:  # noqa: BLE001 - the next suggestion tries again
            if self.on_error is not None:
                self.on_error(exc)
        finally:
            with self._lock:
                if self._building is not None and self._building[1] is ready:
                    self._building = None
            ready.set()
