"""Benchmark tasks, each run in a fresh process so its time and peak memory are its own.

``python -m bench.tasks TASK JSON_ARGS`` prints one JSON object on its last line.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.measure import load_practices, peak_rss_mb, percentiles, word_count
from bench.queries import BenchQuery, query_set
from indexer.documents import practice_to_document
from indexer.schema import FACETS, TEXT_FIELDS, build_schema
from indexer.store import open_index


def build_ours(data: str, index_dir: str) -> dict[str, Any]:
    """Our full build, exactly as ``bdp index build`` runs it."""
    from indexer.build import build_index

    practices = load_practices(data)
    shutil.rmtree(index_dir, ignore_errors=True)
    start = time.perf_counter()
    count = build_index(practices, index_dir)
    seconds = time.perf_counter() - start
    return _build_result(count, word_count(practices), seconds)


def build_plain(data: str, index_dir: str) -> dict[str, Any]:
    """The baseline: one process, Whoosh's StandardAnalyzer, the same documents and fields."""
    from whoosh import index
    from whoosh.analysis import StandardAnalyzer
    from whoosh.fields import TEXT, Schema

    practices = load_practices(data)
    fields = {
        name: TEXT(analyzer=StandardAnalyzer(), field_boost=field.format.field_boost)
        if isinstance(field, TEXT)
        else field
        for name, field in build_schema().items()
    }
    shutil.rmtree(index_dir, ignore_errors=True)
    Path(index_dir).mkdir(parents=True)
    start = time.perf_counter()
    ix = index.create_in(index_dir, Schema(**fields))
    with ix.writer() as writer:
        for practice in practices:
            document = practice_to_document(practice)
            writer.add_document(**{k: v for k, v in document.items() if k in fields})
    seconds = time.perf_counter() - start
    return _build_result(len(practices), word_count(practices), seconds)


def _build_result(count: int, words: int, seconds: float) -> dict[str, Any]:
    return {
        "documents": count,
        "words": words,
        "seconds": round(seconds, 2),
        "docs_per_s": round(count / seconds, 1),
        "words_per_s": round(words / seconds),
        "peak_rss": peak_rss_mb(),
    }


def queries(data: str, index_dir: str, count: int, warmup: int) -> dict[str, Any]:
    """Latency of our search (facets, snippets) against a bare Whoosh top-10, same queries."""
    from search_app.engine.search import clean_request, parse_query, search

    practices = load_practices(data)
    bench_queries = query_set(practices[:2000], count)
    del practices
    ix = open_index(index_dir)
    requests = []
    for bq in bench_queries:
        request, _ = clean_request(bq.q, page=bq.page, sort=bq.sort, filters=bq.filters)
        requests.append(request)

    # One searcher for all queries, as a server's thread keeps one per generation
    # (LiveIndex.shared_searcher); the same for both, so the ratio compares the searches.
    searcher = ix.searcher()

    def ours(request) -> None:
        search(searcher, request)

    def bare(request) -> None:
        query = parse_query(searcher, request.q, []) if request.q else None
        if query is None:
            from whoosh.query import Every

            query = Every()
        searcher.search(query, limit=request.page * request.per_page)

    for request in requests[:warmup]:
        ours(request)
        bare(request)
    ours_times, bare_times, by_kind = [], [], {}
    for bq, request in zip(bench_queries, requests, strict=True):
        start = time.perf_counter()
        ours(request)
        elapsed = time.perf_counter() - start
        ours_times.append(elapsed)
        by_kind.setdefault(bq.kind, []).append(elapsed)
        start = time.perf_counter()
        bare(request)
        bare_times.append(time.perf_counter() - start)
    return {
        "ours": percentiles(ours_times),
        "bare_whoosh": percentiles(bare_times),
        "by_kind": {kind: percentiles(times) for kind, times in by_kind.items() if len(times) > 1},
        "peak_rss": peak_rss_mb(),
    }


def tantivy_peer(data: str, count: int, warmup: int) -> dict[str, Any]:
    """tantivy indexing and querying the same documents, fed our analyzer's tokens."""
    import tantivy

    practices = load_practices(data)
    schema_ix = build_schema()
    analyzer = schema_ix["body"].analyzer
    start = time.perf_counter()
    analysed = [
        {name: _tokens(analyzer, doc.get(name, "")) for name in TEXT_FIELDS} | {"doc": doc}
        for doc in map(practice_to_document, practices)
    ]
    analysis_s = time.perf_counter() - start

    builder = tantivy.SchemaBuilder()
    for name in TEXT_FIELDS:
        builder.add_text_field(name, stored=False)
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in (*FACETS, "date_added"):
        builder.add_text_field(name, stored=False, fast=True, tokenizer_name="raw")
    builder.add_bytes_field("record", stored=True, indexed=False)
    schema = builder.build()
    tmp = tempfile.mkdtemp(prefix="bench-tantivy-")
    try:
        index = tantivy.Index(schema, path=tmp)
        start = time.perf_counter()
        writer = index.writer(heap_size=256_000_000, num_threads=2)
        for item in analysed:
            doc = tantivy.Document()
            for name in TEXT_FIELDS:
                text, tokens = item[name]
                doc.add_pre_tokenized_text(name, tantivy.PreTokenizedString(text, tokens))
            source = item["doc"]
            doc.add_text("id", source["id"])
            for name in (*FACETS, "date_added"):
                if source.get(name):
                    doc.add_text(name, source[name])
            doc.add_bytes("record", json.dumps(source["record"], ensure_ascii=False).encode())
            writer.add_document(doc)
        writer.commit()
        writer.wait_merging_threads()
        index_s = time.perf_counter() - start
        index.reload()
        latencies = _tantivy_queries(index, schema, analyzer, practices, count, warmup)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    words = word_count(practices)
    return {
        "documents": len(practices),
        "analysis_seconds": round(analysis_s, 2),
        "index_seconds": round(index_s, 2),
        "docs_per_s": round(len(practices) / index_s, 1),
        "words_per_s": round(words / index_s),
        "queries": percentiles(latencies),
        "peak_rss": peak_rss_mb(),
    }


def _tokens(analyzer, text: str):
    import tantivy

    tokens = [
        tantivy.Token(t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True, mode="index")
        if not t.stopped
    ]
    return text, tokens


def _tantivy_queries(index, schema, analyzer, practices, count: int, warmup: int) -> list[float]:
    """The same query set: OR of terms (or a phrase) over the text fields, filters, facets."""
    import tantivy

    boosts = {name: build_schema()[name].format.field_boost for name in TEXT_FIELDS}
    occur = tantivy.Occur

    def text_query(bq: BenchQuery):
        terms = [t.text for t in analyzer(bq.q.strip('"'), mode="query") if not t.stopped]
        if not terms:
            return tantivy.Query.all_query()
        clauses = []
        for name in TEXT_FIELDS:
            if bq.kind == "phrase" and len(terms) > 1:
                q = tantivy.Query.phrase_query(schema, name, terms)
                clauses.append((occur.Should, tantivy.Query.boost_query(q, boosts[name])))
                continue
            for term in terms:
                q = tantivy.Query.term_query(schema, name, term)
                clauses.append((occur.Should, tantivy.Query.boost_query(q, boosts[name])))
        return tantivy.Query.boolean_query(clauses)

    def filtered(base, filters: dict[str, list[str]]):
        clauses = [(occur.Must, base)]
        for name, values in filters.items():
            terms = [(occur.Should, tantivy.Query.term_query(schema, name, v)) for v in values]
            clauses.append((occur.Must, tantivy.Query.boolean_query(terms)))
        return tantivy.Query.boolean_query(clauses)

    facets_agg = {name: {"terms": {"field": name, "size": 500}} for name in FACETS}

    def run(searcher, bq: BenchQuery) -> None:
        base = text_query(bq) if bq.q else tantivy.Query.all_query()
        query = filtered(base, bq.filters)
        offset = (bq.page - 1) * 10
        if bq.q and bq.sort == "relevance":
            result = searcher.search(query, limit=10, offset=offset, count=True)
        else:
            result = searcher.search(query, limit=10, offset=offset, order_by_field="date_added")
        for _score, address in result.hits:
            searcher.doc(address)
        searcher.aggregate(query, facets_agg)
        for name in bq.filters:  # disjunctive counts, as ours
            others = {k: v for k, v in bq.filters.items() if k != name}
            agg = {name: facets_agg[name]}
            searcher.aggregate(filtered(base, others), agg)

    bench_queries = query_set(practices[:2000], count)
    for bq in bench_queries[:warmup]:
        run(index.searcher(), bq)
    latencies = []
    for bq in bench_queries:
        start = time.perf_counter()
        run(index.searcher(), bq)
        latencies.append(time.perf_counter() - start)
    return latencies


TASKS = {
    "build-ours": build_ours,
    "build-plain": build_plain,
    "queries": queries,
    "tantivy": tantivy_peer,
}

if __name__ == "__main__":
    name, args = sys.argv[1], json.loads(sys.argv[2])
    print(json.dumps(TASKS[name](**args)))
