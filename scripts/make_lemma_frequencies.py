"""Build analyzers/lemma_frequencies.tsv.gz: how common each competing Morfeusz lexeme is.

Run by hand when Morfeusz's dictionary or wordfreq changes (wordfreq is a build-time
tool only: the search engine reads just the generated file)::

    .venv/bin/python scripts/make_lemma_frequencies.py

Why: :func:`analyzers.lemmas.lemmas` must rank the lemmas of one form ("mam": "mieć"
or "mama"), and wordfreq counts forms, not lemmas.

Method. A lexeme's frequency is the frequency of the forms Morfeusz reads as it, over
wordfreq's 100,000 most frequent Polish words. A form with readings of several lexemes
is split among them in proportion to how common each reading's grammatical tag is in
its kind of paradigm (verb, adjective, noun of that gender, ...), learnt from the forms
only one lexeme reads: a third-person verb form is common, a verbal noun ("życia" of
"żyć") rare among a verb's forms, a pluralia tantum tag ("zakupy", "rachunki") rare
among neuter nouns. So the particle "nie" keeps the word "nie", which crediting the
form whole (or evenly) to each lexeme gave to the pronoun "on" (its rare accusative
"nie"), "ile" is no longer as common as "ił" (clay), and "zakupów" goes to "zakup".
Readings Morfeusz marks archaic, rare or regional get a tenth of their share.

Measured with bench.relevance's lemma_accuracy (UD Polish PUD): no table 0.9105;
forms credited whole to each lexeme 0.9205; split evenly among lemmas 0.911; split
by tag with one class per part of speech 0.9320; with nouns by gender (this) 0.9336;
by gender and pluralia tantum 0.9348, but that parts "usługi" from "usługa" and
"warsztaty" from "warsztat"; re-estimating the split from the found frequencies (EM)
only lowers it. The top 50k, 100k, 200k or all 450k words differ by under 0.001.

Only lexemes that compete somewhere (a word of the whole list read as two or more
lemmas) are written, as ``round(100 * log10(occurrences per 10^9 words))``; one not
in the table counts 0.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import importlib.metadata
import math
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzers.lemmas import (  # noqa: E402
    FREQUENCIES,
    WORD,
    Reading,
    lemma_name,
    load_morfeusz,
    readings,
)

TOP = 100_000
RARE_WEIGHT = 0.1  # a rare reading's share of a form, against 1 for a common one
UNSEEN_TAG = 1e-4  # the probability of a tag no unambiguous word has

# Parts of speech (first field of a Morfeusz tag) that belong to one paradigm.
PARADIGMS = {
    **dict.fromkeys(
        ("fin", "bedzie", "praet", "impt", "imps", "inf", "pcon", "pant", "ger", "pact", "ppas"),
        "verb",
    ),
    **dict.fromkeys(("adj", "adja", "adjp", "adjc"), "adjective"),
    **dict.fromkeys(("subst", "depr"), "noun"),
    **dict.fromkeys(("num", "numcol"), "numeral"),
}

Form = tuple[float, list[Reading]]


def paradigm(tag: str) -> str:
    """The kind of paradigm a reading belongs to; a noun's includes its gender.

    A noun's gender is fixed, so "kapitana" as the genitive of "kapitan" (m1) is
    weighed among the forms of masculine personal nouns, not against every noun's
    nominatives (which made the rare feminine "kapitana" the more common lemma).
    """
    fields = tag.split(":")
    kind = PARADIGMS.get(fields[0], fields[0])
    if kind == "noun" and len(fields) > 3:
        return f"noun:{fields[3]}"
    return kind


def read_forms(top: int) -> tuple[list[Form], set[str]]:
    """The ``top`` most frequent Polish words with their readings, and the competing lexemes.

    The competing lexemes come from the whole list, so that a lexeme contested only by
    rarer words is ranked too.
    """
    from wordfreq import get_frequency_dict

    frequencies = get_frequency_dict("pl", wordlist="large")
    ranked = sorted(frequencies.items(), key=lambda item: (-item[1], item[0]))
    forms: list[Form] = []
    competing: set[str] = set()
    for rank, (word, frequency) in enumerate(ranked):
        if "-" in word or not WORD.fullmatch(word):
            continue
        found = list(dict.fromkeys(readings(word)))
        if len({lemma_name(r.lexeme) for r in found}) > 1:
            competing.update(r.lexeme for r in found)
        if rank < top and found:
            forms.append((frequency, found))
    return forms, competing


def tag_probabilities(forms: list[Form]) -> dict[str, float]:
    """P(tag | paradigm) from the forms of one lexeme, a form split evenly among its tags."""
    counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for frequency, found in forms:
        if len({r.lexeme for r in found}) == 1:
            for r in found:
                counts[paradigm(r.tag)][r.tag] += frequency / len(found)
    probabilities: dict[str, float] = {}
    for tags in counts.values():
        whole = sum(tags.values())
        probabilities.update((tag, count / whole) for tag, count in tags.items())
    return probabilities


def estimate(forms: list[Form], tags: dict[str, float]) -> dict[str, float]:
    """Lexeme frequencies: each form's frequency split among its readings by tag probability."""
    totals: dict[str, float] = defaultdict(float)
    for frequency, found in forms:
        weights = [
            max(tags.get(r.tag, 0.0), UNSEEN_TAG) * (RARE_WEIGHT if r.rare else 1.0) for r in found
        ]
        whole = sum(weights)
        for r, weight in zip(found, weights, strict=True):
            totals[r.lexeme] += frequency * weight / whole
    return dict(totals)


def table_rows(frequencies: dict[str, float], competing: set[str]) -> list[tuple[str, int]]:
    """``(lexeme, round(100 * log10(per 10^9 words)))`` of the competing lexemes, above 0."""
    rows = []
    for lexeme in sorted(competing):
        per_billion = frequencies.get(lexeme, 0.0) * 1e9
        value = round(100 * math.log10(per_billion)) if per_billion > 0 else 0
        if value > 0:
            rows.append((lexeme, value))
    return rows


def write_table(path: Path, rows: list[tuple[str, int]], command: str) -> None:
    header = [
        "How common each Morfeusz lexeme that shares a form with another lemma is;",
        "analyzers/lemmas.py ranks a word's lemmas by it. Method: the script's docstring.",
        f"Generated by: {command}",
        f"wordfreq {importlib.metadata.version('wordfreq')} (Polish, large list); "
        f"morfeusz2 {importlib.metadata.version('morfeusz2')} ({load_morfeusz().dict_id()}); "
        f"{datetime.date.today().isoformat()}",
        "Columns: lexeme, round(100 * log10(occurrences per 10^9 words)).",
    ]
    text = "".join(f"# {line}\n" for line in header)
    text += "".join(f"{lexeme}\t{value}\n" for lexeme, value in rows)
    # No name or time in the gzip header: the same table gives the same bytes.
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as out,
    ):
        out.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--top", type=int, default=TOP, help="words whose frequency counts")
    parser.add_argument("--output", type=Path, default=FREQUENCIES)
    args = parser.parse_args(argv)
    forms, competing = read_forms(args.top)
    rows = table_rows(estimate(forms, tag_probabilities(forms)), competing)
    write_table(args.output, rows, f"python scripts/make_lemma_frequencies.py --top {args.top}")
    print(f"{args.output}: {len(rows)} lexemes, {args.output.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
