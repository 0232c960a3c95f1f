"""Text folding for location names and queries.

Names and queries go through the same steps, so a name and a query that mean the same place end up with
the same terms: case, accents, apostrophes and punctuation are folded ("King's Cross" → "kings cross",
"München" → "munchen"), and level vocabulary is normalised ("Bldg. 2", "B2" and "building two" →
"building 2"; "3rd floor", "L3", "3F" and "Level 3" → "floor 3"). Only generic level vocabulary lives here;
nothing is specific to one organisation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

# Letters that NFKD does not decompose into a base letter plus a mark.
_SPECIAL_LETTERS = str.maketrans(
    {"ø": "o", "đ": "d", "ð": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t"}
)
# Apostrophes and dots join rather than split: "King's" → "kings", "U.S." → "us", "Bldg.2" → "bldg2".
_JOINERS = str.maketrans("", "", "'’‘ʼ`´.")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})
# Characters people put between the levels of a path ("SEA / B2 / L3", "Seattle > Building 2").
_HARD_SEPARATORS = re.compile(r"[,/\\<>;|:»›→•·]+")
_NON_WORD = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"(\d+)")

_ORDINAL_SUFFIX = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_BUILDING_COMPOUND = re.compile(r"^(?:building|bldg|bldng|bld|b)(\d+)$")
_FLOOR_COMPOUND = re.compile(r"^(?:floor|flr|fl|level|lvl|f|l)(\d+)$")
_NUMBER_FLOOR_COMPOUND = re.compile(r"^(\d+)(?:f|fl|flr)$")

BUILDING, FLOOR = "building", "floor"
LEVEL_SYNONYMS: dict[str, str] = {
    "building": BUILDING,
    "bldg": BUILDING,
    "bldng": BUILDING,
    "blding": BUILDING,
    "bld": BUILDING,
    "floor": FLOOR,
    "flr": FLOOR,
    "level": FLOOR,
    "lvl": FLOOR,
    "storey": FLOOR,
    "story": FLOOR,
}
# Too short to mean a level on their own ("FL" is also Florida): only next to a number.
_SHORT_LEVELS: dict[str, str] = {"b": BUILDING, "f": FLOOR, "fl": FLOOR, "l": FLOOR}
_SHORT_LEVELS_AFTER_NUMBER: dict[str, str] = {"f": FLOOR, "fl": FLOOR}
# Words naming a kind of place: filler when they stand alone ("Seattle campus", "the Denver office").
TYPE_WORDS = frozenset(
    {"campus", "city", "state", "states", "province", "country", "county", "region", "site", "office", "offices"}
    | {"location", "locations", "area", "town", "building", "floor"}
)
STOPWORDS = frozenset(
    {"the", "a", "an", "of", "in", "at", "on", "for", "to", "and", "near", "from", "all", "my", "our", "any"}
    | {"by", "with", "room", "rooms"}
)
# fmt: off
_ORDINAL_WORDS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth",
)
_CARDINAL_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
# fmt: on
_ORDINALS: dict[str, str] = {word: str(n) for n, word in enumerate(_ORDINAL_WORDS, start=1)}
_CARDINALS: dict[str, str] = {word: str(n) for n, word in enumerate(_CARDINAL_WORDS, start=1)}


class Role(Enum):
    """What a term contributes to a match."""

    WORD = "word"  # an ordinary name word
    NUMBER = "number"  # a number not attached to a level word
    LETTER = "letter"  # a single letter not attached to a level word
    KIND = "kind"  # a level or place word on its own ("campus", "building")
    PAIR_KIND = "pair_kind"  # the level word of a (level, designator) pair: "building" in "building 2"
    PAIR_DESIGNATOR = "pair_designator"  # the designator of such a pair: "2" in "building 2"


@dataclass(frozen=True, slots=True)
class Term:
    """One canonical term. ``source`` is the index of the folded word it came from; ``glued`` marks a
    pair's level word, which must stay with the designator that follows it."""

    text: str
    role: Role
    source: int
    glued: bool = False


def _fold_characters(text: str) -> str:
    if text.isascii():  # the common case, and much cheaper
        return text.lower().translate(_JOINERS)
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return bare.translate(_SPECIAL_LETTERS).translate(_JOINERS)


def fold(text: str) -> str:
    """Lower-case ASCII-ish words separated by single spaces: "King's Cross, München" → "kings cross munchen"."""
    return " ".join(_NON_WORD.sub(" ", _fold_characters(text)).split())


def fold_segments(text: str) -> list[list[str]]:
    """Folded words grouped by the path separators of the text ("Seattle > Bldg 2, L3" → 3 groups)."""
    segments = (_NON_WORD.sub(" ", part).split() for part in _HARD_SEPARATORS.split(_fold_characters(text)))
    return [words for words in segments if words]


def umlaut_variant(name: str) -> str | None:
    """The German transliteration of a name with umlauts ("München" → "muenchen"), else None."""
    composed = unicodedata.normalize("NFC", name)
    transliterated = composed.translate(_UMLAUTS)
    return fold(transliterated) if transliterated != composed else None


def natural_key(text: str) -> tuple[tuple[int, int, str], ...]:
    """Sort key that orders numbers by value and ignores case and accents: "Floor 2" < "Floor 10"."""
    parts = _DIGITS.split(fold(text))
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts if part)


def _is_number(word: str) -> bool:
    return word.isascii() and word.isdigit()


def _number(digits: str) -> str:
    return digits.lstrip("0") or "0"


def _expand(word: str) -> list[str]:
    """Split compounds and normalise numbers: "b2" → ["building", "2"], "3rd" → ["3"], "007" → ["7"]."""
    if _is_number(word):
        return [_number(word)]
    if word in _ORDINALS:
        return [_ORDINALS[word]]
    if match := _BUILDING_COMPOUND.match(word):
        return [BUILDING, _number(match.group(1))]
    if match := _FLOOR_COMPOUND.match(word):
        return [FLOOR, _number(match.group(1))]
    if match := _NUMBER_FLOOR_COMPOUND.match(word):
        return [_number(match.group(1)), FLOOR]
    if match := _ORDINAL_SUFFIX.match(word):
        return [_number(match.group(1))]
    return [word]


def _designator(word: str | None, *, letters: bool) -> str | None:
    """The designator a level word can take: a number, a spelled-out number or (if allowed) one letter."""
    if word is None:
        return None
    if _is_number(word):
        return word
    if word in _CARDINALS:
        return _CARDINALS[word]
    return word if letters and len(word) == 1 and word.isalpha() else None


def canonical_terms(words: Sequence[str]) -> list[Term]:
    """Canonical terms of folded words, without function words; a level word and its designator become a
    (level, designator) pair."""
    expanded = [(piece, source) for source, word in enumerate(words) for piece in _expand(word)]
    terms: list[Term] = []
    i = 0
    while i < len(expanded):
        word, source = expanded[i]
        following, following_source = expanded[i + 1] if i + 1 < len(expanded) else (None, source)
        after_next = expanded[i + 2][0] if i + 2 < len(expanded) else None
        kind = LEVEL_SYNONYMS.get(word)
        if kind is None and following is not None and _is_number(following):
            kind = _SHORT_LEVELS.get(word)
        designator = _designator(following, letters=word in LEVEL_SYNONYMS)
        if kind is not None and designator is not None:
            terms += [
                Term(kind, Role.PAIR_KIND, source, glued=True),
                Term(designator, Role.PAIR_DESIGNATOR, following_source),
            ]
            i += 2
            continue
        trailing_kind = LEVEL_SYNONYMS.get(following or "") or _SHORT_LEVELS_AFTER_NUMBER.get(following or "")
        # "3 floor" pairs, but in "2 floor 3" the level word belongs to the number after it.
        if _is_number(word) and trailing_kind is not None and not (after_next is not None and _is_number(after_next)):
            terms += [
                Term(trailing_kind, Role.PAIR_KIND, following_source, glued=True),
                Term(word, Role.PAIR_DESIGNATOR, source),
            ]
            i += 2
            continue
        canonical = kind or word
        terms.append(Term(canonical, _role(canonical), source))
        i += 1
    # Function words carry no meaning ("3rd floor of building 2 in Denver"), unless they are all there is.
    meaningful = [term for term in terms if term.role is not Role.WORD or term.text not in STOPWORDS]
    return meaningful or terms


def _role(word: str) -> Role:
    if word in TYPE_WORDS:
        return Role.KIND
    if _is_number(word):
        return Role.NUMBER
    if len(word) == 1:
        return Role.LETTER
    return Role.WORD


def canonical_key(terms: Sequence[Term]) -> str:
    """The terms as one lookup string."""
    return " ".join(term.text for term in terms)
