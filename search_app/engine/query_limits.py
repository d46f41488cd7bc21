"""Bounds on query terms that expand to many index terms (wildcards, prefixes, ranges, fuzzy).

Whoosh expands ``rodzin*``, ``*a``, ``[a TO z]`` or ``gmina~2`` into every
matching term of the index at search time; on a large index a single such
pattern (above all one with no literal prefix) reads the whole lexicon and
takes seconds. Every such term is replaced here by an ``Or`` of at most
:data:`MAX_EXPANSIONS` concrete terms, found by scanning at most
:data:`MAX_SCANNED` candidates; patterns without a literal prefix of
:data:`MIN_PREFIX` characters are dropped, with a Polish note for the user.
A query may scan at most :data:`MAX_SCANNED_PER_QUERY` candidates in all (a
query of 32 patterns on 4 fields could otherwise scan 640,000); the patterns
past that are dropped, with a note too.
"""

from __future__ import annotations

import re
from itertools import islice

from whoosh.query import Every, NullQuery, Or, Query, Term
from whoosh.query.terms import MultiTerm, PatternQuery, Prefix
from whoosh.reading import IndexReader

MIN_PREFIX = 2
MAX_EXPANSIONS = 50
MAX_SCANNED = 5000
MAX_SCANNED_PER_QUERY = 4 * MAX_SCANNED


def bound_query(query: Query, reader: IndexReader, messages: list[str]) -> Query:
    """``query`` with every expanding term replaced by a bounded list of concrete terms."""
    left = [MAX_SCANNED_PER_QUERY]  # candidates the rest of the query may still scan

    def bound(node: Query) -> Query:
        if isinstance(node, Every) and node.fieldname:
            return Every()  # every document has a title: same hits, no posting scan
        if isinstance(node, MultiTerm):
            return _bounded_terms(node, reader, messages, left)
        if node.is_leaf():
            return node
        return node.apply(bound)

    return bound(query).normalize()


def _bounded_terms(
    node: MultiTerm, reader: IndexReader, messages: list[str], left: list[int]
) -> Query:
    fieldname = node.field()
    if fieldname is None or fieldname not in reader.schema:
        return NullQuery
    label = _pattern_label(node)
    if left[0] <= 0:
        _note(messages, "Zapytanie zawiera zbyt wiele wzorców — część z nich pominięto.")
        return NullQuery
    if isinstance(node, PatternQuery):
        prefix = node.text if isinstance(node, Prefix) else node._find_prefix(node.text)
        if len(prefix) < MIN_PREFIX:
            _note(
                messages,
                f"Pominięto wzorzec „{label}” — musi zaczynać się od co najmniej "
                f"{MIN_PREFIX} liter, np. „rodzin*”.",
            )
            return NullQuery
        btexts = _pattern_matches(node, reader, fieldname, prefix, left)
    else:
        btexts = _counted(node._btexts(reader), left)
    found = list(islice(btexts, MAX_EXPANSIONS + 1))
    if len(found) > MAX_EXPANSIONS:
        found = found[:MAX_EXPANSIONS]
        _note(
            messages,
            f"Wzorzec „{label}” pasuje do zbyt wielu słów — uwzględniono pierwsze "
            f"{MAX_EXPANSIONS}. Dopisz więcej liter, aby zawęzić wyniki.",
        )
    field = reader.schema[fieldname]
    terms = [Term(fieldname, field.from_bytes(btext), boost=node.boost) for btext in found]
    if not terms:
        return NullQuery
    return terms[0] if len(terms) == 1 else Or(terms)


def _pattern_matches(
    node: PatternQuery, reader: IndexReader, fieldname: str, prefix: str, left: list[int]
):
    """Terms starting with ``prefix`` that match the pattern, among the first candidates."""
    candidates = _counted(islice(reader.expand_prefix(fieldname, prefix), MAX_SCANNED), left)
    if isinstance(node, Prefix):
        yield from candidates
        return
    pattern = re.compile(node._get_pattern())
    from_bytes = reader.schema[fieldname].from_bytes
    for btext in candidates:
        if pattern.match(from_bytes(btext)):
            yield btext


def _counted(candidates, left: list[int]):
    """``candidates`` while the query's scan budget lasts, each taken from ``left[0]``."""
    candidates = iter(candidates)
    while left[0] > 0:
        candidate = next(candidates, None)
        if candidate is None:
            return
        left[0] -= 1
        yield candidate


def _pattern_label(node: MultiTerm) -> str:
    """The pattern as the user typed it, without the field the parser added."""
    if isinstance(node, Prefix):
        return f"{node.text}*"
    if hasattr(node, "start") and hasattr(node, "end"):
        return f"[{node.start or ''} TO {node.end or ''}]"
    return str(getattr(node, "text", node))


def _note(messages: list[str], message: str) -> None:
    if message not in messages:  # the parser repeats a pattern once per searched field
        messages.append(message)
