"""``bdp eval``: the relevance metrics on hand-made cases, and the command on a tiny collection."""

from __future__ import annotations

import json
import math
import re
import shlex

import pytest

from bdp.cli import main
from indexer.build import build_index
from indexer.records import Practice
from search_app.engine import evaluation
from search_app.engine.evaluation import (
    Scores,
    mrr_at,
    ndcg_at,
    precision_at,
    rank_queries,
    recall_at,
    score_rankings,
    set_precision,
    set_recall,
)
from tests.conftest import ROOT


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
    # ... of the judged metrics: q2 is an absent-topic query with one result
    assert (scores.absent_queries, scores.absent_results) == (1, 1.0)


def test_precision_at_5_counts_empty_positions_as_misses():
    judged = {"a": 1, "b": 3, "c": 2, "z": 0}
    assert precision_at(["a", "x", "b", "y", "z", "c"], judged) == pytest.approx(2 / 5)
    assert precision_at(["a"], judged) == pytest.approx(1 / 5)  # one hit, four empty places
    assert precision_at(["z", "x"], judged) == 0.0  # grade 0 is not relevant
    assert precision_at([], judged) == 0.0


def test_set_precision_is_over_the_whole_returned_set():
    judged = {"a": 1, "b": 3, "z": 0}
    assert set_precision(["a", "x", "y", "z"], judged) == pytest.approx(1 / 4)
    many = [f"x{i}" for i in range(199)] + ["b"]  # the relevant one is 200th
    assert set_precision(many, judged) == pytest.approx(1 / 200)
    assert set_precision(["a", "b"], judged) == 1.0
    assert set_precision([], judged) is None  # nothing returned: no precision at all


def test_set_recall_reaches_past_the_first_hundred():
    returned = [f"x{i}" for i in range(150)] + ["a"]
    judged = {"a": 2, "b": 1, "c": 0}
    assert recall_at(returned, judged) == 0.0
    assert set_recall(returned, judged) == pytest.approx(1 / 2)
    assert set_recall([], judged) == 0.0
    assert set_recall(["a"], {"c": 0}) == 0.0  # no relevant judgment


def test_score_rankings_set_metrics_on_a_hand_made_run():
    qrels = {"q1": {"a": 3, "b": 1}, "q2": {"c": 2}, "q3": {"d": 0}}
    rankings = {
        "q1": ["a", "x", "y", "z"],  # 1 of 4 returned is relevant, 1 of 2 relevant found
        "q2": [],  # a judged query returning nothing
        "q3": ["d", "x", "y"],  # judged only as not relevant: an absent topic
        "q4": ["x"],  # no judgments at all: an absent topic
        "q5": [],  # an absent topic rightly returning nothing
    }
    scores = score_rankings(rankings, qrels)
    assert scores.queries == 2
    assert scores.p_at_5 == pytest.approx((1 / 5 + 0) / 2)
    assert scores.set_precision == pytest.approx(1 / 4)  # q2 has no precision, left out
    assert scores.set_recall == pytest.approx((1 / 2 + 0) / 2)
    assert scores.zero_results == pytest.approx(1 / 2)
    assert scores.absent_queries == 3
    assert scores.absent_results == pytest.approx((3 + 1 + 0) / 3)


def test_a_judged_query_missing_from_the_rankings_returned_nothing():
    scores = score_rankings({"q1": ["a"]}, {"q1": {"a": 1}, "q2": {"b": 1}})
    assert scores.zero_results == pytest.approx(1 / 2)
    assert scores.set_precision == pytest.approx(1.0)
    assert scores.absent_results is None and scores.absent_queries == 0


def test_set_precision_is_undefined_when_no_judged_query_returns_anything():
    scores = score_rankings({"q1": [], "q2": []}, {"q1": {"a": 1}, "q2": {"b": 2}})
    assert scores.set_precision is None
    assert scores.zero_results == 1.0
    assert scores.to_dict()["set_precision"] is None


def test_a_collection_without_judgments_has_only_absent_results():
    scores = score_rankings({"q1": ["a", "b"], "q2": []}, {})
    assert scores.queries == 0 and scores.set_precision is None
    assert scores.absent_results == pytest.approx(1.0)


def test_scores_to_dict_keeps_the_old_keys_and_adds_the_new():
    keys = set(Scores(0.5, 0.5, 0.5, 1).to_dict())
    assert {"ndcg@10", "mrr@10", "recall@100", "queries"} <= keys
    assert {"p@5", "set_precision", "set_recall", "zero_results", "absent_results"} <= keys


@pytest.fixture(scope="module")
def cycling_index(tmp_path_factory):
    """250 practices about bicycles (more than two pages of 100), 5 about something else."""
    index_dir = tmp_path_factory.mktemp("cycling")
    practices = [
        Practice(id=f"r{i:03d}", title=f"Ścieżka rowerowa numer {i}", body="Rowerem do pracy.")
        for i in range(250)
    ]
    practices += [
        Practice(id=f"b{i}", title="Biblioteka publiczna", body="Książki dla seniorów.")
        for i in range(5)
    ]
    build_index(practices, index_dir)
    return index_dir


def test_rank_queries_reads_the_whole_returned_set_page_by_page(cycling_index):
    rankings = rank_queries(cycling_index, {"bike": "ścieżka rowerowa", "lib": "biblioteka"})
    assert len(rankings["bike"]) == len(set(rankings["bike"])) == 250
    assert set(rankings["bike"]) == {f"r{i:03d}" for i in range(250)}
    assert sorted(rankings["lib"]) == [f"b{i}" for i in range(5)]


def test_rank_queries_stops_at_the_cap(cycling_index, monkeypatch):
    monkeypatch.setattr(evaluation, "MAX_RESULTS", 150)
    rankings = rank_queries(cycling_index, {"bike": "rower"})
    assert len(rankings["bike"]) == len(set(rankings["bike"])) == 150


def test_rank_queries_passes_the_match_mode_to_every_page(cycling_index, monkeypatch):
    seen = []
    real_search = evaluation.search

    def spying_search(searcher, request, *args, **kwargs):
        seen.append((request.match, request.page, request.per_page, request.snippets))
        return real_search(searcher, request, *args, **kwargs)

    monkeypatch.setattr(evaluation, "search", spying_search)
    rank_queries(cycling_index, {"bike": "rower"}, match="any")
    assert seen == [("any", page, 100, False) for page in (1, 2, 3)]


def test_rank_queries_rejects_an_unknown_match_mode(cycling_index):
    with pytest.raises(ValueError, match="dopasowania"):
        rank_queries(cycling_index, {"bike": "rower"}, match="some")


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
    assert set(scores) == {
        "ndcg@10", "mrr@10", "recall@100", "queries", "p@5", "set_precision",
        "set_recall", "zero_results", "absent_results", "absent_queries",
    }  # fmt: skip
    assert scores["queries"] == 3
    assert scores["ndcg@10"] == pytest.approx(1.0)  # inflection and the OZE synonym both work
    assert scores["p@5"] == pytest.approx(1 / 5)  # one relevant document per query
    assert scores["set_recall"] == 1.0 and scores["zero_results"] == 0.0
    assert scores["absent_queries"] == 0 and scores["absent_results"] is None


def test_eval_command_baseline_analyzer_scores_lower(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--analyzer", "standard", "--json"))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["ndcg@10"] < 1.0


def test_eval_command_text_output(runner, collection):
    result = runner.invoke(main, eval_args(collection))
    assert result.exit_code == 0
    assert "ndcg@10:" in result.output and "Zapytań:     3" in result.output
    assert "Dopasowanie: auto" in result.output
    assert "p@5:" in result.output and "precyzja:" in result.output
    assert "zapytania bez wyników: 0.0000" in result.output


def test_eval_command_match_any_and_an_absent_topic(runner, collection):
    with collection["queries.jsonl"].open("a", encoding="utf-8") as handle:
        handle.write('\n{"id": "4", "text": "lotnisko regionalne", "kind": "absent"}\n')
    result = runner.invoke(main, eval_args(collection, "--match", "any"))
    assert result.exit_code == 0, result.output
    assert "Dopasowanie: any" in result.output
    assert "tematy spoza kolekcji): 1, średnio 0.00 wyników" in result.output
    as_json = runner.invoke(main, eval_args(collection, "--match", "any", "--json"))
    scores = json.loads(as_json.output)
    assert (scores["queries"], scores["absent_queries"], scores["absent_results"]) == (3, 1, 0.0)


def test_eval_command_rejects_an_unknown_match_mode(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--match", "some"))
    assert result.exit_code == 2


def test_eval_command_reads_a_directory_of_practices_with_their_metric_card(runner, tmp_path):
    """A place named only in the metric card (town) is found when the corpus is a
    directory of practices, not when it is a plain {"id", "title", "text"} file."""
    practices = tmp_path / "practices"
    practices.mkdir()
    records = [
        {"id": "p1", "title": "Biblioteka publiczna", "town": "Kłodzko"},
        {"id": "p2", "title": "Kolektory słoneczne", "town": "Koronowo"},
    ]
    (practices / "all.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8"
    )
    plain = tmp_path / "corpus.jsonl"
    plain.write_text(
        "\n".join(json.dumps({"id": r["id"], "title": r["title"]}) for r in records),
        encoding="utf-8",
    )
    queries = tmp_path / "queries.jsonl"
    queries.write_text('{"id": "1", "text": "Kłodzko"}\n', encoding="utf-8")
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("1\tp1\t3\n", encoding="utf-8")
    args = ["eval", "--queries", str(queries), "--qrels", str(qrels), "--json", "--corpus"]
    from_directory = runner.invoke(main, [*args, str(practices)])
    assert from_directory.exit_code == 0, from_directory.output
    assert json.loads(from_directory.output)["ndcg@10"] == 1.0
    from_file = runner.invoke(main, [*args, str(plain)])
    assert json.loads(from_file.output)["zero_results"] == 1.0


def test_eval_command_reports_a_bad_practice_in_a_corpus_directory(runner, collection, tmp_path):
    practices = tmp_path / "practices"
    practices.mkdir()
    (practices / "bad.jsonl").write_text('{"id": "p1"}\n', encoding="utf-8")
    result = runner.invoke(main, eval_args(collection, "--corpus", str(practices)))
    assert result.exit_code == 1
    assert "Błędna kolekcja testowa" in result.output and "bad.jsonl" in result.output


def test_eval_command_reports_a_bad_qrels_line(runner, collection):
    collection["qrels.tsv"].write_text("1 d1 1\n", encoding="utf-8")
    result = runner.invoke(main, eval_args(collection))
    assert result.exit_code == 1
    assert "qrels.tsv:1" in result.output


def test_eval_command_rejects_an_unknown_analyzer(runner, collection):
    result = runner.invoke(main, eval_args(collection, "--analyzer", "brak"))
    assert result.exit_code == 2


def test_the_readmes_eval_example_runs_on_files_every_clone_has(runner):
    """The README's ``bdp eval`` example names files in the repository, and it runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"\.venv/bin/bdp eval (.*?)  +#", readme, re.S)
    assert example is not None
    arguments = shlex.split(example.group(1).replace("\\\n", " "))
    for option, value in zip(arguments[::2], arguments[1::2], strict=True):
        assert option.startswith("--") and (ROOT / value).exists(), value
        assert not value.startswith("..")  # nothing outside the clone
    result = runner.invoke(
        main, ["eval", *[str(ROOT / a) if not a.startswith("--") else a for a in arguments]]
    )
    assert result.exit_code == 0, result.output
    assert "ndcg@10" in result.output.lower()
