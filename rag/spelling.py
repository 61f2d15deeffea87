"""Misspelt question words corrected against the papers' own vocabulary.

"how many socail prescribers" finds nothing under "socail"; the papers say "social".
Only words neither the papers nor the embedding model's vocabulary know are touched
(so "stop" never becomes "STP"), and only towards a word the papers use that is one
edit away (two for long words), keeping the first letter: typos, not synonyms.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Set
from functools import lru_cache

from rapidfuzz.distance import OSA
from rapidfuzz.process import extract

from index import KeywordIndex
from rag.lexical import STOP_WORDS

_WORD = re.compile(r"[A-Za-z]+")
MIN_LENGTH = 5  # shorter words have too many neighbours one edit away
# Contractions typed without the apostrophe: "cant" must not become "can".
_CONTRACTIONS = frozenset("""cant wont dont didnt doesnt isnt arent wasnt werent hasnt havent hadnt couldnt
    shouldnt wouldnt mustnt shant aint whats thats theres heres hows whos youre theyre weve theyve ive
    youve lets""".split())


class Speller:
    def __init__(self, vocabulary: Counter[str], dictionary: Set[str] = frozenset()) -> None:
        self.vocabulary = vocabulary
        self.dictionary = dictionary
        self._by_initial: dict[str, list[str]] = defaultdict(list)
        for word in vocabulary:
            self._by_initial[word[0]].append(word)

    @classmethod
    def from_texts(cls, texts: Iterable[str], dictionary: Set[str] = frozenset()) -> "Speller":
        return cls(Counter(w.lower() for text in texts for w in _WORD.findall(text) if len(w) >= 3), dictionary)

    def suggest(self, word: str) -> str | None:
        """The papers' word for ``word``, or None when it is known or nothing is close."""
        lower = word.lower()
        if len(lower) < MIN_LENGTH or lower in self.vocabulary or lower in self.dictionary or lower in STOP_WORDS \
                or lower in _CONTRACTIONS:
            return None
        limit = 1 if len(lower) <= 6 else 2
        found = extract(lower, self._by_initial.get(lower[0], []), scorer=OSA.distance, score_cutoff=limit, limit=None)
        if not found:
            return None
        # Fewest edits first, then the word the papers use most.
        best, _, _ = min(found, key=lambda hit: (hit[1], -self.vocabulary[hit[0]]))
        return best

    def correct(self, question: str) -> str:
        def fix(match: re.Match) -> str:
            word = match.group(0)
            suggestion = self.suggest(word)
            if suggestion is None:
                return word
            return suggestion.capitalize() if word[0].isupper() else suggestion

        return _WORD.sub(fix, question)


@lru_cache(maxsize=4)
def _speller_cached(keyword_id: int, generation: int, keyword: KeywordIndex, dictionary: frozenset[str]) -> Speller:
    return Speller(keyword.words, dictionary)


def speller_for(keyword: KeywordIndex, dictionary: frozenset[str] = frozenset()) -> Speller:
    """Built once per index generation, on first use."""
    return _speller_cached(id(keyword), keyword.generation, keyword, dictionary)
