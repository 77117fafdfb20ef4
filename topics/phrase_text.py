"""How a text is read into words for key phrases (`topics.phrases`): runs of words with nothing between
them, what is no text (addresses, attribution lines, long unbroken strings), the stop lists that keep a
word from either end of a phrase, and the key that makes two spellings one word."""

from __future__ import annotations

import re
from functools import lru_cache

from topics import defaults

MAX_WORDS = 4  # the longest phrase
# A word: letters or digits (3D, GPT-4), hyphens and apostrophes inside, not a bare number.
_NUMBER = re.compile(r"^[\d'’-]+$")
_POSSESSIVE = re.compile(r"['’]s?$|['’]s(?=-)")

# Words in scikit-learn's stop list that are content words in a phrase ("computer vision", "system").
_CONTENT_WORDS = frozenset([
    "computer", "system", "fire", "bill", "interest", "detail", "amount", "front", "full", "move", "part",
    "side", "top", "bottom", "thick", "thin", "mill", "name", "back", "empty", "call", "found",
])
# Scholarly stop words that begin real phrases ("large language models", "state space models").
_PHRASE_STARTERS = frozenset(["large", "small", "high", "low", "state", "key", "wide", "code"])
# Capitalised, they begin a name ("New Zealand", "New York", "New Labour"), not a claim ("new method").
NAME_STARTERS = frozenset(["New"])
# Stop words allowed inside a phrase ("mixture of experts", "learning to rank", "question and answer").
INSIDE_OK = frozenset(["of", "for", "to", "and", "in", "on", "with"])


@lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """English function words ("for", "the"), lower case: scikit-learn's stop list but the content words in
    it, and fragments of contractions; not a field's words ("problem", `defaults.SCHOLARLY_STOP_WORDS`)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) - _CONTENT_WORDS | defaults.FRAGMENT_STOP_WORDS


@lru_cache(maxsize=1)  # asked once per label candidate (`PhraseTable.tail`)
def stop_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(not at the start, not at the end, not inside) of a phrase; lower-case words."""
    function = function_words()
    scholarly = defaults.SCHOLARLY_STOP_WORDS | defaults.LABEL_STOP_WORDS
    return function | (scholarly - _PHRASE_STARTERS), function | scholarly, function - INSIDE_OK


@lru_cache(maxsize=1_000_000)
def word_key(word: str) -> str:
    """What makes two spellings one word: case, hyphens, a plural ending."""
    key = word.lower().replace("-", "").replace("'", "").replace("’", "")
    if len(key) > 4 and key.endswith("ies") and key not in ("series", "species"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("s") and not key.endswith(("ss", "us", "is")):
        return key[:-1]
    return key


# one pass over a text: a word, or what ends a run of words (punctuation, a line break, a dash between spaces)
# a stretch of 30 or more characters with no space is no text: uuencoded or base64 lines, hashes; nor is
# an e-mail address, a message id or a web address ("mangoe@cs.umd.edu" gives no "umd"), nor the line that
# says who wrote what a reply quotes ("(Tim Clock) writes:", "Jon Livesey wrote:"), nor the name beside an
# address ("Bob Beauchaine bobbe@vice.ICO.TEK.COM", "cramer@optilink.COM (Clayton Cramer) writes:"; two or
# three capitalised words before it, as one is more often a sentence's first: "Mail jpl@nasa.gov"): a poster
# is no topic
_NOT_TEXT = (
    r"(?P<hidden>(?<!\S)\S{30,}|"
    # a name on one line (a dot only after an initial), the address, its owner's name in brackets after it
    r"(?:(?:[A-Z](?:\.|[\w'’-]*)[ \t]+){1,2}[A-Z](?:\.|[\w'’-]*)\s+)?"
    r"\(?[^\s()]*@[^\s()]+\)?(?:[ \t]*\([A-Z\"'][^()\n]{0,59}\))?(?:\s*(?:writes|wrote|said)\s*:)?|"
    r"(?:https?://|www\.)\S+|"
    r"(?:\([^()]{1,60}\)\s*|(?:[A-Z][\w.'’-]*\s+){1,4})(?:writes|wrote)\s*:)")
_WORD_OR_BREAK = re.compile(
    _NOT_TEXT + r"|(?P<word>[^\W_](?:[\w'’-]*[^\W_])?)|[^\w\s'’-]+|\n|\s[-–—]+\s")


def not_text(text: str) -> tuple[list[int], list[int]]:
    """Where `text` holds what `runs` reads as no text (addresses, attribution lines): starts, ends."""
    spans = [m.span() for m in _WORD_OR_BREAK.finditer(text) if m.group("hidden")]
    return [start for start, _ in spans], [end for _, end in spans]


def runs(text: str) -> list[list[str]]:
    """The words of `text`, in runs with no punctuation, number or lone letter between neighbours; a
    possessive ends its run ("the country's economy": "country", then "economy")."""
    found: list[list[str]] = []
    current: list[str] = []
    for match in _WORD_OR_BREAK.finditer(text):
        word = match.group("word")
        if word is None or _NUMBER.match(word) or len(word) == 1:
            if current:
                found.append(current)
                current = []
            continue
        possessive = _POSSESSIVE.search(word)
        if possessive:
            current.append(word[:possessive.start()])
            found.append(current)
            current = []
        else:
            current.append(word)
    if current:
        found.append(current)
    return found


