"""Snippets of Polish text: whole sentences with the query's words, marked where they matched.

Whoosh's own highlighting marks every term of the query anywhere, splits sentences
at every full stop ("ok.", "m.in.", "tj.") and picks fragments one by one, so it
showed the same word twice and each "pomocy" of a synonym phrase
("ośrodek pomocy społecznej"). Here, on Whoosh's extension points:

- :func:`wanted` reads what may be marked in a field from the query tree: single
  terms anywhere, phrases (synonyms included) only where the whole phrase occurs
  within its slop, and nothing under ``Not`` or on the right of ``AndNot``;
- :func:`matched_tokens` finds them in the re-analysed text (each distinct word
  analysed once, :mod:`analyzers.surfaces`), in one pass plus a linear walk over
  the positions of each phrase's words;
- :class:`SentenceFragmenter` gives one fragment per sentence with matches, on
  Polish sentence boundaries (:mod:`analyzers.sentences`);
- :func:`choose` picks sentences by how many query words they add that the
  snippet does not show yet (:class:`DistinctScorer`), trims long ones around
  their matches on word boundaries and fills what is left of the length budget
  with the text that follows;
- :class:`SnippetFormatter` escapes the text, puts matches in ``<mark>`` and
  "…" where the text is cut: before a fragment starting mid-sentence, after
  one ending mid-sentence, between fragments that are not adjacent.

The cost is linear in the text (analysis, sentence boundaries, matching), bounded
by :data:`MAX_ANALYSED_CHARS`.
"""

from __future__ import annotations

import bisect
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import highlight
from whoosh.analysis import Analyzer, Token
from whoosh.query import AndNot, Not, Phrase, Query, SpanNot, Term
from whoosh.searching import Searcher

from analyzers import fold
from analyzers.sentences import dangles, sentence_spans
from analyzers.surfaces import index_tokens
from indexer.schema import FOLDED_FIELD
from search_app.engine.arrays import index_arrays

DEFAULT_CHARS = 240
# Texts are analysed up to here: a practice's body is at most about this long, and
# matches further on would not make a better snippet than those before.
MAX_ANALYSED_CHARS = 128 * 1024
# Sentences shown at most; more would read as a list of scraps.
MAX_FRAGMENTS = 3
# A fragment shorter than this gives too little context to be worth its "…".
MIN_FRAGMENT = 40
# Room kept for the "… " marks around each fragment.
ELLIPSIS_ROOM = 4
# A phrase's words may be at most this far apart, whatever slop the query asks for.
MAX_SLOP = 64
ELLIPSIS = "…"

_SPACES = re.compile(r"\s+")
# Not worth starting or ending a cut fragment with.
_LEADING_JUNK = " \t\r\n,;:.)]–—-"
_TRAILING_JUNK = " \t\r\n,;:([„–—-"


@dataclass(frozen=True)
class Wanted:
    """What may be marked in one field: terms anywhere, phrases where whole, folded words."""

    terms: frozenset[str] = frozenset()
    # (words, slop) of each phrase of two or more words.
    phrases: tuple[tuple[tuple[str, ...], int], ...] = ()
    # Words of the folded field (written without Polish letters), matched by folding.
    folded: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.terms or self.phrases or self.folded)


def wanted(query: Query, fieldname: str, folded_field: str = FOLDED_FIELD) -> Wanted:
    """The terms and phrases of ``query`` to mark in ``fieldname``; never negated ones.

    A word negated anywhere (``NOT zastępcze``) is marked nowhere, not even within
    a phrase searched for besides (a synonym of the words around it).

    Wildcards and ranges are not looked at: the engine has replaced them by
    concrete terms (:mod:`~search_app.engine.query_limits`) before searching.

    >>> from whoosh.query import And, Or
    >>> q = And([Term("body", "gmina"), Not(Term("body", "szkoła")),
    ...          Or([Phrase("body", ["ośrodek", "pomoc"], slop=2), Term("title", "dom")])])
    >>> wanted(q, "body")
    Wanted(terms=frozenset({'gmina'}), phrases=((('ośrodek', 'pomoc'), 2),), folded=frozenset())
    """
    terms: dict[tuple[bool, str], set[str]] = {}
    phrases: dict[tuple[bool, tuple[str, ...]], int] = {}

    def walk(node: Query, negated: bool) -> None:
        if isinstance(node, Not):
            walk(node.query, True)
        elif isinstance(node, (AndNot, SpanNot)):
            walk(node.a, negated)
            walk(node.b, True)
        elif isinstance(node, Term):
            if isinstance(node.text, str):
                terms.setdefault((negated, node.fieldname), set()).add(node.text)
        elif isinstance(node, Phrase):
            words = tuple(node.words)
            if len(words) == 1:
                terms.setdefault((negated, node.fieldname), set()).add(words[0])
            elif words and (negated or node.fieldname == fieldname):
                key = (negated, words)
                phrases[key] = max(phrases.get(key, 0), min(node.slop, MAX_SLOP))
        else:
            for child in node.children():
                walk(child, negated)

    walk(query, False)
    negated_terms = set().union(*(words for (neg, _f), words in terms.items() if neg))
    negated_phrases = {words for (neg, words) in phrases if neg}
    return Wanted(
        terms=frozenset(terms.get((False, fieldname), set()) - negated_terms),
        phrases=tuple(
            (words, slop)
            for (neg, words), slop in phrases.items()
            if not neg and words not in negated_phrases and not negated_terms.intersection(words)
        ),
        folded=frozenset(terms.get((False, folded_field), set()) - negated_terms),
    )


def matched_tokens(
    text: str, analyzer: Analyzer, want: Wanted, limit: int = MAX_ANALYSED_CHARS
) -> list[Token]:
    """Tokens of ``text`` (up to ``limit``) that match ``want``, by position in the text.

    Each token's ``text`` is the query word it stands for (a term, a folded
    word or a whole phrase), so a fragment's ``matched_terms`` are the distinct
    query words it shows.
    """
    found: list[Token] = []
    phrase_words = {word for words, _slop in want.phrases for word in words}
    # word -> sorted positions; (word, position) -> character spans
    positions: dict[str, list[int]] = {}
    spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for word, stopped, start, end, pos in index_tokens(analyzer, text[:limit]):
        if stopped:
            continue
        if word in want.terms:
            found.append(_match(word, start, end))
        elif want.folded and (plain := fold(text[start:end])) in want.folded:
            found.append(_match(plain, start, end))
        if word in phrase_words:
            places = positions.setdefault(word, [])
            if not places or places[-1] != pos:
                places.append(pos)
            spans.setdefault((word, pos), []).append((start, end))
    for words, slop in want.phrases:
        key = " ".join(words)
        for i, kept in enumerate(_phrase_positions(words, slop, positions)):
            for pos in kept:
                found.extend(_match(key, a, b) for a, b in spans[(words[i], pos)])
    found.sort(key=lambda t: (t.startchar, -t.endchar))
    return found


def may_hold(searcher: Searcher, docnum: int, fieldname: str, want: Wanted) -> bool:
    """Whether the document's ``fieldname`` may hold a match of ``want``: its postings have
    one of the terms or phrase words, or its folded field one of the folded words.

    The stored text is the indexed one (``indexer.documents``), so a word absent from
    the document's postings is absent from its text.
    """
    arrays = index_arrays(searcher)
    words = want.terms.union(*(phrase for phrase, _slop in want.phrases))
    return arrays.has_any(docnum, fieldname, words) or (
        bool(want.folded) and arrays.has_any(docnum, FOLDED_FIELD, want.folded)
    )


def _match(key: str, start: int, end: int) -> Token:
    return Token(text=key, startchar=start, endchar=end, matched=True, boost=1.0)


def _phrase_positions(
    words: Sequence[str], slop: int, positions: dict[str, list[int]]
) -> list[list[int]]:
    """For each word of a phrase, its positions on some complete occurrence of the phrase.

    An occurrence has each word 1 to ``slop`` positions after the previous one (as
    Whoosh's ``Phrase`` matches). Forward, the positions reachable from the first
    word; backward, those from which the last word is reached: two linear merges
    per word, never a search over every combination.

    >>> _phrase_positions(["a", "b"], 2, {"a": [0, 5, 9], "b": [2, 6, 20]})
    [[0, 5], [2, 6]]
    """
    reach = [positions.get(words[0], [])]
    for word in words[1:]:
        before, here = reach[-1], []
        j = 0
        for q in positions.get(word, []):
            while j < len(before) and before[j] < q - slop:
                j += 1
            if j < len(before) and before[j] < q:
                here.append(q)
        reach.append(here)
    kept = [reach[-1]]
    for before in reversed(reach[:-1]):
        after, here = kept[0], []
        k = 0
        for p in before:
            while k < len(after) and after[k] <= p:
                k += 1
            if k < len(after) and after[k] <= p + slop:
                here.append(p)
        kept.insert(0, here)
    return kept


class SentenceFragmenter(highlight.Fragmenter):
    """One fragment per sentence that has matches, on Polish sentence boundaries.

    Non-retokenizing: it is given the matched tokens (:func:`matched_tokens`),
    which already know phrases and negations.
    """

    def __init__(self, charlimit: int = MAX_ANALYSED_CHARS) -> None:
        self.charlimit = charlimit

    def must_retokenize(self) -> bool:
        return False

    def fragment_matches(
        self, text: str, matched_tokens: Sequence[Any]
    ) -> list[highlight.Fragment]:
        return self.sentences(text, sentence_spans(text[: self.charlimit]), matched_tokens)

    @staticmethod
    def sentences(
        text: str, spans: Sequence[tuple[int, int]], tokens: Sequence[Any]
    ) -> list[highlight.Fragment]:
        fragments: list[highlight.Fragment] = []
        i = 0
        for start, end in spans:
            inside = []
            while i < len(tokens) and tokens[i].startchar < end:
                if tokens[i].startchar >= start:
                    inside.append(tokens[i])
                i += 1
            if inside:
                fragments.append(highlight.Fragment(text, inside, start, end))
        return fragments


class DistinctScorer(highlight.FragmentScorer):
    """Scores a fragment by the query words it shows that ``covered`` does not.

    Then by all the distinct words it shows, then by its matches: a sentence
    with both words of a query beats one repeating one of them.
    """

    def __init__(self, covered: Iterable[str] = ()) -> None:
        self.covered = frozenset(covered)

    def __call__(self, fragment: highlight.Fragment) -> float:
        terms = fragment.matched_terms
        new = len(terms - self.covered)
        return new * 10_000 + len(terms) * 100 + min(len(fragment.matches), 99)


class SnippetFormatter(highlight.Formatter):
    """Escaped text, matches in ``<mark>``, "…" where the text is cut.

    A fragment may carry ``cut_start``/``cut_end`` (it starts or ends inside a
    sentence); fragments are joined by " … ". Runs of whitespace (paragraph breaks
    included) become one space.
    """

    between = f" {ELLIPSIS} "

    def _text(self, text: str) -> str:
        return html.escape(_SPACES.sub(" ", text), quote=False)

    def format_token(self, text: str, token: Any, replace: bool = False) -> str:
        return f"<mark>{self._text(highlight.get_text(text, token, replace))}</mark>"

    def format(self, fragments: Iterable[highlight.Fragment], replace: bool = False) -> str:
        fragments = list(fragments)
        if not fragments:
            return ""
        body = self.between.join(self.format_fragment(f, replace) for f in fragments)
        if getattr(fragments[0], "cut_start", False):
            body = f"{ELLIPSIS} {body}"
        if getattr(fragments[-1], "cut_end", False):
            body = f"{body} {ELLIPSIS}"
        return body


FORMATTER = SnippetFormatter()


@dataclass(frozen=True)
class Snippets:
    """Marks a hit's field: a snippet of at most ``max_chars``, or the whole text if None."""

    max_chars: int | None = DEFAULT_CHARS
    max_fragments: int = MAX_FRAGMENTS

    def highlight_hit(self, hit: Any, fieldname: str, text: str) -> str:
        """``text`` (the hit's ``fieldname``) with its matches marked; "" if none matched."""
        return self.render(text, self.hit_matches(hit, fieldname, text))

    def highlight(self, text: str, query: Query, fieldname: str, analyzer: Analyzer) -> str:
        """Like :meth:`highlight_hit`, for any text, query and analyzer."""
        return self.render(text, self.matches(text, query, fieldname, analyzer))

    def hit_matches(self, hit: Any, fieldname: str, text: str) -> list[Token]:
        """The matches of the hit's query in ``text`` (the hit's ``fieldname``).

        The text is re-analysed only if the index says the hit's field holds one of the
        words to mark: most fields of most hits hold none, and their analysis was about
        a seventh of an uncached search.
        """
        results = hit.results
        want = wanted(results.q, fieldname)
        if not text or not want or not may_hold(results.searcher, hit.docnum, fieldname, want):
            return []
        analyzer = results.searcher.schema[fieldname].analyzer
        return matched_tokens(text, analyzer, want)

    @staticmethod
    def matches(text: str, query: Query, fieldname: str, analyzer: Analyzer) -> list[Token]:
        """The tokens of ``text`` to mark (:func:`matched_tokens`); [] when nothing matched.

        Apart from :meth:`render`, so a caller can compare texts (which shows more of
        the query's words) before choosing the one to show.
        """
        if not text:
            return []
        want = wanted(query, fieldname)
        if not want:
            return []  # browsing by filters: no words to mark, nothing to re-analyse
        return matched_tokens(text, analyzer, want)

    def render(self, text: str, tokens: Sequence[Token]) -> str:
        """The snippet of ``text`` (or all of it) with ``tokens`` marked; "" without tokens."""
        if not tokens:
            return ""
        if self.max_chars is None:
            start, end = len(text) - len(text.lstrip()), len(text.rstrip())
            return FORMATTER.format([highlight.Fragment(text, list(tokens), start, end)])
        return FORMATTER.format(choose(text, tokens, self.max_chars, self.max_fragments))


def shown_words(tokens: Iterable[Token]) -> frozenset[str]:
    """The distinct query words (terms, folded words, whole phrases) that ``tokens`` show."""
    return frozenset(token.text for token in tokens)


class Sentences:
    """The sentence spans of a text, and where each character's sentence starts and ends."""

    def __init__(self, text: str) -> None:
        self.spans = sentence_spans(text[:MAX_ANALYSED_CHARS])
        self.starts = [start for start, _end in self.spans]
        self.starts_set = set(self.starts)
        self.ends = {end for _start, end in self.spans}

    def at(self, offset: int) -> tuple[int, int]:
        """The span of the sentence holding ``offset`` (or the last one before it)."""
        return self.spans[max(0, bisect.bisect_right(self.starts, offset) - 1)]

    def after(self, offset: int) -> tuple[int, int] | None:
        """The span of the first sentence starting after ``offset``."""
        i = bisect.bisect_right(self.starts, offset)
        return self.spans[i] if i < len(self.spans) else None


def choose(
    text: str, tokens: Sequence[Token], max_chars: int, max_fragments: int = MAX_FRAGMENTS
) -> list[highlight.Fragment]:
    """The fragments of a snippet showing at most ``max_chars`` characters.

    Sentences are picked by the query words they add (:class:`DistinctScorer`),
    then share the budget (a short one leaves its unused part to the others;
    the last picked is dropped if the parts get too small to read), each trimmed
    around its matches; what is left goes to the start of their sentences and to
    the text that follows them.
    """
    sentences = Sentences(text)
    spans = sentences.spans
    if not spans:
        return []
    if spans[-1][1] - spans[0][0] <= max_chars:  # it all fits: the whole text, no "…"
        return [_fragment(text, tokens, spans[0][0], spans[-1][1], sentences)]
    candidates = SentenceFragmenter.sentences(text, spans, tokens)
    if not candidates:
        return []
    picked: list[tuple[highlight.Fragment, frozenset[str]]] = []  # and what was covered before
    covered: frozenset[str] = frozenset()
    while candidates and len(picked) < max_fragments:
        scorer = DistinctScorer(covered)
        best = max(candidates, key=lambda f: (scorer(f), -f.startchar))
        if picked and not best.matched_terms - covered:
            break  # nothing new to show: the rest of the room goes to context
        candidates.remove(best)
        picked.append((best, covered))
        covered |= best.matched_terms
    while True:
        room = max_chars - ELLIPSIS_ROOM - len(SnippetFormatter.between) * (len(picked) - 1)
        lengths = [len(f) for f, _covered in picked]
        shares = _shares(lengths, room)
        if len(picked) == 1 or all(
            share >= min(length, MIN_FRAGMENT)
            for share, length in zip(shares, lengths, strict=True)
        ):
            break
        picked.pop()
    ranges = [
        _trimmed(text, fragment, set(before), share)
        for (fragment, before), share in zip(picked, shares, strict=True)
    ]
    ranges = _filled(text, _merged(text, ranges), sentences, max_chars)
    return [_fragment(text, tokens, start, end, sentences) for start, end in ranges]


def _shares(lengths: Sequence[int], room: int) -> list[int]:
    """``room`` split among parts of ``lengths``: none more than it needs, the rest even.

    >>> _shares([50, 400, 300], 230)
    [50, 90, 90]
    """
    shares = [0] * len(lengths)
    left = room
    order = sorted(range(len(lengths)), key=lengths.__getitem__)
    for done, i in enumerate(order):
        shares[i] = min(lengths[i], left // (len(order) - done))
        left -= shares[i]
    return shares


def _trimmed(
    text: str, sentence: highlight.Fragment, covered: set[str], room: int
) -> tuple[int, int]:
    """The part of ``sentence`` of at most ``room`` characters best for the snippet.

    The run of matches within ``room`` showing the most new (then most) query
    words, with context around it: from the sentence start if it fits, else a
    third of the spare room before the matches and the rest after them.
    """
    lo, hi = sentence.startchar, sentence.endchar
    if hi - lo <= room:
        return lo, hi
    matches = sentence.matches
    counts: Counter[str] = Counter()
    best, best_score = (0, 0), (-1, -1)
    left = 0
    for right, token in enumerate(matches):
        counts[token.text] += 1
        while token.endchar - matches[left].startchar > room:
            counts[matches[left].text] -= 1
            if not counts[matches[left].text]:
                del counts[matches[left].text]
            left += 1
        score = (len(counts.keys() - covered), len(counts))
        if score > best_score:
            best, best_score = (left, right), score
    first, last = matches[best[0]].startchar, matches[best[1]].endchar
    if last - first >= room:  # one match longer than the room: as much of it as fits
        return first, min(last, first + room)
    if last - lo <= room:
        start = lo
    else:
        start = max(lo, first - (room - (last - first)) // 3)
    end = min(hi, start + room)
    if end == hi:
        start = max(lo, end - room)
    return _on_words(text, start, end, lo, hi, first, last)


def _on_words(
    text: str, start: int, end: int, lo: int, hi: int, first: int, last: int
) -> tuple[int, int]:
    """``start``/``end`` moved onto word boundaries within ``lo``..``hi``, off punctuation
    and off words left hanging ("… wynosi ok. …"), keeping ``first``..``last`` inside."""
    # (A word longer than the room is cut inside: going to its ends could take any length.)
    if start > lo and not _gap(text, start - 1):
        forward = next((at for at in range(start, first) if _gap(text, at)), None)
        start = start if forward is None else forward + 1
    while start < first and (text[start].isspace() or text[start] in _LEADING_JUNK):
        start += 1
    if end < hi and not _gap(text, end):
        backward = next((at for at in range(end - 1, last - 1, -1) if _gap(text, at)), None)
        end = end if backward is None else backward
    while True:
        while end > last and (text[end - 1].isspace() or text[end - 1] in _TRAILING_JUNK):
            end -= 1
        word = end
        while word > last and not _gap(text, word - 1):
            word -= 1
        if end >= hi or word <= last or word == end or not dangles(text[word:end]):
            return start, end
        end = word


def _gap(text: str, at: int) -> bool:
    """Whether ``text[at]`` is whitespace a fragment may start after or end before:
    not the space inside a number ("3 000", "1 482,30")."""
    return text[at].isspace() and not (
        0 < at < len(text) - 1 and text[at - 1].isdigit() and text[at + 1].isdigit()
    )


def _filled(
    text: str, ranges: list[tuple[int, int]], sentences: Sentences, max_chars: int
) -> list[tuple[int, int]]:
    """``ranges`` grown into the room left: back to their sentence's start, then on into
    the text after them (whole sentences, or a cut one if a fair part of it fits)."""

    def fits(trial: list[tuple[int, int]]) -> bool:
        return _left(text, trial, sentences, max_chars) >= 0

    for i, (start, end) in enumerate(ranges):
        lo = sentences.at(start)[0]
        trial = [*ranges[:i], (lo, end), *ranges[i + 1 :]]
        if lo < start and fits(trial):
            ranges[i] = (lo, end)
    ranges = _merged(text, ranges)
    i = 0
    while i < len(ranges):
        while True:
            start, end = ranges[i]
            lo, hi = sentences.at(end - 1)
            if end >= hi:  # at a sentence end: on into the next sentence
                following = sentences.after(end - 1)
                if following is None:
                    break
                lo, hi = following
            trial = _merged(text, [*ranges[:i], (start, hi), *ranges[i + 1 :]])
            if fits(trial):
                ranges = trial
                continue
            # Part of the sentence, cut on a word (and marked "…"), if a fair part fits.
            part_start = max(end, lo)
            room = _left(text, ranges, sentences, max_chars) - len(ELLIPSIS) - 2
            while room >= MIN_FRAGMENT:
                cut = min(hi, part_start + room)
                cut = _on_words(text, part_start, cut, lo, hi, part_start, part_start)[1]
                trial = _merged(text, [*ranges[:i], (start, cut), *ranges[i + 1 :]])
                overflow = -_left(text, trial, sentences, max_chars)
                if overflow <= 0:
                    if cut > part_start:
                        ranges = trial
                    break
                room -= overflow
            break
        i += 1
    # Room still left (the matches end the text): the sentences before, the nearest
    # one cut on a word if a fair part of it fits.
    for i in range(len(ranges)):
        while ranges[i][0] > sentences.spans[0][0]:
            start, end = ranges[i]
            lo, hi = sentences.at(start - 1)
            trial = _merged(text, [*ranges[:i], (lo, end), *ranges[i + 1 :]])
            if len(trial) == len(ranges) and fits(trial):
                ranges = trial
                continue
            room = _left(text, ranges, sentences, max_chars) - len(ELLIPSIS) - 2
            while room >= MIN_FRAGMENT:
                cut = _on_words(text, max(lo, hi - room), hi, lo, hi, hi, hi)[0]
                trial = _merged(text, [*ranges[:i], (cut, end), *ranges[i + 1 :]])
                overflow = -_left(text, trial, sentences, max_chars)
                if overflow <= 0:
                    if cut < hi and len(trial) == len(ranges):
                        ranges = trial
                    break
                room -= overflow
            break
    return ranges


def _left(
    text: str, ranges: Sequence[tuple[int, int]], sentences: Sentences, max_chars: int
) -> int:
    """Characters of the budget that ``ranges`` leave (negative past it)."""
    return max_chars - _shown_length(text, _merged(text, ranges), sentences)


def _merged(text: str, ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Ranges joined where they overlap or only whitespace lies between them."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and (start <= merged[-1][1] or not text[merged[-1][1] : start].strip()):
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _shown_length(text: str, ranges: Sequence[tuple[int, int]], sentences: Sentences) -> int:
    """Characters the formatted ranges show: their text, the "…" marks and spaces around."""
    if not ranges:
        return 0
    length = sum(len(_SPACES.sub(" ", text[a:b])) for a, b in ranges)
    length += len(SnippetFormatter.between) * (len(ranges) - 1)
    length += 2 * (ranges[0][0] not in sentences.starts_set)
    length += 2 * (ranges[-1][1] not in sentences.ends)
    return length


def _fragment(
    text: str, tokens: Sequence[Token], start: int, end: int, sentences: Sentences
) -> highlight.Fragment:
    """A fragment of ``start``..``end`` with the matches inside it and its cuts noted."""
    starts = [t.startchar for t in tokens]
    inside = [
        t
        for t in tokens[bisect.bisect_left(starts, start) : bisect.bisect_left(starts, end)]
        if t.endchar <= end
    ]
    fragment = highlight.Fragment(text, inside, start, end)
    fragment.cut_start = start not in sentences.starts_set
    fragment.cut_end = end not in sentences.ends
    return fragment


def lead(text: str, max_chars: int = DEFAULT_CHARS) -> str:
    """The escaped start of ``text`` in at most ``max_chars``: whole sentences, then one cut.

    For results with none of the query's words in their text (browsing by filters).

    >>> lead("Przyjęto m.in. plan. Drugie zdanie jest znacznie dłuższe od pierwszego.", 65)
    'Przyjęto m.in. plan. Drugie zdanie jest znacznie dłuższe …'
    >>> lead("Bardzo długie pierwsze zdanie bez kropki", 20)
    'Bardzo długie …'
    """
    sentences = Sentences(text)
    if not sentences.spans:
        return ""
    lo, hi = sentences.spans[0]
    if hi - lo > max_chars:
        hi = _on_words(text, lo, lo + max_chars - len(ELLIPSIS) - 1, lo, hi, lo, lo)[1]
    ranges = _filled(text, [(lo, hi)], sentences, max_chars)
    return FORMATTER.format([_fragment(text, [], a, b, sentences) for a, b in ranges])
