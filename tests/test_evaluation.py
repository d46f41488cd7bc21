"""``bdp eval``: the relevance metrics on hand-made cases, and the command on a tiny collection."""

from __future__ import annotations

import json
import math

import pytest

from bdp.cli import main
from search_app.engine.evaluation import mrr_at, ndcg_at, recall_at, score_rankings


def test_ndcg_is_one_for_the_ideal_order_and_less_otherwise():
    judged = {"a": 3, "b": 1}
    assert ndcg_at(["a", "b", "x"], judged) == pytest.approx(1.0)
    swapped = (1 + 3 / math.log2(3)) / (3 + 1 / math.log2(3))
    assert ndcg_at(["b", "a"], judged) == pytest.approx(swapped)
    assert ndcg_at(["x"] * 10 + ["a"], judged) == 0.0  # beyond the cut-off


def test_mrr_counts_the_first_relevant_hit_within_ten():
    assert mrr_at(["x", "y", "a"], {"a": 1}) == pytest.approx(1 / 3)
    assert mrr_at(["x"] * 10 + ["a"], {"a": 1}) == 0.0
    assert mrr_at(["z", "a"], {"z": 0, "a": 2}) == 0.5  # grade 0 is not relevant


def test_recall_at_100():
    assert recall_at(["a", "x"], {"a": 1, "b": 2, "c": 0}) == 0.5


def test_queries_without_relevant_documents_are_left_out():
    scores = score_rankings({"q1": ["a"], "q2": ["b"]}, {"q1": {"a": 1}, "q2": {"b": 0}})
    assert scores.queries == 1
    assert scores.ndcg_at_10 == pytest.approx(1.0)


@pytest.fixture()
def collection(tmp_path):
    docs = [
        {"id": "d1", "title": "Rodziny zastępcze w Żorach", "text": "Wsparcie rodzicielstwa."},
        {"id": "d2", "title": "", "text": "Budżet obywatelski w gminie Międzyrzecz."},
        {"id": "d3", "title": "Kolektory słoneczne", "text": "Odnawialne źródła energii."},
    ]
    queries = [
        {"id": "1", "text": "rodzinach zastępczych"},
        {"id": "2", "text": "budżetu obywatelskiego"},
        {"id": "3", "text": "OZE"},
    ]
    paths = {name: tmp_path / name for name in ("corpus.jsonl", "queries.jsonl", "qrels.tsv")}
    paths["corpus.jsonl"].write_text(
        "\n".join(json.dumps(d, ensure_ascii=False) for d in docs), encoding="utf-8"
    )
    paths["queries.jsonl"].write_text(
        "\n".join(json.dumps(q, ensure_ascii=False) for q in queries), encoding="utf-8"
    )
    paths["qrels.tsv"].write_text("1\td1\t1\n2\td2\t1\n3\td3\t2\n", encoding="utf-8")
    return paths


def eval_args(paths, *extra):
    return [
        "eval",
        "--corpus", str(paths["corpus.jsonl"]),
        "--queries", str(paths["queries.jsonl"]),
        "--qrels", str(paths["qrels.tsv"]),
        *extra,
    ]  # fmt: skip


def test_eval_command_json(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--json"))
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert set(scores) == {"ndcg@10", "mrr@10", "recall@100", "queries"}
    assert scores["queries"] == 3
    assert scores["ndcg@10"] == pytest.approx(1.0)  # inflection and the OZE synonym both work


def test_eval_command_baseline_analyzer_scores_lower(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--analyzer", "standard", "--json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ndcg@10"] < 1.0


def test_eval_command_text_output(runner, collection):
    result = runner.invoke(main, eval_args(collection))
    assert result.exit_code == 0
    assert "ndcg@10:" in result.output and "Zapytań:     3" in result.output


def test_eval_command_reports_a_bad_qrels_line(runner, collection):
    collection["qrels.tsv"].write_text("1 d1 1\n", encoding="utf-8")
    result = runner.invoke(main, eval_args(collection))
    assert result.exit_code == 1
    assert "qrels.tsv:1" in result.output


def test_eval_command_rejects_an_unknown_analyzer(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--analyzer", "brak"))
    assert result.exit_code == 2
