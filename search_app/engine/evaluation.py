"""Measuring relevance on a test collection: ranking and set metrics.

A collection is a corpus (JSON Lines ``{"id", "title", "text"}``, or a directory of
practices in any source format), queries (``{"id", "text"}``, other keys ignored) and
graded judgments (``query-id<TAB>doc-id<TAB>grade``). The corpus is indexed into a
temporary index with the service's own schema and every query goes through
:func:`search_app.engine.search.search` exactly as ``/api/search?q=…`` does, page
after page until its whole returned set is read: since a query returns only the
practices matching its words (``match``), what it returns matters as well as the order.

Metrics (means over queries):

- ranking, over queries with at least one relevant judgment: nDCG@10 (linear gains),
  MRR@10, P@5 (relevant = grade >= 1), Recall@100;
- the whole returned set, over the same queries: set precision (relevant returned /
  returned; a query returning nothing has no precision and is left out of that mean),
  set recall (relevant returned / relevant judged) and the zero-result rate;
- queries with no relevant judgment at all (topics absent from the collection): the
  mean number of results, which should be small.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from whoosh.searching import Searcher

from analyzers import DEFAULT_ANALYZER
from indexer.build import build_index
from indexer.records import Practice
from indexer.sources import read_sources
from indexer.store import open_index
from search_app.engine.search import MATCH_MODES, MAX_PER_PAGE, clean_request, search

# Recall is measured on the first 100 results, the API's largest page.
RANKING_DEPTH = 100
# The returned set is read page by page (100 a page) up to this many results; a
# query returning more is scored on its first MAX_RESULTS (more than any test corpus
# here holds: allegro-faq has 921 passages, the bundled practices 68).
MAX_RESULTS = 2000
# The match modes a collection can be evaluated with (the request's ``match``).
MATCH_CHOICES = tuple(MATCH_MODES)


@dataclass(frozen=True)
class Collection:
    """A test collection: documents, queries and graded judgments."""

    documents: list[Practice]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Scores:
    """Mean metrics; see the module's docstring for what each one averages over.

    ``set_precision`` is None when no judged query returned anything,
    ``absent_results`` when the collection has no query without relevant judgments.
    """

    ndcg_at_10: float
    mrr_at_10: float
    recall_at_100: float
    queries: int
    p_at_5: float = 0.0
    set_precision: float | None = None
    set_recall: float = 0.0
    zero_results: float = 0.0
    absent_results: float | None = None
    absent_queries: int = 0

    def to_dict(self) -> dict[str, float | int | None]:
        return {
            "ndcg@10": round(self.ndcg_at_10, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "queries": self.queries,
            "p@5": round(self.p_at_5, 4),
            "set_precision": _rounded(self.set_precision),
            "set_recall": round(self.set_recall, 4),
            "zero_results": round(self.zero_results, 4),
            "absent_results": _rounded(self.absent_results),
            "absent_queries": self.absent_queries,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def read_jsonl(path: Path) -> list[dict]:
    """Objects of a JSON Lines file, blank lines skipped."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    """Judgments per query id; lines are ``query-id<TAB>doc-id<TAB>grade``."""
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip() or line.startswith("#"):
                continue
            fields = line.rstrip("\n").split("\t")
            if len(fields) != 3:
                raise ValueError(f"{path}:{number}: oczekiwano trzech pól oddzielonych tabulatorem")
            query_id, doc_id, grade = fields
            qrels.setdefault(query_id, {})[doc_id] = int(grade)
    return qrels


def read_corpus(path: Path) -> list[Practice]:
    """The documents: a directory of practices (pages, JSON Lines) read as ``bdp index
    build`` reads them, metric card included, or a file of ``{"id", "title", "text"}``.

    A directory keeps town, voivodeship and the rest searchable, which queries naming
    a place need; a bad source is an error, not a smaller corpus.
    """
    if path.is_dir():
        report = read_sources([path])
        if report.errors:
            raise ValueError(str(report.errors[0]))
        return report.practices
    return [
        Practice(id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "")
        for d in read_jsonl(path)
    ]


def load_collection(corpus: Path, queries: Path, qrels: Path) -> Collection:
    """Read a collection from its three files (the corpus may be a directory)."""
    return Collection(
        documents=read_corpus(corpus),
        queries={str(q["id"]): q["text"] for q in read_jsonl(queries)},
        qrels=read_qrels(qrels),
    )


def dcg(gains: Iterable[float]) -> float:
    """Discounted cumulative gain with the usual log2(rank + 1) discount."""
    return sum(gain / math.log2(rank + 1) for rank, gain in enumerate(gains, start=1))


def ndcg_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """nDCG@k with linear gains (the grade); 0 for a query with no relevant document.

    >>> ndcg_at(["a", "b"], {"b": 1})
    0.6309297535714575
    """
    ideal = dcg(sorted((g for g in judged.values() if g > 0), reverse=True)[:k])
    if ideal == 0:
        return 0.0
    return dcg(judged.get(doc, 0) for doc in ranking[:k]) / ideal


def mrr_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 10) -> float:
    """Reciprocal rank of the first relevant document within the top k (else 0)."""
    for rank, doc in enumerate(ranking[:k], start=1):
        if judged.get(doc, 0) > 0:
            return 1.0 / rank
    return 0.0


def precision_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 5) -> float:
    """Share of relevant documents among the first k positions; empty ones count as misses,
    so a short result list cannot look precise.

    >>> precision_at(["a", "x"], {"a": 2})
    0.2
    """
    return sum(judged.get(doc, 0) > 0 for doc in ranking[:k]) / k


def recall_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = _relevant(judged)
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def set_precision(returned: Sequence[str], judged: Mapping[str, int]) -> float | None:
    """Share of the whole returned set that is relevant; None when nothing was returned.

    >>> set_precision(["a", "x", "y", "z"], {"a": 1, "b": 3})
    0.25
    """
    if not returned:
        return None
    return len(_relevant(judged).intersection(returned)) / len(set(returned))


def set_recall(returned: Sequence[str], judged: Mapping[str, int]) -> float:
    """Share of the relevant documents anywhere in the returned set (0 with none judged)."""
    return recall_at(returned, judged, k=len(returned))


def _relevant(judged: Mapping[str, int]) -> set[str]:
    return {doc for doc, grade in judged.items() if grade > 0}


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def score_rankings(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> Scores:
    """Mean metrics of whole returned sets (each in rank order, as :func:`rank_queries`
    gives them).

    Judged queries are those with at least one relevant judgment; the queries of
    ``rankings`` with none are the absent-topic queries. A judged query missing from
    ``rankings`` returned nothing.
    """
    judged = [q for q, docs in qrels.items() if _relevant(docs)]
    absent = [q for q in rankings if not _relevant(qrels.get(q, {}))]
    absent_results = _mean([len(rankings[q]) for q in absent])
    if not judged:
        return Scores(0.0, 0.0, 0.0, 0, absent_results=absent_results, absent_queries=len(absent))

    def mean(metric: Callable[[Sequence[str], Mapping[str, int]], float]) -> float:
        return sum(metric(rankings.get(q, []), qrels[q]) for q in judged) / len(judged)

    precisions = [set_precision(rankings.get(q, []), qrels[q]) for q in judged]
    return Scores(
        ndcg_at_10=mean(ndcg_at),
        mrr_at_10=mean(mrr_at),
        recall_at_100=mean(recall_at),
        queries=len(judged),
        p_at_5=mean(precision_at),
        set_precision=_mean([p for p in precisions if p is not None]),
        set_recall=mean(set_recall),
        zero_results=sum(not rankings.get(q) for q in judged) / len(judged),
        absent_results=absent_results,
        absent_queries=len(absent),
    )


def rank_queries(
    index_dir: Path, queries: Mapping[str, str], match: str = "auto"
) -> dict[str, list[str]]:
    """The whole returned set of every query, in rank order, as ``/api/search?q=…&match=…``
    returns it page after page (``per_page=100``), up to :data:`MAX_RESULTS` ids.

    The request is the API's own, only without snippets (they don't change the
    ranking). Paging stops at the response's ``total`` (or at an empty page).
    """
    if match not in MATCH_MODES:
        modes = ", ".join(MATCH_MODES)
        raise ValueError(f"nieznany sposób dopasowania {match!r}; dozwolone: {modes}")
    ix = open_index(index_dir)
    rankings = {}
    try:
        with ix.searcher() as searcher:
            for query_id, text in queries.items():
                rankings[query_id] = _returned_set(searcher, text, match)
    finally:
        ix.close()
    return rankings


def _returned_set(searcher: Searcher, text: str, match: str) -> list[str]:
    """Every result id of one query, page after page."""
    request, _notes = clean_request(text, per_page=MAX_PER_PAGE)
    request = replace(request, match=match, snippets=False)
    ids: list[str] = []
    while True:
        response = search(searcher, request)
        ids.extend(hit.id for hit in response.results)
        wanted = min(response.total, MAX_RESULTS)
        if len(ids) >= wanted or not response.results:
            return ids[:wanted]
        request = replace(request, page=request.page + 1)


def evaluate(
    collection: Collection,
    analyzer: str = DEFAULT_ANALYZER,
    queries: Mapping[str, str] | None = None,
    match: str = "auto",
) -> Scores:
    """Index the collection with ``analyzer`` into a temporary index and score its queries.

    ``queries`` replaces the collection's query texts (e.g. a copy with typos);
    ``match`` is the request's match mode (``auto``, ``all``, ``any``).
    """
    with tempfile.TemporaryDirectory(prefix="bdp-eval-") as tmp:
        build_index(collection.documents, tmp, analyzer=analyzer)
        rankings = rank_queries(Path(tmp), queries or collection.queries, match=match)
    return score_rankings(rankings, collection.qrels)
