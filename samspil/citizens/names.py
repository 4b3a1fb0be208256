"""Names: accent folding, similarity for the duplicate check, and generated pseudonyms.

The similarity is computed in Python on both databases: the duplicate check first narrows the candidates
to citizens with the same birth date in one cooperation (a handful at most), so comparing their names
here is cheap and behaves the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from difflib import SequenceMatcher

_DANISH = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ß": "ss"})
_NOT_LETTER = re.compile(r"[^a-z0-9 ]+")
_PSEUDONYM_LETTERS = "ABCDEFGHJKLMNPRSTUVXYZ"  # no I, O, Q, W: easy to read aloud in a meeting

# Two names (with the same birth date) are "similar" when their trigram similarity reaches
# SIMILARITY_THRESHOLD, when their spelling is close (SequenceMatcher ratio at least SPELLING_THRESHOLD:
# "Mohammed Ali" / "Muhammad Ali"), or when every word of the shorter name occurs in the longer one
# ("Anna Jensen" / "Anna Marie Jensen"). The check errs towards asking: a false alarm costs one click.
SIMILARITY_THRESHOLD = 0.5
SPELLING_THRESHOLD = 0.8


def fold_name(name: str) -> str:
    """Lower-case, Danish letters spelled out (æ->ae, ø->oe, å->aa), other accents removed, one space."""
    text = (name or "").casefold().translate(_DANISH)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _NOT_LETTER.sub(" ", text.replace("-", " "))
    return " ".join(text.split())


def _trigrams(folded: str) -> set[str]:
    """Trigrams of each word padded like PostgreSQL's pg_trgm: two spaces before, one after."""
    grams: set[str] = set()
    for word in folded.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def name_similarity(a: str, b: str) -> float:
    """Trigram similarity of two names after folding, 0.0-1.0 (the same measure as pg_trgm)."""
    first, second = _trigrams(fold_name(a)), _trigrams(fold_name(b))
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


def names_are_similar(a: str, b: str) -> bool:
    folded_a, folded_b = fold_name(a), fold_name(b)
    words_a, words_b = set(folded_a.split()), set(folded_b.split())
    if not words_a or not words_b:
        return False
    shorter, longer = sorted((words_a, words_b), key=len)
    if len(shorter) >= 2 and shorter <= longer:
        return True
    if name_similarity(a, b) >= SIMILARITY_THRESHOLD:
        return True
    return SequenceMatcher(None, folded_a, folded_b).ratio() >= SPELLING_THRESHOLD


def generate_pseudonym(prefix: str) -> str:
    """A readable pseudonym such as "Borger K-4821"; callers make it unique where they store it."""
    letter = secrets.choice(_PSEUDONYM_LETTERS)
    return f"{prefix} {letter}-{secrets.randbelow(9000) + 1000}"
