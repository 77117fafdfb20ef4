"""Key phrases: the words a person would use to name a topic or theme, found in the corpus as written.

A candidate is a run of 1-4 words inside one sentence part (no punctuation between them) with no stop word
at either end ("point cloud segmentation", "large language models", "self-supervised learning"). Variants
count as one phrase: case, hyphens ("pre-training" / "pretraining" / "pre training"), plurals, and an
acronym defined in a paper as "long form (ABBR)" (Schwartz & Hearst's rule: the acronym's letters, in
order, in the long form, the first one starting a word), which then counts as its long form wherever it
is used, in that paper by its own definition, elsewhere by the corpus's commonest one. A phrase in a
title counts twice, unless other documents share that title (a newsgroup thread's "Re: ..." subject, a
story printed twice): it then names the thread, not the document, and would count a thread's words twice.

Why not a library: scikit-learn's CountVectorizer n-grams cannot keep a stop word inside a phrase while
refusing it at the ends, nor join variants and acronyms; KeyBERT/YAKE score phrases per document, not per
class; scispaCy's acronym detector needs spaCy and a downloaded model. Counting takes 4.6-5.7 s for
6,253 AI-conference abstracts on 2 cores (a fit there: about 25 s).

`PhraseTable.fit(texts, titles)` counts every candidate per document and says how a phrase is written,
whether it is a name and whether it only ever appears inside one repeated passage; `topics.phrase_labels`
turns the counts into topic and theme labels.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from topics import defaults
from topics.documents import capped

MAX_WORDS = 4
QUOTE_WORDS = 2  # words on each side of a phrase's use that make its context
TAIL_MIN_USES = 5  # uses `PhraseTable.tail` needs to call a phrase the end of a longer name
SEPARATOR = " · "
# A word: letters or digits (3D, GPT-4), hyphens and apostrophes inside, not a bare number.
_NUMBER = re.compile(r"^[\d'’-]+$")
_POSSESSIVE = re.compile(r"['’]s?$|['’]s(?=-)")
_ACRONYM_DEFINITION = re.compile(r"\(\s*([^()\s,;]{2,12}(?:\s[^()\s,;]{1,12})?)\s*[),;]")

# Words in scikit-learn's stop list that are content words in a phrase ("computer vision", "system").
_CONTENT_WORDS = frozenset([
    "computer", "system", "fire", "bill", "interest", "detail", "amount", "front", "full", "move", "part",
    "side", "top", "bottom", "thick", "thin", "mill", "name", "back", "empty", "call", "found",
])
# Scholarly stop words that begin real phrases ("large language models", "state space models").
_PHRASE_STARTERS = frozenset(["large", "small", "high", "low", "state", "key", "wide", "code"])
# Capitalised, they begin a name ("New Zealand", "New York", "New Labour"), not a claim ("new method").
_NAME_STARTERS = frozenset(["New"])
# Stop words allowed inside a phrase ("mixture of experts", "learning to rank", "question and answer").
_INSIDE_OK = frozenset(["of", "for", "to", "and", "in", "on", "with"])


@lru_cache(maxsize=1)  # asked once per label candidate (`PhraseTable.tail`)
def _stop_lists() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(not at the start, not at the end, not inside) of a phrase; lower-case words."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    function_words = frozenset(ENGLISH_STOP_WORDS) - _CONTENT_WORDS | defaults.FRAGMENT_STOP_WORDS
    scholarly = defaults.SCHOLARLY_STOP_WORDS | defaults.LABEL_STOP_WORDS
    return (function_words | (scholarly - _PHRASE_STARTERS), function_words | scholarly,
            function_words - _INSIDE_OK)


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


def _not_text(text: str) -> tuple[list[int], list[int]]:
    """Where `text` holds what `_runs` reads as no text (addresses, attribution lines): starts, ends."""
    spans = [m.span() for m in _WORD_OR_BREAK.finditer(text) if m.group("hidden")]
    return [start for start, _ in spans], [end for _, end in spans]


def _runs(text: str) -> list[list[str]]:
    """The words of `text`, in runs with no punctuation, number or lone letter between neighbours; a
    possessive ends its run ("the country's economy": "country", then "economy")."""
    runs: list[list[str]] = []
    current: list[str] = []
    for match in _WORD_OR_BREAK.finditer(text):
        word = match.group("word")
        if word is None or _NUMBER.match(word) or len(word) == 1:
            if current:
                runs.append(current)
                current = []
            continue
        possessive = _POSSESSIVE.search(word)
        if possessive:
            current.append(word[:possessive.start()])
            runs.append(current)
            current = []
        else:
            current.append(word)
    if current:
        runs.append(current)
    return runs


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
        before = _runs(text[max(0, match.start() - 200):match.start()])
        if not before:
            continue
        words = before[-1]
        letters = sum(c.isalnum() for c in short)
        window = words[-min(letters + 5, 2 * letters):]
        used = _matches_acronym(short.rstrip("s") if short.endswith("s") and short[:-1].isupper() else short,
                                window)
        if not used:
            continue
        long_words = window[-used:]
        while long_words and long_words[0].lower() in not_first:
            long_words = long_words[1:]
        if 2 <= len(long_words) <= MAX_WORDS or (len(long_words) == 1 and "-" in long_words[0]):
            found[_acronym_key(short)] = tuple(long_words)
    return found


def _acronym_key(word: str) -> str:
    return word[:-1] if len(word) > 2 and word.endswith("s") and word[:-1].isupper() else word


_FIRST, _LAST, _INSIDE = 1, 2, 4  # a word that may not begin, end, or sit inside a phrase
# an acronym stands for its long form and the form's beginnings ("LLMs": "large language models", "large
# language"), never for its ends: "GPUs" counted for "processing units", which then named the topics of
# GPUs, APUs and DPUs alike (labels benchmark, arXiv topics: MiniLM judge 0.544 -> 0.555, TF-IDF judge
# up). _AFTER marks the words of a long form after its first: no phrase begins there.
_AFTER = 8


@dataclass
class PhraseTable:
    """Per document, how often it holds each candidate phrase (a title's count twice)."""

    keys: list[tuple[str, ...]]  # each phrase's word keys
    counts: sp.csr_matrix  # documents x phrases
    texts: Sequence[str] = ()  # the documents, to find how a phrase is written
    titles: Sequence[str] = ()
    acronyms: dict[str, tuple[str, ...]] = field(default_factory=dict)  # corpus-wide definitions
    _parents: dict[int, list[int]] | None = field(default=None, repr=False)
    _common: np.ndarray | None = field(default=None, repr=False)
    modifiers: np.ndarray | None = None  # per phrase: nearly always followed by more words
    _document_runs: dict[int, list[tuple[list[str], bool]]] = field(default_factory=dict, repr=False)
    _document_hidden: dict[int, tuple[list[int], list[int]]] = field(default_factory=dict, repr=False)
    _uses: dict[int, list] = field(default_factory=dict, repr=False)
    _spellings: dict[int, str] = field(default_factory=dict, repr=False)

    @classmethod
    def fit(cls, texts: Sequence[str], titles: Sequence[str] | None = None,
            min_documents: int = 2) -> PhraseTable:
        """Count the candidate phrases of `texts` (each read up to `defaults.MAX_RECORD_CHARACTERS`);
        `titles` found at the start of a text count twice, unless another document has the same title."""
        texts = capped(texts)
        not_first, not_last, not_inside = _stop_lists()
        per_document = [acronym_definitions(t, not_first) if "(" in t else {} for t in texts]
        words = _plain_words(texts, {short for found in per_document for short in found})
        per_document = [{k: v for k, v in found.items() if k not in words} for found in per_document]
        corpus_acronyms = _commonest(per_document)
        flags: dict[str, int] = {}
        index: dict[str, tuple[int, tuple[str, ...]]] = {}
        columns: list[int] = []
        followed: list[int] = []
        indptr = [0]
        threads = Counter(_thread(t) for t in (titles if titles is not None else ()))
        for d, text in enumerate(texts):
            title = titles[d] if titles is not None else ""
            parts = [text]
            if (title and not title.endswith("…") and len(title) < len(text) and text.startswith(title)
                    and threads[_thread(title)] == 1):  # a title many documents share names a thread
                parts.append(title)
            own = {k: tuple(word_key(w) for w in v) for k, v in per_document[d].items()}
            if own:  # "large language models (LLMs)" is one mention, not two
                defined = "|".join(re.escape(k) + "s?" for k in own)
                parts = [re.sub(rf"\(\s*(?:{defined})\s*\)", ",", part) for part in parts]
            for part in parts:
                for run in _runs(part):
                    keys, run_flags = _keys(run, own, corpus_acronyms, flags, not_first, not_last, not_inside)
                    _count_run(keys, run_flags, index, columns, followed)
            indptr.append(len(columns))
        counts = sp.csr_matrix((np.ones(len(columns), dtype=np.float32), np.asarray(columns, dtype=np.int64),
                                np.asarray(indptr, dtype=np.int64)), shape=(len(texts), len(index)))
        counts.sum_duplicates()
        keys = [None] * len(index)
        for column, key in index.values():
            keys[column] = key
        documents = np.bincount(counts.indices, minlength=len(index))
        # as for keywords: too rare to name a group, or so common it names none (topics.defaults)
        keep = np.flatnonzero((documents >= min(min_documents, max(1, len(texts) // 5)))
                              & (documents <= defaults.vocabulary_max_df(len(texts)) * len(texts)))
        occurrences = np.bincount(np.asarray(columns, dtype=np.int64), minlength=len(index))
        # a phrase that nearly always goes on ("convolutional neural", "large-scale") is half a name
        modifiers = np.asarray(followed, dtype=np.float64) >= defaults.MODIFIER_SHARE * occurrences
        return cls(keys=[keys[c] for c in keep], counts=counts[:, keep].tocsr(), texts=texts,
                   modifiers=modifiers[keep],
                   titles=titles if titles is not None else (),
                   acronyms=corpus_acronyms)

    @property
    def common(self) -> np.ndarray:
        """Phrases held by more than `defaults.COMMON_PHRASE_SHARE` of all documents."""
        if self._common is None:
            share = np.bincount(self.counts.indices, minlength=len(self.keys)) / max(self.counts.shape[0], 1)
            self._common = share > defaults.COMMON_PHRASE_SHARE
        return self._common

    def parents(self) -> dict[int, list[int]]:
        """For each phrase, the longer phrases that contain its words in order, side by side."""
        if self._parents is not None:
            return self._parents
        position = {key: i for i, key in enumerate(self.keys)}
        found: dict[int, list[int]] = defaultdict(list)
        for i, key in enumerate(self.keys):
            n = len(key)
            for length in range(1, n):
                for start in range(n - length + 1):
                    part = position.get(key[start:start + length])
                    if part is not None:
                        found[part].append(i)
        self._parents = dict(found)
        return self._parents

    def _runs_of(self, d: int) -> list[tuple[list[str], bool]]:
        """Document `d`'s runs of words, each with whether it is in the body (not the title); kept, as
        every label phrase looks at the same few documents."""
        found = self._document_runs.get(d)
        if found is None:
            text = self.texts[d]
            title = self.titles[d] if d < len(self.titles) else ""
            body_from = len(title) if title and text.startswith(title) else 0
            found = [(run, False) for run in _runs(text[:body_from])]
            found += [(run, True) for run in _runs(text[body_from:])]
            self._document_runs[d] = found
        return found

    def _not_text_of(self, d: int) -> tuple[list[int], list[int]]:
        """Document `d`'s stretches that are no text (`_not_text`); kept, as `uses` reads the same few
        documents for many phrases."""
        if d not in self._document_hidden:
            self._document_hidden[d] = _not_text(self.texts[d])
        return self._document_hidden[d]

    def holders(self, phrase: int, limit: int) -> np.ndarray:
        """Up to `limit` of the documents that hold `phrase`, spread evenly over them: a corpus in file order
        (BBC News: business first) would otherwise speak for one part ("England" in "Bank of England")."""
        found = self.counts[:, phrase].nonzero()[0]
        if len(found) <= limit:
            return found
        return found[np.unique(np.linspace(0, len(found) - 1, limit).round().astype(int))]

    def uses(self, phrase: int, limit: int = 50) -> list[tuple[list[str], list[str]]]:
        """The two words (as written, lower case) before and after each use of `phrase` in `limit` of the
        documents that hold it (`holders`); kept, as labels look at the same few phrases again."""
        found = self._uses.get(phrase)
        if found is None:
            # a key has lost its hyphens and apostrophes ("odwyer", "selfsupervised"): either may be back
            pattern = re.compile(r"(?<!\w)" + r"[\s'’-]*".join(
                r"['’-]?".join(map(re.escape, k)) + r"\w{0,3}" for k in self.keys[phrase]) + r"(?!\w)",
                re.IGNORECASE)
            found = []
            for d in self.holders(phrase, limit):
                text = self.texts[d]
                starts, ends = self._not_text_of(d)
                for match in pattern.finditer(text):
                    at = bisect.bisect_right(starts, match.start()) - 1
                    if (at >= 0 and match.start() < ends[at]) or (at + 1 < len(starts)
                                                                  and match.end() > starts[at + 1]):
                        continue  # "irvine" of irvine@uxh.cso.uiuc.edu, "(Brent Irvine) writes:"
                    before = text[max(0, match.start() - 80):match.start()].lower().split()[-QUOTE_WORDS:]
                    after = text[match.end():match.end() + 80].lower().split()[:QUOTE_WORDS]
                    found.append((before, after))
            self._uses[phrase] = found
        return found

    def quoted(self, phrase: int) -> bool:
        """Whether a phrase of several words only ever appears inside one repeated passage (a signature, a
        thread's subject quoted in every reply, a sentence reused by several articles): most of its uses, in
        the documents that hold it, have the same two words on one side (a signature's "Gordon Banks N3JXP |",
        a reply's "Re: Is MSG sensitivity superstition?"). A term ("radar detector") is used in many
        contexts; a quotation ("no longer exists a single Turkish soul.") is not; a phrase always followed or
        preceded by the same words is part of a longer one."""
        if len(self.keys[phrase]) < 2:
            return False
        uses = self.uses(phrase)
        if len(uses) < 2:
            return False
        # the commonest context on each side; no words (the start of a title, the end of a text) is none
        commonest = [Counter(tuple(use[side]) for use in uses if use[side]).most_common(1) for side in (0, 1)]
        formulaic = sum(any(found and tuple(use[side]) == found[0][0] for side, found in enumerate(commonest))
                        for use in uses)
        return formulaic >= defaults.QUOTED_PHRASE_SHARE * len(uses)

    def tail(self, phrase: int) -> bool:
        """Whether a phrase is mostly (`defaults.TAIL_SHARE` of its uses) the end of a longer name: the same
        word before it, or a word joined to it by a hyphen ("supervised learning" in a corpus that writes
        "self-supervised learning"), or the same word and a joining stop word ("Exchange Commission" in
        "Securities and Exchange Commission"). The left-hand twin of `modifiers`."""
        uses = self.uses(phrase)
        if len(uses) < TAIL_MIN_USES:
            return False
        not_first = _stop_lists()[0]
        words = Counter(_before(b) for b, _ in uses if b)
        words = Counter({w: n for w, n in words.items() if w and not w.isdigit()
                         and (w not in not_first or w.title() in _NAME_STARTERS)})
        # "Zealand" is the tail of "New Zealand", "dataset" not of "new dataset": asked only when it matters
        if any(w.title() in _NAME_STARTERS for w in words) and not self.is_name(phrase):
            words = Counter({w: n for w, n in words.items() if w.title() not in _NAME_STARTERS})
        bound = max(words.values()) if words else 0
        return bound >= defaults.TAIL_SHARE * len(uses)

    def spelling(self, phrase: int) -> str:
        """How `phrase` is written in the documents (`written`), kept."""
        found = self._spellings.get(phrase)
        if found is None:
            found = self._spellings[phrase] = self.written(phrase)
        return found

    def is_name(self, phrase: int) -> bool:
        """Whether a phrase is written as a name ("Jose Mourinho", "Australian Open"): every word capitalised,
        not in capitals only (an acronym such as "GPU" is not a name here)."""
        words = self.spelling(phrase).split()
        return all(w[:1].isupper() and not w.isupper() for w in words)

    def written(self, phrase: int, limit: int = 20) -> str:
        """How `phrase` is written in the documents that hold it: the commonest form (hyphens, spaces),
        in the case it has inside a sentence of an abstract ("self-supervised", "Australian Open"), else
        with the capitals of titles and sentence starts lowered unless the word is capitalised inside
        sentences elsewhere (names: "Andy Roddick", "Bayesian")."""
        key = self.keys[phrase]
        target = "".join(key)
        holders = self.counts[:, phrase].nonzero()[0][:limit]
        spellings: Counter[str] = Counter()
        inside: Counter[str] = Counter()  # the spellings found inside an abstract's sentence
        named: set[str] = set()  # words capitalised inside an abstract's sentence
        short = {s for s, long_form in self.acronyms.items() if long_form == key} if len(key) > 1 else set()
        abbreviated: Counter[str] = Counter()  # the acronyms standing for it, as written ("LLMs")
        written_out = 0  # documents that write it out at least once
        for d in holders:
            before = sum(spellings.values())
            for run, is_body in self._runs_of(d):
                if is_body:
                    named.update(w for w in run[1:] if w[:1].isupper())
                if short:
                    abbreviated.update(w for w in run if not w.islower() and _acronym_key(w) in short)
                for start, end in _spans(run, target):
                    spelled = " ".join(run[start:end])
                    spellings[spelled] += 1
                    if is_body and start > 0:
                        inside[spelled] += 1
            written_out += sum(spellings.values()) > before
        if not spellings:  # only ever an acronym standing for it
            short = [s for s, long_form in self.acronyms.items() if long_form == key]
            return " ".join(key) if not short else f"{' '.join(key)} ({short[0]})"
        if abbreviated and written_out < defaults.WRITTEN_OUT_SHARE * len(holders):
            return max(abbreviated, key=lambda s: (abbreviated[s], s))  # "GPU", "MIDI": as papers write it
        forms: Counter[str] = Counter()  # how it is written, case aside: "self-supervised", "self supervised"
        for spelled, count in spellings.items():
            forms[spelled.lower()] += count
        form = max(forms, key=lambda f: (forms[f], "-" in f, f))
        cased = [s for s in inside if s.lower() == form]
        if cased:
            return max(cased, key=lambda s: (inside[s], s.islower(), s))
        best = max((s for s in spellings if s.lower() == form), key=lambda s: (spellings[s], s.islower(), s))
        return " ".join(w.lower() if w[:1].isupper() and w[1:].islower() and w not in named else w
                        for w in best.split())


def _before(words: list[str]) -> str:
    """The word a use follows, as `PhraseTable.tail` counts it: with the word before it when it is a stop
    word that joins a name ("Securities and" before "Exchange Commission")."""
    last = [w.rstrip("-‐").strip("\"'’()[]{},.;:") for w in words]
    if len(last) >= 2 and last[-1] in _INSIDE_OK and last[-2] and last[-2] not in _stop_lists()[0]:
        return " ".join(last[-2:])
    return last[-1]


def _thread(title: str) -> str:
    """What a title names, replies aside: "Re: Clipper chip" is the thread "clipper chip"."""
    return re.sub(r"^(?:re\s*:\s*)+", "", title.strip().lower())


def _spans(run: list[str], target: str):
    """(start, end) of each stretch of `run` whose word keys run together spell `target`."""
    keys = [word_key(w) for w in run]
    for start in range(len(keys)):
        joined = ""
        for end in range(start, min(len(keys), start + MAX_WORDS)):
            joined += keys[end]
            if joined == target:
                yield start, end + 1
            if len(joined) >= len(target):
                break


def _plain_words(texts: Sequence[str], shorts: set[str]) -> set[str]:
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


def _commonest(per_document: list[dict[str, tuple[str, ...]]]) -> dict[str, tuple[str, ...]]:
    """Each acronym's commonest definition in the corpus, as word keys."""
    votes: dict[str, Counter] = defaultdict(Counter)
    for found in per_document:
        for short, long_words in found.items():
            votes[short][tuple(word_key(w) for w in long_words)] += 1
    return {short: max(v.items(), key=lambda kv: (kv[1], kv[0]))[0] for short, v in votes.items()}


def _keys(run: list[str], own: dict, corpus_acronyms: dict, flags: dict[str, int],
          not_first, not_last, not_inside) -> tuple[list[str], list[int]]:
    """The run's word keys and stop flags, a defined acronym replaced by its long form's words."""
    keys: list[str] = []
    run_flags: list[int] = []
    for word in run:
        if not word.islower():
            long_form = own.get(_acronym_key(word)) or corpus_acronyms.get(_acronym_key(word))
            if long_form:
                keys.extend(long_form)
                run_flags.extend([(i > 0) * _AFTER for i in range(len(long_form))])
                continue
        flag = flags.get(word)
        if flag is None:
            lower = word.lower()
            flag = flags[word] = ((lower in not_first and word not in _NAME_STARTERS) * _FIRST
                                  | (lower in not_last) * _LAST | (lower in not_inside) * _INSIDE)
        keys.append(word_key(word))
        run_flags.append(flag)
    return keys, run_flags


def _count_run(keys: list[str], flags: list[int], index: dict, columns: list[int],
               followed: list[int]) -> None:
    """Count the run's candidate phrases; `index` maps a phrase's words run together ("self supervised" and
    "self-supervised" are one phrase) to its column and the words it was first seen with; `followed`
    counts, per column, the times a phrase goes on into a longer one with the very next word."""
    n = len(keys)
    for start in range(n):
        if flags[start] & (_FIRST | _AFTER):
            continue
        shorter = -1  # the column of the candidate one word shorter, with the same start
        for end in range(start + 1, min(n, start + MAX_WORDS) + 1):
            if end - start >= 3 and flags[end - 2] & _INSIDE:
                break
            if flags[end - 1] & _LAST:
                shorter = -1
                continue
            joined = "".join(keys[start:end])
            found = index.get(joined)
            if found is None:
                found = index[joined] = (len(index), tuple(keys[start:end]))
                followed.append(0)
            columns.append(found[0])
            if shorter >= 0:
                followed[shorter] += 1
            shorter = found[0]
