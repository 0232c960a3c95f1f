"""Smart location resolution: from what a person types to places in the account's location tree.

Terms. The query is folded into canonical terms (``text.canonical_terms``) weighted by what they say about
a place: a name word 1, a level pair such as "building 2" 1.5 (level word 0.5 + designator 1), a lone
number 1.5, a lone level/place word such as "campus" or "city" 0.25 (a bonus when matched, ignored when
not), a lone letter 0; function words such as "in" are dropped. Path separators ("," "/" ">") split the
query into parts that a match may not straddle. At most 16 terms of the first 200 characters are read.

Spans. Every run of up to six terms is looked up as a way of naming locations, with a quality:
exact name 1.0; name without its level word ("Lake Union" for "Lake Union Campus") or transliteration
("Muenchen") 0.95; initials ("LUC") 0.9, or 0.85 for two letters; prefix ("SEA" for "Seattle") 0.85;
loose: one whole word of a longer name ("Union") 0.8, typo of 1/2/3 edits 0.8/0.7/0.6, and a
typo-corrected level word ("bulding") costs a further 10%. Numbers and letters are never typo-matched.

Candidates. Each location named by some span is a candidate. Its score is the best way of covering the
query with non-overlapping spans that each name the candidate or one of its ancestors, summing quality ×
weight, divided by the query's total weight: 1.0 means every part matched exactly, and each extra part that
fits the chain raises the score, so the deepest location named by a consistent chain wins.

Status. Top score below 0.5, or a part the winner leaves unexplained names some other place → ``none``.
Several unrelated candidates within 0.02 (in weight units) of the top → ``ambiguous``, or ``none`` if a word
naming nothing was left out ("Paris 2nd floor" without a Paris); a tie between a location and its own
descendant goes to the ancestor, which contains both. Otherwise ``exact`` when every weighted term matched
with no loose match, else ``fuzzy``. A location id is an exact match, and a query
joining places with "and", "&" or "+" that fails as one place is tried as several.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from zoom_rooms_mcp.locations.model import Location, LocationTree
from zoom_rooms_mcp.locations.text import (
    LEVEL_SYNONYMS,
    STOPWORDS,
    TYPE_WORDS,
    Role,
    Term,
    canonical_key,
    canonical_terms,
    fold,
    fold_segments,
    umlaut_variant,
)

Status = Literal["exact", "fuzzy", "ambiguous", "none"]

MAX_QUERY_CHARS = 200
MAX_TERMS = 16
MAX_SPAN_TERMS = 6
MAX_PARTS = 5
MIN_SCORE = 0.5
TIE_MARGIN = 0.02

Q_EXACT = 1.0
Q_ALIAS = 0.95
Q_INITIALS = 0.9
Q_SHORT_INITIALS = 0.85
Q_PREFIX = 0.85
Q_WORD = 0.8
Q_CORRECTED = 0.9  # factor for spans containing a typo-corrected level word
SUGGESTION_CUTOFF = 70.0  # rapidfuzz ratio for "did you mean" suggestions when nothing matched
_MAX_PREFIX_KEYS = 500  # bounds the work of a very short prefix in a huge tree

_WEIGHTS = {
    Role.WORD: 1.0,
    Role.NUMBER: 1.5,  # a lone number stands for an unnamed level ("seattle 2")
    Role.PAIR_KIND: 0.5,
    Role.PAIR_DESIGNATOR: 1.0,
    Role.KIND: 0.25,  # credit when a name includes it ("Québec City" over "Québec"), never a penalty
    Role.LETTER: 0.0,
}
_LEVEL_WORDS = ("building", "floor", "level", "campus")
_LEVEL_TYPES = frozenset({"building", "floor"})
_SPLIT_WORDS = re.compile(r"\band\b|[&+]", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class LocationRef:
    """A location the query was resolved to (``path``: names from the top, joined by ' > ')."""

    id: str
    name: str
    type: str
    path: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A location that fits the query to some degree: ``score`` 1 = every part matched a name exactly,
    0.8-0.95 = abbreviations, initials or typos, below 0.5 = only a weak suggestion."""

    id: str
    name: str
    type: str
    path: str
    score: float


@dataclass(frozen=True, slots=True)
class Resolution:
    """How a location query was understood (pure data: the tools shape it for the model).

    ``exact``/``fuzzy``: ``locations`` holds what the query means; ``ambiguous``: several places fit equally
    well and ``candidates`` lists them; ``none``: nothing fits, ``candidates`` are the closest suggestions.
    """

    query: str
    status: Status
    locations: list[LocationRef] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    message: str = ""


@dataclass(frozen=True, slots=True)
class _QueryTerm:
    text: str
    role: Role
    weight: float
    segment: int
    glued: bool
    corrected: bool


@dataclass(frozen=True, slots=True)
class _Span:
    start: int
    end: int
    weight: float
    matches: dict[int, tuple[float, bool]]  # location index → (quality, loose)


@dataclass(frozen=True, slots=True)
class _Cover:
    raw: float
    loose: bool
    unexplained: frozenset[int]  # positions of weighted terms no span explains, lone level words aside
    skipped: float  # weight of the lone level words left out, which do not count against the match

    def score(self, total: float) -> float:
        return self.raw / (total - self.skipped)


@dataclass(frozen=True, slots=True)
class _Outcome:
    status: Status
    chosen: tuple[int, ...]
    ranked: tuple[tuple[int, float], ...]  # (location index, score) best first
    message: str


class LocationResolver:
    """Resolves free-text location queries against one tree; build once per tree and reuse.

    ``LocationTree.resolver`` holds one per tree. Construction folds every name once and builds the
    look-up indexes; ``resolve`` is pure and safe to call concurrently.
    """

    def __init__(self, tree: LocationTree) -> None:
        self._tree = tree
        self._locations: tuple[Location, ...] = tuple(tree.walk())
        index = {location.id: i for i, location in enumerate(self._locations)}
        chains: list[tuple[int, ...]] = []
        for i, location in enumerate(self._locations):
            # Tree order puts every parent before its children, so the parent's chain already exists.
            parent = () if location.parent_id is None else chains[index[location.parent_id]]
            chains.append((*parent, i))
        self._index = index
        self._chains = tuple(chains)

        self._exact: dict[str, dict[int, float]] = {}
        self._initials: dict[str, dict[int, float]] = {}
        self._words: dict[str, set[int]] = {}
        self._vocabulary: set[str] = set(STOPWORDS | TYPE_WORDS | LEVEL_SYNONYMS.keys())
        prefix_keys: set[str] = set()
        fuzzy_keys: set[str] = set()
        # Names repeat a lot ("Floor 3" under every building): fold and index each distinct name once.
        by_name: dict[tuple[str, str], list[int]] = {}
        for i, location in enumerate(self._locations):
            by_name.setdefault((location.name, location.type), []).append(i)
        for (name, location_type), members in by_name.items():
            for terms, quality in _name_forms(name, location_type):
                key = canonical_key(terms)
                self._add(self._exact, key, members, quality)
                self._vocabulary.update(term.text for term in terms)
                if _is_named(terms):
                    fuzzy_keys.add(key)
                    if terms[0].role is Role.WORD:
                        prefix_keys.add(key)
                    if initials := _initials(terms):
                        short = len(initials) < 3
                        self._add(
                            self._initials, initials, members, quality * (Q_SHORT_INITIALS if short else Q_INITIALS)
                        )
                if len(terms) > 1:
                    for term in terms:
                        if term.role is Role.WORD and len(term.text) >= 3:
                            self._words.setdefault(term.text, set()).update(members)
        self._prefix_keys = sorted(prefix_keys)
        self._fuzzy_by_length: dict[int, list[str]] = {}
        for key in sorted(fuzzy_keys):
            self._fuzzy_by_length.setdefault(len(key), []).append(key)
        self._suggestion_keys = sorted(key for key in fuzzy_keys if len(key) >= 3)

    @property
    def tree(self) -> LocationTree:
        return self._tree

    def resolve(self, query: str, *, max_candidates: int = 5) -> Resolution:
        """Resolve a free-text location query (or a location id); never raises for any string."""
        limit = max(0, max_candidates)
        echo = query[:MAX_QUERY_CHARS]
        text = query.strip()
        if not text:
            outcome = _Outcome("none", (), (), "The location query is empty; name a place such as a city or building.")
        elif text in self._index:
            i = self._index[text]
            outcome = _Outcome("exact", (i,), ((i, 1.0),), f"Matched the location id of {self._locations[i].path_str}.")
        else:
            outcome = self._match(text[:MAX_QUERY_CHARS])
            if outcome.status in ("ambiguous", "none"):
                outcome = self._match_parts(text[:MAX_QUERY_CHARS]) or outcome
        return Resolution(
            query=echo,
            status=outcome.status,
            locations=[self._ref(self._locations[i]) for i in outcome.chosen],
            candidates=[self._candidate(self._locations[i], score) for i, score in outcome.ranked[:limit]],
            message=outcome.message,
        )

    # Index construction

    @staticmethod
    def _add(index: dict[str, dict[int, float]], key: str, members: Iterable[int], quality: float) -> None:
        qualities = index.setdefault(key, {})
        for i in members:
            qualities[i] = max(quality, qualities.get(i, 0.0))

    # Query side

    def _query_terms(self, text: str) -> list[_QueryTerm]:
        terms: list[_QueryTerm] = []
        for segment, words in enumerate(fold_segments(text)):
            if len(terms) >= MAX_TERMS:
                break
            corrected = [self._correct_level_word(word) for word in words[: MAX_TERMS * 2]]
            for term in canonical_terms([word for word, _ in corrected]):
                weight = _WEIGHTS[term.role]
                terms.append(_QueryTerm(term.text, term.role, weight, segment, term.glued, corrected[term.source][1]))
        del terms[MAX_TERMS:]
        if terms and terms[-1].glued:  # never keep half of a level pair
            terms.pop()
        return terms

    def _correct_level_word(self, word: str) -> tuple[str, bool]:
        """A typo of a level word ("bulding", "flor") becomes that word; known words are left alone."""
        if len(word) < 4 or not word.isalpha() or word in self._vocabulary:
            return word, False
        best = process.extractOne(word, _LEVEL_WORDS, scorer=OSA.distance, score_cutoff=1)
        return (best[0], True) if best is not None else (word, False)

    def _spans(self, terms: Sequence[_QueryTerm]) -> list[_Span]:
        spans: list[_Span] = []
        for start in range(len(terms)):
            if start > 0 and terms[start - 1].glued:
                continue  # would split a level pair
            for end in range(start + 1, min(len(terms), start + MAX_SPAN_TERMS) + 1):
                if terms[end - 1].segment != terms[start].segment:
                    break
                if terms[end - 1].glued:
                    continue
                weight = sum(term.weight for term in terms[start:end])
                if weight == 0:
                    continue
                matches = self._lookup(terms[start:end])
                if matches:
                    spans.append(_Span(start, end, weight, matches))
        return spans

    def _lookup(self, terms: Sequence[_QueryTerm]) -> dict[int, tuple[float, bool]]:
        """Locations that this run of terms names, each with its best (quality, loose)."""
        key = " ".join(term.text for term in terms)
        found: dict[int, tuple[float, bool]] = {}

        def offer(qualities: Iterable[tuple[int, float]], factor: float, loose: bool) -> None:
            for i, quality in qualities:
                new = (quality * factor, loose)
                old = found.get(i)
                if old is None or (new[0], not loose) > (old[0], not old[1]):
                    found[i] = new

        offer(self._exact.get(key, {}).items(), 1.0, False)
        has_digit = any(ch.isdigit() for ch in key)
        first, last = terms[0], terms[-1]
        if len(terms) == 1 and first.role is Role.WORD:
            offer(self._initials.get(key, {}).items(), 1.0, False)
            if len(key) >= 3:
                offer(((i, 1.0) for i in self._words.get(key, ())), Q_WORD, True)
        if not has_digit and len(key) >= 3 and first.role is Role.WORD and last.role in (Role.WORD, Role.LETTER):
            offer(self._prefixed(key), Q_PREFIX, False)
        if not has_digit and len(terms) <= 3 and any(self._is_unknown(term) for term in terms):
            offer(self._typos(key), 1.0, True)
        if any(term.corrected for term in terms):
            found = {i: (quality * Q_CORRECTED, True) for i, (quality, _) in found.items()}
        return found

    def _is_unknown(self, term: _QueryTerm) -> bool:
        return term.role is Role.WORD and len(term.text) >= 4 and term.text not in self._vocabulary

    def _prefixed(self, key: str) -> Iterable[tuple[int, float]]:
        start = bisect_left(self._prefix_keys, key)
        for candidate in self._prefix_keys[start : start + _MAX_PREFIX_KEYS]:
            if not candidate.startswith(key):
                break
            if candidate != key:
                yield from self._exact[candidate].items()

    def _typos(self, key: str) -> Iterable[tuple[int, float]]:
        edits = _allowed_edits(len(key))
        if edits == 0:
            return
        choices = [
            choice
            for length in range(len(key) - edits, len(key) + edits + 1)
            for choice in self._fuzzy_by_length.get(length, ())
        ]
        for choice, distance, _ in process.extract(key, choices, scorer=OSA.distance, score_cutoff=edits, limit=None):
            quality = 0.9 - 0.1 * distance
            yield from ((i, base * quality) for i, base in self._exact[choice].items())

    def _match(self, text: str) -> _Outcome:
        terms = self._query_terms(text)
        total = sum(term.weight for term in terms)
        if total == 0:
            return _Outcome("none", (), (), "The query names no place; use a city, campus, building or floor name.")
        spans = self._spans(terms)
        hits: dict[int, list[tuple[int, float, bool]]] = {}
        for s, span in enumerate(spans):
            for i, (quality, loose) in span.matches.items():
                hits.setdefault(i, []).append((s, quality, loose))
        if not hits:
            suggestions = self._suggestions(terms)
            hint = " Closest names are in candidates." if suggestions else " get_zoom_sites lists every location."
            return _Outcome("none", (), suggestions, "No location matches the query." + hint)

        ends: list[list[int]] = [[] for _ in range(len(terms) + 1)]
        for s, span in enumerate(spans):
            ends[span.end].append(s)
        covers: dict[tuple[tuple[int, tuple[float, bool]], ...], _Cover] = {}
        scored: list[tuple[float, int, _Cover]] = []
        for i in hits:
            chain_matches: dict[int, tuple[float, bool]] = {}
            for ancestor in self._chains[i]:
                for s, quality, loose in hits.get(ancestor, ()):
                    old = chain_matches.get(s)
                    if old is None or (quality, not loose) > (old[0], not old[1]):
                        chain_matches[s] = (quality, loose)
            pattern = tuple(sorted(chain_matches.items()))
            cover = covers.get(pattern)
            if cover is None:  # many candidates share the same pattern (every "Floor 3" of the fleet)
                cover = covers[pattern] = _best_cover(terms, spans, ends, chain_matches)
            scored.append((cover.raw, i, cover))
        scored.sort(key=lambda entry: (-entry[0], entry[1]))
        return self._judge(terms, spans, total, scored)

    def _judge(
        self,
        terms: Sequence[_QueryTerm],
        spans: Sequence[_Span],
        total: float,
        scored: Sequence[tuple[float, int, _Cover]],
    ) -> _Outcome:
        top_raw = scored[0][0]
        tied = {i: cover for raw, i, cover in scored if raw >= top_raw - TIE_MARGIN}
        # A location tied with its own ancestor adds nothing: the ancestor contains it.
        best = [i for i in tied if not any(a in tied for a in self._chains[i][:-1])]
        top_cover = tied[best[0]]
        score = top_cover.score(total)
        ranked = tuple((i, cover.score(total)) for _, i, cover in scored)
        named_elsewhere = {p for span in spans for p in range(span.start, span.end)}
        conflict = top_cover.unexplained & named_elsewhere
        if score < MIN_SCORE or conflict:
            if conflict:
                parts = ", ".join(repr(terms[p].text) for p in sorted(conflict))
                reason = f"No single location fits the whole query: {parts} belongs to a different place."
            else:
                reason = "No location fits most of the query."
            return _Outcome("none", (), ranked, reason + " The closest partial matches are in candidates.")
        ignored = ", ".join(repr(terms[p].text) for p in sorted(top_cover.unexplained))
        if len({self._locations[i].path_str for i in best}) > 1:
            equals = tuple((i, tied[i].score(total)) for i in best)
            if ignored:  # the unknown words were probably meant to pick one of them ("Paris 2nd floor")
                return _Outcome(
                    "none",
                    (),
                    equals,
                    f"{ignored} names no location, and the rest of the query fits {len(best)} different places "
                    "(in candidates).",
                )
            return _Outcome(
                "ambiguous",
                (),
                equals,
                f"{len(best)} different locations fit the query equally well. Ask which one is meant, or re-query "
                "with a parent name (such as the city) or a candidate's id.",
            )
        winner = self._locations[best[0]].path_str
        if not (top_cover.loose or top_cover.unexplained):
            return _Outcome("exact", tuple(best), tuple((i, score) for i in best), f"Matched {winner}.")
        if top_cover.loose:
            message = f"No exact match; the closest fit is {winner} (score {score:.2f}). Confirm it if it matters."
        else:
            message = f"Matched {winner}."
        if ignored:
            message += f" Ignored {ignored}, which names no location."
        runners_up = tuple(entry for entry in ranked if entry[0] not in tied and entry[1] >= MIN_SCORE)
        return _Outcome("fuzzy", tuple(best), tuple((i, score) for i in best) + runners_up, message)

    def _suggestions(self, terms: Sequence[_QueryTerm]) -> tuple[tuple[int, float], ...]:
        """Names resembling the query's words, for a ``none`` answer; scores stay below 0.5."""
        probes = {term.text for term in terms if term.role is Role.WORD and len(term.text) >= 3}
        probes.add(" ".join(term.text for term in terms if term.weight > 0))
        best: dict[int, float] = {}
        for probe in probes:
            for choice, similarity, _ in process.extract(
                probe, self._suggestion_keys, scorer=fuzz.ratio, score_cutoff=SUGGESTION_CUTOFF, limit=10
            ):
                for i in self._exact[choice]:
                    best[i] = max(best.get(i, 0.0), similarity / 200)
        return tuple(sorted(best.items(), key=lambda entry: (-entry[1], entry[0])))

    def _match_parts(self, text: str) -> _Outcome | None:
        """Resolve "Seattle and Denver" as two places when it fits no single place."""
        parts = [part.strip() for part in _SPLIT_WORDS.split(text)]
        parts = [part for part in parts if part]
        if not 2 <= len(parts) <= MAX_PARTS:
            return None
        outcomes = [self._match(part) for part in parts]
        if any(outcome.status not in ("exact", "fuzzy") for outcome in outcomes):
            return None
        chosen = list(dict.fromkeys(i for outcome in outcomes for i in outcome.chosen))
        kept = set(chosen)
        chosen = [i for i in chosen if not any(a in kept for a in self._chains[i][:-1])]
        scores = {i: score for outcome in outcomes for i, score in outcome.ranked if i in kept}
        status: Status = "exact" if all(outcome.status == "exact" for outcome in outcomes) else "fuzzy"
        paths = "; ".join(self._locations[i].path_str for i in chosen)
        return _Outcome(status, tuple(chosen), tuple((i, scores[i]) for i in chosen), f"Matched {paths}.")

    @staticmethod
    def _ref(location: Location) -> LocationRef:
        return LocationRef(id=location.id, name=location.name, type=location.type, path=location.path_str)

    @staticmethod
    def _candidate(location: Location, score: float) -> Candidate:
        return Candidate(
            id=location.id,
            name=location.name,
            type=location.type,
            path=location.path_str,
            score=round(min(max(score, 0.0), 1.0), 3),
        )


def resolve(tree: LocationTree, query: str, *, max_candidates: int = 5) -> Resolution:
    """Resolve a location query with the tree's cached resolver."""
    return tree.resolver.resolve(query, max_candidates=max_candidates)


def _name_forms(name: str, location_type: str) -> list[tuple[tuple[Term, ...], float]]:
    """The ways a name can be written, with their quality: the name itself, the name without a leading or
    trailing level word, its umlaut transliteration, and "floor 3" for a floor named just "3"."""
    terms = tuple(canonical_terms(fold(name).split()))
    forms = [(terms, Q_EXACT)]
    core = list(terms)
    while core and core[0].role is Role.KIND:
        core.pop(0)
    while core and core[-1].role is Role.KIND:
        core.pop()
    if len(core) < len(terms) and any(term.role is Role.WORD for term in core):
        forms.append((tuple(core), Q_ALIAS))
    if variant := umlaut_variant(name):
        forms.append((tuple(canonical_terms(variant.split())), Q_ALIAS))
    level = fold(location_type)
    if level in _LEVEL_TYPES and len(terms) == 1 and terms[0].role in (Role.NUMBER, Role.LETTER):
        forms.append((tuple(canonical_terms([level, terms[0].text])), Q_ALIAS))
    return [(form, quality) for form, quality in forms if form]


def _initials(terms: Sequence[Term]) -> str | None:
    """Initials of a name of two or more words ("Lake Union Campus" → "luc"), else None."""
    words = [term.text for term in terms if term.role in (Role.WORD, Role.KIND)]
    if len(words) < 2 or not all(word.isalpha() for word in words):
        return None
    return "".join(word[0] for word in words)


def _is_named(terms: Sequence[Term]) -> bool:
    """A name made of words (not "Building 2"), the kind that prefixes, initials and typos apply to."""
    return any(term.role is Role.WORD for term in terms) and not any(ch.isdigit() for t in terms for ch in t.text)


def _allowed_edits(length: int) -> int:
    if length < 4:
        return 0
    if length <= 8:
        return 1
    return 2 if length <= 15 else 3


def _best_cover(
    terms: Sequence[_QueryTerm],
    spans: Sequence[_Span],
    ends: Sequence[Sequence[int]],
    chain_matches: dict[int, tuple[float, bool]],
) -> _Cover:
    """Best non-overlapping choice of spans naming the chain (dynamic programming over term positions)."""
    n = len(terms)
    best = [0.0] * (n + 1)
    back: list[int | None] = [None] * (n + 1)  # span ending here, or None when the term is skipped
    for end in range(1, n + 1):
        best[end], back[end] = best[end - 1], None
        for s in ends[end]:
            match = chain_matches.get(s)
            if match is None:
                continue
            quality, loose = match
            # A hair less for loose matches, so an equally good exact reading is preferred.
            value = best[spans[s].start] + quality * spans[s].weight - (1e-6 if loose else 0.0)
            if value > best[end]:
                best[end], back[end] = value, s
    covered: set[int] = set()
    raw, loose, end = 0.0, False, n
    while end > 0:
        chosen = back[end]
        if chosen is None:
            end -= 1
            continue
        span = spans[chosen]
        quality, span_loose = chain_matches[chosen]
        raw += quality * span.weight
        loose = loose or span_loose
        covered.update(range(span.start, span.end))
        end = span.start
    left_out = [p for p, term in enumerate(terms) if term.weight > 0 and p not in covered]
    unexplained = frozenset(p for p in left_out if terms[p].role is not Role.KIND)
    return _Cover(raw, loose, unexplained, sum(terms[p].weight for p in left_out if terms[p].role is Role.KIND))
