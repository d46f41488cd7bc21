"""Measuring relevance on a test collection: nDCG@10, MRR@10 and Recall@100.

A collection is a corpus (JSON Lines ``{"id", "title", "text"}``), queries
(``{"id", "text"}``) and graded judgments (``query-id<TAB>doc-id<TAB>grade``).
The corpus is indexed into a temporary index with the service's own schema
(title as a practice's title, text as its body) and every query goes through
:func:`search_app.engine.search.search` exactly as ``/api/search?q=…`` does.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from analyzers import DEFAULT_ANALYZER
from indexer.build import build_index
from indexer.records import Practice
from indexer.store import open_index
from search_app.engine.search import clean_request, search

# Recall is measured on the first 100 results, the API's largest page.
RANKING_DEPTH = 100


@dataclass(frozen=True)
class Collection:
    """A test collection: documents, queries and graded judgments."""

    documents: list[Practice]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


@dataclass(frozen=True)
class Scores:
    """Mean metrics over the judged queries."""

    ndcg_at_10: float
    mrr_at_10: float
    recall_at_100: float
    queries: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "ndcg@10": round(self.ndcg_at_10, 4),
            "mrr@10": round(self.mrr_at_10, 4),
            "recall@100": round(self.recall_at_100, 4),
            "queries": self.queries,
        }


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


def load_collection(corpus: Path, queries: Path, qrels: Path) -> Collection:
    """Read a collection from its three files."""
    documents = [
        Practice(id=str(d["id"]), title=d.get("title") or "", body=d.get("text") or "")
        for d in read_jsonl(corpus)
    ]
    return Collection(
        documents=documents,
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


def recall_at(ranking: Sequence[str], judged: Mapping[str, int], k: int = 100) -> float:
    """Share of the relevant documents found in the top k."""
    relevant = {doc for doc, grade in judged.items() if grade > 0}
    if not relevant:
        return 0.0
    return len(relevant.intersection(ranking[:k])) / len(relevant)


def score_rankings(
    rankings: Mapping[str, Sequence[str]], qrels: Mapping[str, Mapping[str, int]]
) -> Scores:
    """Mean metrics over every query that has at least one relevant judgment."""
    judged = [q for q, docs in qrels.items() if any(g > 0 for g in docs.values())]
    if not judged:
        return Scores(0.0, 0.0, 0.0, 0)

    def mean(metric) -> float:
        return sum(metric(rankings.get(q, []), qrels[q]) for q in judged) / len(judged)

    return Scores(mean(ndcg_at), mean(mrr_at), mean(recall_at), len(judged))


def rank_queries(index_dir: Path, queries: Mapping[str, str]) -> dict[str, list[str]]:
    """The top document ids of every query, as ``/api/search?q=…&per_page=100`` ranks them.

    The request is the API's own, only without snippets (they don't change the ranking).
    """
    ix = open_index(index_dir)
    rankings = {}
    try:
        with ix.searcher() as searcher:
            for query_id, text in queries.items():
                request, _notes = clean_request(text, per_page=RANKING_DEPTH)
                request = replace(request, snippets=False)
                response = search(searcher, request)
                rankings[query_id] = [hit.id for hit in response.results]
    finally:
        ix.close()
    return rankings


def evaluate(
    collection: Collection,
    analyzer: str = DEFAULT_ANALYZER,
    queries: Mapping[str, str] | None = None,
) -> Scores:
    """Index the collection with ``analyzer`` into a temporary index and score its queries.

    ``queries`` replaces the collection's query texts (e.g. a copy with typos).
    """
    with tempfile.TemporaryDirectory(prefix="bdp-eval-") as tmp:
        build_index(collection.documents, tmp, analyzer=analyzer)
        rankings = rank_queries(Path(tmp), queries or collection.queries)
    return score_rankings(rankings, collection.qrels)
