"""Snippets: Polish sentence boundaries, "…" where cut, distinct words, marks only where matched."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from whoosh.query import And, AndNot, Not, Or, Phrase, Term

from analyzers.sentences import LEADING, sentence_spans, sentences
from indexer.sources import DEFAULT_SOURCES, read_sources
from search_app.engine.search import SNIPPET_CHARS, SNIPPETS, WHOLE_TEXT, parse_query
from search_app.engine.snippets import Snippets, lead, matched_tokens, wanted
from tests.conftest import LODZ, ZORY, run_search

LODZ_ID = "001_8428a99dc5593c9b"
ZORY_ID = "000_3b014753ec2e4c31"
MARK = re.compile(r"<mark[^>]*>(.*?)</mark>")


# --- sentence boundaries -------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        # Real sentences of data/practices.
        (
            "W województwie śląskim wynosi ok. 3 000 zł. Wsparciem objęto rodziny.",
            ["W województwie śląskim wynosi ok. 3 000 zł.", "Wsparciem objęto rodziny."],
        ),
        (
            "Prowadzona m.in. w szkołach. Jest adresowany do beneficjentów pomocy "
            "społecznej, tj. rodzin zagrożonych.",
            [
                "Prowadzona m.in. w szkołach.",
                "Jest adresowany do beneficjentów pomocy społecznej, tj. rodzin zagrożonych.",
            ],
        ),
        (
            "Powołano Zespół ds. Monitorowania Programu. Wyremontowano budynek przy "
            "ul. Wojska Polskiego, likwidując bariery.",
            [
                "Powołano Zespół ds. Monitorowania Programu.",
                "Wyremontowano budynek przy ul. Wojska Polskiego, likwidując bariery.",
            ],
        ),
        (
            "Udział osób po 60. roku życia nie przekraczał 4%. Szkoły powstały w latach "
            "60. i 70. Budynki były słabo izolowane.",
            [
                "Udział osób po 60. roku życia nie przekraczał 4%.",
                "Szkoły powstały w latach 60. i 70.",
                "Budynki były słabo izolowane.",
            ],
        ),
        (
            "Zorganizowano kursy prawa jazdy kat. C. Zajęcia odbywały się w świetlicy.",
            ["Zorganizowano kursy prawa jazdy kat. C.", "Zajęcia odbywały się w świetlicy."],
        ),
        (
            "Ścieki spełniają normy dla aglomeracji powyżej 100 tys. RLM. Straty wody spadły.",
            [
                "Ścieki spełniają normy dla aglomeracji powyżej 100 tys. RLM.",
                "Straty wody spadły.",
            ],
        ),
        (
            "Uchwałę przyjęto 11.06.2013 r. na sesji. Koszt: 3.5 mln zł, tzw. wkład własny.",
            [
                "Uchwałę przyjęto 11.06.2013 r. na sesji.",
                "Koszt: 3.5 mln zł, tzw. wkład własny.",
            ],
        ),
        (
            "Siedziba: ul. Marsz. J. Piłsudskiego 8. Program prowadzi dr hab. inż. "
            "A. Nowak, prof. UW. Konsultował go np. Urząd Miasta.",
            [
                "Siedziba: ul. Marsz. J. Piłsudskiego 8.",
                "Program prowadzi dr hab. inż. A. Nowak, prof. UW.",
                "Konsultował go np. Urząd Miasta.",
            ],
        ),
        (
            "Projekt ruszył w 2009 r. Po roku wyniki były lepsze, itd. Czy warto? Tak!",
            ["Projekt ruszył w 2009 r.", "Po roku wyniki były lepsze, itd.", "Czy warto?", "Tak!"],
        ),
        (
            "Szkoła im. Jana Pawła II w woj. Śląskim. Cel: „Bezpieczny dom.” Dalej.",
            ["Szkoła im. Jana Pawła II w woj. Śląskim.", "Cel: „Bezpieczny dom.”", "Dalej."],
        ),
        (
            "Cele projektu\n- aktywizacja seniorów\n- integracja\n\nakapit bez wielkiej litery",
            [
                "Cele projektu",
                "- aktywizacja seniorów",
                "- integracja",
                "akapit bez wielkiej litery",
            ],
        ),
    ],
)
def test_polish_sentence_boundaries(text, expected):
    assert sentences(text) == expected


def test_no_bundled_sentence_ends_with_a_leading_abbreviation():
    """Across the bundled practices, "ok.", "m.in.", "tj.", "ul."… never end a sentence."""
    report = read_sources([DEFAULT_SOURCES])
    checked = 0
    for practice in report.practices:
        for text in (practice.summary, practice.body):
            for sentence in sentences(text):
                last = re.search(r"(?<![\w.])([\w.]*\w)\.$", sentence)
                assert not (last and last.group(1).lower() in LEADING), sentence
                checked += 1
    assert checked > 500


@given(st.text(alphabet="ab A1.!?…\n ok.m.in", max_size=80))
def test_spans_are_ordered_stripped_and_cover_every_word(text):
    spans = sentence_spans(text)
    covered = set()
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end
        assert not text[start].isspace() and not text[end - 1].isspace()
        covered.update(range(start, end))
        previous_end = end
    assert all(i in covered for i, ch in enumerate(text) if not ch.isspace())


# --- marking -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def analyzer(bundled_searcher):
    return bundled_searcher.schema["summary"].analyzer


def lemma(analyzer, word: str) -> str:
    (term,) = [t.text for t in analyzer(word, mode="query")]
    return term


def marked(html_text: str) -> list[str]:
    return MARK.findall(html_text)


def shown(html_text: str) -> str:
    """What the reader sees of a snippet."""
    return html.unescape(MARK.sub(r"\1", html_text))


def test_phrase_words_are_marked_only_where_the_whole_phrase_is(analyzer):
    """A synonym phrase marks "Ośrodka Pomocy Społecznej", never a stray "pomocy"."""
    words = [lemma(analyzer, w) for w in ("ośrodek", "pomocy", "społecznej")]
    query = Or([Term("summary", "mops"), Phrase("summary", words, slop=2)])
    text = (
        "Beneficjenci pomocy społecznej skorzystali. Ośrodek sportu działa. "
        "Przedstawiciele Miejskiego Ośrodka Pomocy Społecznej i MOPS w Łodzi."
    )
    out = WHOLE_TEXT.highlight(text, query, "summary", analyzer)
    assert marked(out) == ["Ośrodka", "Pomocy", "Społecznej", "MOPS"]


def test_phrase_slop_counts_positions(analyzer):
    """Within the slop ("ośrodka miejskiej pomocy" with slop 2), not beyond it."""
    words = [lemma(analyzer, w) for w in ("ośrodek", "pomocy")]
    near = "Dyrektor ośrodka miejskiej pomocy."
    far = "Dyrektor ośrodka sportu i rekreacji oraz pomocy."
    for slop, text, expected in [(2, near, 2), (1, near, 0), (2, far, 0)]:
        query = Phrase("summary", words, slop=slop)
        assert len(marked(WHOLE_TEXT.highlight(text, query, "summary", analyzer))) == expected


def test_negated_words_are_never_marked(analyzer):
    family, foster = lemma(analyzer, "rodziny"), lemma(analyzer, "zastępcze")
    text = "Rodziny zastępcze i rodziny naturalne. Rodzinom pomagamy."
    for query in (
        And([Term("summary", family), Not(Term("summary", foster))]),
        AndNot(Or([Term("summary", family), Term("summary", foster)]), Term("body", foster)),
        Or([Term("summary", family), Not(Phrase("summary", [family, foster]))]),
    ):
        out = WHOLE_TEXT.highlight(text, query, "summary", analyzer)
        assert "zastępcze" in out and all("zastępcz" not in m for m in marked(out)), query
        assert marked(out)[0] == "Rodziny"


def test_wanted_reads_the_query_tree():
    query = Or(
        [
            Term("summary", "gmina"),
            Term("title", "dom"),
            Term("folded", "zory"),
            Phrase("summary", ["ośrodek", "pomoc"], slop=2),
            Not(Term("body", "szkoła")),
            Term("summary", "szkoła"),
        ]
    )
    found = wanted(query, "summary")
    assert found.terms == {"gmina"}  # "szkoła" is negated (in any field), "dom" elsewhere
    assert found.phrases == ((("ośrodek", "pomoc"), 2),)
    assert found.folded == {"zory"}
    assert not wanted(Not(Term("summary", "gmina")), "summary")
    # A phrase holding a negated word (a synonym of the words around it) is not marked.
    phrase = Phrase("summary", ["rodzina", "zastępczy"])
    assert not wanted(Or([phrase, Not(Term("body", "zastępczy"))]), "summary")


def test_words_typed_without_diacritics_mark_through_the_folded_field(analyzer):
    out = WHOLE_TEXT.highlight("Rodziny w Żorach.", Term("folded", "zorach"), "summary", analyzer)
    assert marked(out) == ["Żorach"]


def test_markup_in_text_is_escaped_and_only_marks_are_tags(analyzer):
    text = 'Rodzina <b>i</b> "dom" & <script>alert(1)</script> </mark>rodzina.'
    query = Term("summary", lemma(analyzer, "rodzina"))
    for snippets in (WHOLE_TEXT, Snippets(40)):
        out = snippets.highlight(text, query, "summary", analyzer)
        assert "<" not in MARK.sub("", out)
        assert "&lt;script&gt;" in out or snippets is not WHOLE_TEXT
        assert marked(out)[0] == "Rodzina"
    assert "<" not in lead(text, 30) and "&amp;" in lead(text, 30)


PIECES = ["Gmina", "gminie", "ok.", "m.in.", "<b>", "&", "rodzina", "3 000", "zł.", "Nowa"]
PIECES += ["szkoła.", "\n\n", "…", "„dom”", "J.", "Kowalski", "i", "w", "prowadzi", "x" * 30]


@given(st.lists(st.sampled_from(PIECES), max_size=150), st.integers(30, 300))
def test_any_snippet_fits_its_budget_escapes_and_marks_only_query_words(
    analyzer, pieces, max_chars
):
    text = " ".join(pieces)
    nowa, szkola = lemma(analyzer, "Nowa"), lemma(analyzer, "szkoła")
    query = Or(
        [
            Term("summary", "gmina"),
            Term("summary", "rodzina"),
            Phrase("summary", [nowa, szkola]),
            Not(Term("summary", "prowadzić")),
        ]
    )
    out = Snippets(max_chars).highlight(text, query, "summary", analyzer)
    assert "<" not in MARK.sub("", out)
    assert len(shown(out)) <= max_chars
    assert {lemma(analyzer, m) for m in marked(out)} <= {"gmina", "rodzina", nowa, szkola}
    if re.search(r"(?i)\bgmin|rodzina", text):
        assert marked(out)


# --- choosing fragments --------------------------------------------------------------

FILLER = " ".join(f"Zdanie numer {n} opisuje kolejne działania urzędu w gminie." for n in range(12))


def test_whole_summary_that_fits_has_no_ellipsis(analyzer):
    text = "Gmina prowadzi klub. Seniorzy ćwiczą tam co tydzień.\n\nKoszt: ok. 3 000 zł."
    out = SNIPPETS.highlight(
        text, Term("summary", lemma(analyzer, "seniorzy")), "summary", analyzer
    )
    assert "…" not in out
    assert shown(out) == "Gmina prowadzi klub. Seniorzy ćwiczą tam co tydzień. Koszt: ok. 3 000 zł."


def test_ellipses_mark_where_the_text_is_cut(analyzer):
    long_start = "Na początku " + "bardzo " * 60 + "długiego zdania pojawia się biblioteka."
    long_end = "Biblioteka otwiera zdanie, " + "które ciągnie się " * 30 + "bez końca."
    query = Term("summary", lemma(analyzer, "biblioteka"))
    at_end = shown(
        SNIPPETS.highlight(f"{FILLER} {long_start} {FILLER}", query, "summary", analyzer)
    )
    assert at_end.startswith("… ") and "biblioteka." in at_end
    at_start = shown(
        SNIPPETS.highlight(f"{FILLER} {long_end} {FILLER}", query, "summary", analyzer)
    )
    assert at_start.startswith("Biblioteka otwiera") and at_start.endswith(" …")
    assert len(at_end) <= SNIPPET_CHARS and len(at_start) <= SNIPPET_CHARS


def test_non_adjacent_fragments_are_joined_by_an_ellipsis(analyzer):
    text = f"Gmina ma bibliotekę. {FILLER} {FILLER} Wybudowano też basen. {FILLER}"
    query = Or([Term("summary", lemma(analyzer, w)) for w in ("bibliotekę", "basen")])
    out = SNIPPETS.highlight(text, query, "summary", analyzer)
    assert [m.lower() for m in marked(out)] == ["bibliotekę", "basen"]
    assert " … " in shown(out) and len(shown(out)) <= SNIPPET_CHARS


def test_abbreviations_do_not_cut_a_bundled_snippet(analyzer):
    """Old snippets of the Żory page ended "… wynosi ok": "ok." was taken for a sentence end."""
    summary = read_sources([ZORY]).practices[0].summary
    query = Term("summary", lemma(analyzer, "placówce"))
    out = shown(Snippets(300).highlight(summary, query, "summary", analyzer))
    assert "wynosi ok. 3 000 zł." in out
    assert len(out) <= 300
    # Cut shorter, it ends on a whole word: neither inside "3 000" nor after "ok.".
    short = shown(SNIPPETS.highlight(summary, query, "summary", analyzer))
    assert short.endswith(" …") and not re.search(r"(ok\.|\d) …$", short), short


def test_distinct_words_beat_a_repeated_one(bundled_searcher, analyzer):
    """ "rodzin" fills the Łódź summary's first sentences; "kwotę" is only in its last."""
    summary = read_sources([LODZ]).practices[0].summary
    family, amount = lemma(analyzer, "rodzin"), lemma(analyzer, "kwotę")
    out = SNIPPETS.highlight(
        summary, Or([Term("summary", family), Term("summary", amount)]), "summary", analyzer
    )
    words = {lemma(analyzer, m.lower()) for m in marked(out)}
    assert words == {family, amount}
    assert len(shown(out)) <= SNIPPET_CHARS


def test_two_words_in_different_sentences_are_both_shown(bundled_searcher):
    response = run_search(bundled_searcher, "rodzin kwotę")
    hit = next(h for h in response.results if h.id == LODZ_ID)
    words = {m.lower()[:4] for m in marked(hit.snippet)}
    assert {"rodz", "kwot"} <= words


def test_matches_deep_in_a_long_text_are_found(analyzer):
    text = FILLER * 150 + " Na końcu jest basen."
    assert len(text) > 100_000
    out = SNIPPETS.highlight(text, Term("summary", lemma(analyzer, "basen")), "summary", analyzer)
    assert marked(out) == ["basen"] and len(shown(out)) <= SNIPPET_CHARS


def test_matched_tokens_keep_character_offsets(analyzer):
    text = "Jst-ngo: współpraca JST i NGO."
    want = wanted(Term("summary", "ngo"), "summary")
    tokens = matched_tokens(text, analyzer, want)
    assert [text[t.startchar : t.endchar] for t in tokens] == ["ngo", "NGO"]


# --- through search() ----------------------------------------------------------------


def test_synonym_expansion_marks_no_stray_words(small_searcher):
    """MOPS also searches "ośrodek pomocy społecznej"; "beneficjentów pomocy" stays unmarked."""
    summary = read_sources([LODZ]).practices[0].summary
    assert "beneficjentów pomocy społecznej" in summary
    analyzer = small_searcher.schema["summary"].analyzer
    query = parse_query(small_searcher, "MOPS", [])
    out = WHOLE_TEXT.highlight(summary, query, "summary", analyzer)
    assert "beneficjentów pomocy społecznej" in out
    assert "<mark>Ośrodka</mark> <mark>Pomocy</mark> <mark>Społecznej</mark>, Wydziału" in out
    for hit in run_search(small_searcher, "MOPS").results:
        for found in re.finditer(r"<mark[^>]*>(pomoc|społeczn)\w*</mark>", hit.snippet, re.I):
            assert hit.snippet[: found.start()].endswith("</mark> "), hit.snippet


def test_negated_words_are_not_marked_in_results(small_searcher):
    for q in ("rodziny NOT zastępcze", "rodziny ANDNOT zastępcze", "rodzina NOT zastępczych"):
        for hit in run_search(small_searcher, q).results:
            for html_text in (hit.snippet, hit.title_html):
                assert not any("zastępcz" in m.lower() for m in marked(html_text)), html_text


def test_bundled_snippets_fit_and_show_where_they_are_cut(bundled_searcher):
    queries = ("rodziny zastępcze", "MOPS", "koszt szkolenia", "seniorzy internet", "oczyszczalnia")
    for q in queries:
        for hit in run_search(bundled_searcher, q).results:
            text = shown(hit.snippet)
            assert len(text) <= SNIPPET_CHARS, text
            # Ends at a sentence's end, or with "…" where a sentence is cut.
            assert text.endswith((".", "!", "?", "…")), text
            assert not re.search(r"\b(ok|m\.in|tj|np|ul)\.?$", text), text


def test_results_without_matches_get_the_lead_in_whole_sentences(small_searcher):
    response = run_search(small_searcher, filters={"voivodeship": ["śląskie"]})
    assert response.results
    for hit in response.results:
        assert "<mark>" not in hit.snippet
        text = shown(hit.snippet)
        assert len(text) <= SNIPPET_CHARS and text.endswith((".", "…", "!", "?")), text


SCREENED_QUERIES = [
    "rodzin",
    "rodzin kwotę",
    "rodziny zastępcze",
    '"pomocy społecznej"',
    '"rodzin zastępczych"',
    "pomoc spoleczna",  # without diacritics: the folded field
    "rodzina zastepcza",
    "Żory -basen",
    "gmina NOT szkoła",
    "MOPS",
    "szkoła OR basen",
    "budżet obywatelski",
]


def test_fields_without_the_query_words_are_not_re_analysed(bundled_searcher, monkeypatch):
    """A hit's field is analysed for marks only if its postings hold a word to mark; the
    snippets are the same as when every field is analysed, and fewer texts are."""
    from search_app.engine import snippets

    analysed: list[str] = []
    original = snippets.matched_tokens

    def counted(text, *args, **kwargs):
        analysed.append(text)
        return original(text, *args, **kwargs)

    monkeypatch.setattr(snippets, "matched_tokens", counted)

    def shown_results() -> list[list[tuple]]:
        return [
            [(h.id, h.title_html, h.snippet, h.snippet_source) for h in response.results]
            for response in (run_search(bundled_searcher, q) for q in SCREENED_QUERIES)
        ]

    screened = shown_results()
    screened_count = len(analysed)
    analysed.clear()
    monkeypatch.setattr(snippets, "may_hold", lambda *args: True)
    assert shown_results() == screened
    assert all(any(hits) for hits in screened)
    assert screened_count < len(analysed) * 0.75


def test_may_hold_answers_from_the_documents_postings(bundled_searcher):
    """A field may hold a term exactly when analysing its stored text gives the term; a
    word without diacritics when the document's folded field has it."""
    from analyzers.surfaces import index_tokens
    from search_app.engine.snippets import Wanted, may_hold

    analyzer = bundled_searcher.schema["summary"].analyzer
    probes = ["rodzina", "basen", "gmina", "szkoła", "żory", "mops", "nieistniejący"]
    checked = 0
    for docnum, stored in bundled_searcher.reader().iter_docs():
        for field in ("title", "summary", "body"):
            text = stored["record"].get(field) or ""
            terms = {t[0] for t in index_tokens(analyzer, text) if not t[1]}
            for probe in probes:
                want = Wanted(terms=frozenset({probe}))
                assert may_hold(bundled_searcher, docnum, field, want) == (probe in terms)
                checked += probe in terms
    assert checked > 20

    def doc(practice_id: str) -> int:
        return bundled_searcher.document_number(id=practice_id)

    folded = Wanted(folded=frozenset({"zorach"}))
    assert may_hold(bundled_searcher, doc(ZORY_ID), "summary", folded)
    assert not may_hold(bundled_searcher, doc(LODZ_ID), "summary", folded)
