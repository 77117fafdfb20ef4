"""Acronyms defined in the text as "long form (ABBR)" (Schwartz & Hearst's rule: the acronym's letters, in
order, in the long form, the first one starting a word), for `topics.phrases`, which counts an acronym as
its long form wherever it is used: in a paper by its own definition, elsewhere by the corpus's commonest."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from topics.phrase_text import MAX_WORDS, function_words, runs, word_key

_ACRONYM_DEFINITION = re.compile(r"\(\s*([^()\s,;]{2,12}(?:\s[^()\s,;]{1,12})?)\s*[),;]")


def _matches_acronym(short: str, long_words: list[str]) -> int:
    """How many of `long_words` (from the end) spell `short` (Schwartz & Hearst); 0 when they do not."""
    letters = [c.lower() for c in short if c.isalnum()]
    long_form = " ".join(long_words).lower()
    s, position = len(letters) - 1, len(long_form) - 1
    while s >= 0:
        while position >= 0 and (long_form[position] != letters[s] or (
                s == 0 and position > 0 and long_form[position - 1].isalnum())):
            position -= 1
        if position < 0:
            return 0
        s -= 1
        position -= 1
    used = long_form[position + 1:].count(" ") + 1
    return used if used <= len(long_words) else 0


def acronym_definitions(text: str, not_first: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """Acronyms defined in `text` as "long form (ABBR)": ABBR (plural "s" dropped) -> long form's words."""
    found: dict[str, tuple[str, ...]] = {}
    for match in _ACRONYM_DEFINITION.finditer(text):
        short = match.group(1).strip()
        if " " in short or not any(c.isupper() for c in short) or not short[0].isalnum():
            continue
        before = runs(text[max(0, match.start() - 200):match.start()])
        if not before:
            continue
        words = before[-1]
        letters = sum(c.isalnum() for c in short)
        window = words[-min(letters + 5, 2 * letters):]
        bare = short.rstrip("s") if short.endswith("s") and short[:-1].isupper() else short
        initials = [c.lower() for c in bare if c.isalnum()]
        if len(initials) <= len(window) and [w[0].lower() for w in window[-len(initials):]] == initials:
            used = len(initials)  # a word per letter ("Proximal Policy Optimization (PPO)"), not fewer
        else:
            used = _matches_acronym(bare, window)
        if not used:
            continue
        long_words = window[-used:]
        while long_words and long_words[0].lower() in not_first:
            long_words = long_words[1:]
        # a long form ends on no function word: "no fast algorithm for (Nash)" had defined "Nash" as
        # "fast algorithm for"
        if not long_words or long_words[-1].lower() in function_words():
            continue
        if 2 <= len(long_words) <= MAX_WORDS or (len(long_words) == 1 and "-" in long_words[0]):
            found[acronym_key(short)] = tuple(long_words)
    return found


def acronym_key(word: str) -> str:
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


def plain_words(texts: Sequence[str], shorts: set[str]) -> set[str]:
    """The defined short forms with one capital that at least two documents also write in lower case as a
    word: "Home", "Top", "Pin" are words (a 20 Newsgroups post's "(Home)" made every "Home" "homosexual
    relationship and culture"); "Nato", "Wada" and "Adam" are never written "nato", "wada", "adam"."""
    candidates = {s.lower(): s for s in shorts if s.isalpha() and sum(c.isupper() for c in s) < 2}
    if not candidates:
        return set()
    # not inside an address or a host name ("iran" of "iran.example.com")
    pattern = re.compile(r"(?<![\w@.-])(?:" + "|".join(map(re.escape, sorted(candidates)))
                         + r")(?![\w@-]|\.\w)")
    documents = Counter(m for text in texts for m in set(pattern.findall(text)))
    return {candidates[m] for m, n in documents.items() if n >= 2}


def commonest_definitions(per_document: list[dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Each acronym's commonest definition in the corpus, as word keys."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for found in per_document:
        for short, long_words in found.items():
            votes[short][tuple(word_key(w) for w in long_words)] += 1
    return {short: max(v.items(), key=lambda kv: (kv[1], kv[0]))[0] for short, v in votes.items()}
