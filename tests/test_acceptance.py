"""The foundation's promises on the bundled data, as a new user would check them."""

from __future__ import annotations

import json

from bdp.cli import main

ZORY_ID = "000_3b014753ec2e4c31"
LODZ_ID = "001_8428a99dc5593c9b"


def cli_search(runner, index_dir, *args):
    result = runner.invoke(main, ["--index-dir", str(index_dir), "search", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_inflected_query_ranks_both_seeds_in_top_five(runner, bundled_index):
    data = cli_search(runner, bundled_index, "rodzinach zastępczych")
    assert {ZORY_ID, LODZ_ID} <= {hit["id"] for hit in data["results"][:5]}


def test_filtered_query_puts_zory_first(runner, bundled_index):
    data = cli_search(
        runner, bundled_index, "pogotowie rodzinne", "--filter", "voivodeship=śląskie"
    )
    assert data["results"][0]["id"] == ZORY_ID
    assert all(hit["voivodeship"] == "śląskie" for hit in data["results"])


def test_seed_records_through_the_api(bundled_client):
    zory = bundled_client.get(f"/api/practices/{ZORY_ID}").get_json()
    assert (zory["population"], zory["county"], len(zory["phones"]), zory["date_added"]) == (
        60444,
        "żorski",
        2,
        "2012-06-04",
    )
    lodz = bundled_client.get(f"/api/practices/{LODZ_ID}").get_json()
    assert (lodz["county"], len(lodz["websites"]), lodz["population"]) == (None, 2, 781932)


def test_empty_query_facets_cover_the_collection(bundled_client):
    data = bundled_client.get("/api/search?q=").get_json()
    assert len(data["facets"]["voivodeship"]) == 16
    assert sum(v["count"] for v in data["facets"]["category"]) == data["total"] >= 60
    assert {v["value"] for v in data["facets"]["unit_type"]} >= {
        "gmina miejska",
        "gmina wiejska",
        "gmina miejsko-wiejska",
        "miasto na prawach powiatu",
        "powiat",
    }


def test_schema_in_the_index_stays_small(runner, bundled_index):
    stats = runner.invoke(main, ["--index-dir", str(bundled_index), "index", "stats", "--json"])
    # The analyzer is pickled into the table of contents without the stemmer table.
    assert json.loads(stats.output)["toc_bytes"] < 50_000
