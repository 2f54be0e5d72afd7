"""The chat profanity filter: whole words from ``clipcart/data/profanity.txt``, masked.

A listed word matches case-insensitively as a whole word, with a common ending (s, es,
ed, er, ers, ing) and with letters stretched for emphasis ("fuuuck"). The match is
replaced by its first letter and asterisks, so the sentence still reads.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

_ENDINGS = r"(?:s|es|ed|er|ers|ing)?"


def load_words(text: str) -> list[str]:
    words = []
    for line in text.splitlines():
        word = line.split("#", 1)[0].strip().lower()
        if word:
            words.append(word)
    return words


def _stretchable(word: str) -> str:
    return "".join(re.escape(ch) + "+" for ch in word)


def compile_pattern(words: list[str]) -> re.Pattern[str] | None:
    if not words:
        return None
    # longest first so "motherfucker" wins over "fuck"
    alternatives = "|".join(_stretchable(w) for w in sorted(set(words), key=len, reverse=True))
    return re.compile(rf"\b(?:{alternatives}){_ENDINGS}\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _default_pattern() -> re.Pattern[str] | None:
    text = resources.files("clipcart").joinpath("data/profanity.txt").read_text("utf-8")
    return compile_pattern(load_words(text))


def mask(text: str, pattern: re.Pattern[str] | None = None) -> tuple[str, bool]:
    """Return ``text`` with listed words masked, and whether anything was."""
    found = pattern if pattern is not None else _default_pattern()
    if found is None:
        return text, False
    masked, count = found.subn(lambda m: m.group(0)[0] + "*" * (len(m.group(0)) - 1), text)
    return masked, count > 0
