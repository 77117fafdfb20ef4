"""Key phrases: the words a person would use to name a topic or theme, found in the corpus as written.

A candidate is a run of 1-4 words inside one sentence part (no punctuation between them) with no stop word
at either end ("point cloud segmentation", "large language models", "self-supervised learning"). Variants
count as one phrase: case, hyphens ("pre-training" / "pretraining" / "pre training"), plurals, and an
acronym defined in a paper as "long form (ABBR)" (`topics.acronyms`), which counts as its long form
wherever it is used. The text is read into runs of words by `topics.phrase_text`. A phrase in a
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

import numpy as np
import scipy.sparse as sp

from topics import defaults
from topics.acronyms import acronym_definitions, acronym_key, commonest_definitions, plain_words
from topics.documents import capped
from topics.phrase_text import INSIDE_OK, MAX_WORDS, NAME_STARTERS, not_text, runs, stop_lists, word_key

QUOTE_WORDS = 2  # words on each side of a phrase's use that make its context
TAIL_MIN_USES = 5  # uses `PhraseTable.tail` needs to call a phrase the end of a longer name
SEPARATOR = " · "
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
        not_first, not_last, not_inside = stop_lists()
        per_document = [acronym_definitions(t, not_first) if "(" in t else {} for t in texts]
        words = plain_words(texts, {short for found in per_document for short in found})
        per_document = [{k: v for k, v in found.items() if k not in words} for found in per_document]
        corpus_acronyms = commonest_definitions(per_document)
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
                for run in runs(part):
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
            found = [(run, False) for run in runs(text[:body_from])]
            found += [(run, True) for run in runs(text[body_from:])]
            self._document_runs[d] = found
        return found

    def _not_text_of(self, d: int) -> tuple[list[int], list[int]]:
        """Document `d`'s stretches that are no text (`not_text`); kept, as `uses` reads the same few
        documents for many phrases."""
        if d not in self._document_hidden:
            self._document_hidden[d] = not_text(self.texts[d])
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
        not_first = stop_lists()[0]
        words = Counter(_before(b) for b, _ in uses if b)
        words = Counter({w: n for w, n in words.items() if w and not w.isdigit()
                         and (w not in not_first or w.title() in NAME_STARTERS)})
        # "Zealand" is the tail of "New Zealand", "dataset" not of "new dataset": asked only when it matters
        if any(w.title() in NAME_STARTERS for w in words) and not self.is_name(phrase):
            words = Counter({w: n for w, n in words.items() if w.title() not in NAME_STARTERS})
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
                    abbreviated.update(w for w in run if not w.islower() and acronym_key(w) in short)
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
    if len(last) >= 2 and last[-1] in INSIDE_OK and last[-2] and last[-2] not in stop_lists()[0]:
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


def _keys(run: list[str], own: dict, corpus_acronyms: dict, flags: dict[str, int],
          not_first, not_last, not_inside) -> tuple[list[str], list[int]]:
    """The run's word keys and stop flags, a defined acronym replaced by its long form's words."""
    keys: list[str] = []
    run_flags: list[int] = []
    for word in run:
        if not word.islower():
            long_form = own.get(acronym_key(word)) or corpus_acronyms.get(acronym_key(word))
            if long_form:
                keys.extend(long_form)
                run_flags.extend([(i > 0) * _AFTER for i in range(len(long_form))])
                continue
        flag = flags.get(word)
        if flag is None:
            lower = word.lower()
            flag = flags[word] = ((lower in not_first and word not in NAME_STARTERS) * _FIRST
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
