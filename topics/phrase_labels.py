"""Topic and theme labels from the corpus's key phrases (`topics.phrases.PhraseTable`).

`topic_labels` (class-based TF-IDF over phrases, times the phrase's precision to the topic) and
`theme_labels` (share of the theme's papers that hold a phrase times the share of the phrase's papers that
are in the theme) give labels of at most `defaults.MAX_LABEL_WORDS` words, up to
`defaults.TOPIC_LABEL_PHRASES` (topics) or `defaults.LABEL_PHRASES` (themes) phrases joined by " · ": short
phrases tell papers apart better than two long ones (docs/benchmarks.md "Labels"). A phrase grows into a
longer one that enough of its papers use ("cloud" -> "point cloud segmentation"), but a name only into a
longer name, and never into a quotation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
import scipy.sparse as sp

from topics import defaults
from topics.phrases import SEPARATOR, PhraseTable
from topics.representation import class_tfidf, word_stems

__all__ = ["SEPARATOR", "theme_labels", "topic_labels"]


def _carry_share(table: PhraseTable, phrase: int) -> float:
    """How much of a phrase's documents a longer phrase must hold to replace it: less for a lone word
    that reads as a modifier ("convolutional" -> "convolutional neural networks", "medical" -> "medical
    images") or a phrase that nearly always goes on, no label on its own ("pre-trained" -> "pre-trained
    models")."""
    key = table.keys[phrase]
    if (len(key) == 1 and key[0].endswith(_MODIFIER_ENDINGS)) or _modifier(table, phrase):
        return defaults.PHRASE_CARRY_SHARE / 2
    return defaults.PHRASE_CARRY_SHARE


def _modifier(table: PhraseTable, phrase: int) -> bool:
    """Whether a phrase nearly always goes on with more words ("large-scale"): never a label part, so
    never what a shorter phrase grows into either."""
    return table.modifiers is not None and bool(table.modifiers[phrase])


_MODIFIER_ENDINGS = ("al", "ive", "ous", "ic", "ary", "able", "ible", "ful", "less", "ian")


def _upgrade(phrase: int, documents: np.ndarray, table: PhraseTable, needed: int,
             allowed: Callable[[int], bool]) -> int:
    """The longest phrase containing `phrase` that enough of its documents (in the class) hold."""
    parents = table.parents()
    while True:
        share = _carry_share(table, phrase)
        # a name grows only into a longer name: "Jose Mourinho", not "boss Jose Mourinho"
        named = bool(parents.get(phrase)) and table.is_name(phrase)
        better = [p for p in parents.get(phrase, []) if documents[p] >= max(needed, share * documents[phrase])
                  and allowed(p) and not _modifier(table, p) and not table.quoted(p)
                  and not (named and not table.is_name(p))]
        if not better:
            return phrase
        phrase = max(better, key=lambda p: (documents[p], -p))


def _pick(scores: np.ndarray, documents: np.ndarray, table: PhraseTable, needed: int, max_words: int,
          rescore: Callable[[list[int]], np.ndarray] | None = None, n_phrases: int = defaults.LABEL_PHRASES,
          fill: bool = False) -> list[int]:
    """Up to `n_phrases` phrases for a class: the best scoring, made as long as its documents carry, then
    each time the best (by `rescore` of the phrases chosen so far, if given) that shares no word stem with
    those chosen (but a last word, `_overlaps`) and fits in `max_words` words in all; without `fill`, no
    more once a word or none is left. A lone word all over the corpus goes last."""
    chosen: list[int] = []
    words = 0
    for _ in range(n_phrases):
        if chosen and rescore is not None:
            scores = rescore(chosen)
        eligible = (documents >= needed) & (scores > 0)
        order = np.flatnonzero(eligible)
        order = order[np.argsort(-scores[order], kind="stable")][:200]
        taken = [table.keys[c] for c in chosen]
        for candidate in order:
            room = max_words - words
            phrase = _upgrade(int(candidate), documents, table, needed,
                              lambda p, room=room, ok=eligible: bool(ok[p]) and len(table.keys[p]) <= room)
            if len(table.keys[phrase]) > room or _overlaps(table.keys[phrase], taken):
                continue
            if chosen and len(table.keys[phrase]) == 1 and table.common[phrase]:
                continue  # a word all over the corpus ("datasets", "samples") adds nothing to a phrase
            if _modifier(table, phrase):
                continue
            if table.quoted(phrase) or table.tail(phrase):
                continue
            if chosen and _shared_parts(table, phrase, chosen):
                continue  # "answering datasets" beside "question-answering", one word to the counts
            chosen.append(phrase)
            words += len(table.keys[phrase])
            break
        else:
            break
        if words >= max_words - (0 if fill else 1):
            break
    # a word all over the corpus ("domain", "networks") may be a label's part but reads as no name's head
    plain = [c for c in chosen if len(table.keys[c]) == 1 and table.common[c]]
    return [c for c in chosen if c not in plain] + plain


def _parts(table: PhraseTable, phrase: int, last: bool = True) -> set[str]:
    """The crude stems of a phrase's words as written, hyphenated words taken apart (without its last
    word written, unless `last`)."""
    written = table.spelling(phrase).lower().split()
    return word_stems(" ".join(written if last else written[:-1]).replace("-", " "))


def _shared_parts(table: PhraseTable, phrase: int, chosen: list[int]) -> set[str]:
    """The word stems a phrase shares with the phrases chosen, but for the last word it shares with one
    of them, both of several words ("pre-trained models", "large language models")."""
    pair = _sharing_last_word(table.keys[phrase], [table.keys[c] for c in chosen])
    others = set().union(*(_parts(table, c) for i, c in enumerate(chosen) if i != pair))
    shared = _parts(table, phrase) & others
    if pair is not None:  # the shared last words aside, nothing in common
        shared |= (_parts(table, phrase, last=False) & _parts(table, chosen[pair])
                   | _parts(table, phrase) & _parts(table, chosen[pair], last=False))
    return shared


def _sharing_last_word(words: tuple[str, ...], taken: list[tuple[str, ...]]) -> int | None:
    """Which taken phrase ends in the last word of `words`, both of several words, when exactly one does:
    two kinds of one thing may share their last word, three may not."""
    sharing = [i for i, t in enumerate(taken) if len(words) > 1 and len(t) > 1 and t[-1] == words[-1]]
    return sharing[0] if len(sharing) == 1 else None


def _overlaps(words: tuple[str, ...], taken: list[tuple[str, ...]]) -> bool:
    """Whether a phrase repeats what the label already says: a phrase inside another, run together
    ("data sets" in "ECG datasets"), a word of the same crude stem ("programs", "programming"), or one
    word the start of another ("cluster", "clustering"); but for a last word it shares with one of them
    (`_sharing_last_word`)."""
    joined = "".join(words)
    if any(joined in "".join(t) or "".join(t) in joined for t in taken):
        return True
    pair = _sharing_last_word(words, taken)
    if pair is None:
        return _repeats(words, [w for t in taken for w in t])
    return (_repeats(words[:-1], taken[pair]) or _repeats(words, taken[pair][:-1])
            or _repeats(words, [w for i, t in enumerate(taken) if i != pair for w in t]))


def _repeats(words: Sequence[str], old: Sequence[str]) -> bool:
    """Whether `words` has a word of the same crude stem as one of `old`, or the start of one."""
    return bool(word_stems(" ".join(words)) & word_stems(" ".join(old))) or any(
        min(len(a), len(b)) >= 5 and (a.startswith(b) or b.startswith(a)) for a in words for b in old)


def _labels(per_class: list[list[int]], table: PhraseTable) -> list[str]:
    labels = [SEPARATOR.join(table.spelling(p) for p in chosen) or "(no distinctive words)"
              for chosen in per_class]
    seen = Counter(labels)
    for c, label in enumerate(labels):
        if seen[label] > 1:
            labels[c] = f"{label} ({c})"
    return labels


def _class_documents(held: sp.csr_matrix, classes: np.ndarray, n_classes: int) -> np.ndarray:
    """How many documents of each class hold each phrase (n_classes x phrases); `held`: 0/1 per document."""
    membership = sp.csr_matrix(
        (np.ones(len(classes), dtype=np.float32), (classes, np.arange(len(classes)))),
        shape=(n_classes, len(classes)))
    return np.asarray((membership @ held).todense())


def topic_labels(table: PhraseTable, rows: np.ndarray, classes: np.ndarray, n_classes: int,
                 max_words: int = defaults.MAX_LABEL_WORDS) -> list[str]:
    """Each topic's label (`rows`: the documents in a topic): phrases by class-based TF-IDF over phrases
    times their precision to the topic (`defaults.TOPIC_PHRASE_PRECISION_POWER`), held by at least
    `defaults.TOPIC_PHRASE_MIN_SHARE` of its papers, up to `defaults.TOPIC_LABEL_PHRASES` of them while words
    remain under `max_words`."""
    counts = table.counts[rows]
    weights, documents = class_tfidf(counts, classes, n_classes)
    sizes = np.bincount(classes, minlength=n_classes)
    # a phrase names at most `defaults.MAX_TOPICS_PER_PHRASE` topics: those where it weighs most
    rank = np.argsort(np.argsort(-weights, axis=0, kind="stable"), axis=0, kind="stable")
    precision = documents / np.maximum(documents.sum(axis=0), 1.0)
    chosen = []
    for c in range(n_classes):
        scores = weights[c] * precision[c] ** defaults.TOPIC_PHRASE_PRECISION_POWER
        if n_classes > defaults.MAX_TOPICS_PER_PHRASE + 1:
            scores[rank[c] >= defaults.MAX_TOPICS_PER_PHRASE] = 0
        least = 2 if sizes[c] >= 4 else 1
        picked = []
        widely = max(least, int(np.ceil(defaults.TOPIC_PHRASE_MIN_SHARE * sizes[c])))
        for needed in dict.fromkeys((widely, least)):
            picked = _pick(scores, documents[c], table, needed, max_words,
                           n_phrases=defaults.TOPIC_LABEL_PHRASES, fill=True)
            if picked:  # else no phrase is that widely held: the rarer ones still beat no label
                break
        chosen.append(picked)
    return _labels(chosen, table)


def theme_labels(table: PhraseTable, rows: np.ndarray, classes: np.ndarray, n_classes: int,
                 max_words: int = defaults.MAX_LABEL_WORDS) -> list[str]:
    """Each theme's label: phrases held by many of its papers and by few others.

    A phrase scores (share of the theme's papers that hold it) x (share of the papers holding it that are in
    the theme)^2: precision counts twice so that a field's common words ("data", "model") give way to what
    sets the theme apart. A later phrase counts the theme's papers it would add to the label's (the
    geometric mean of those and all it holds), so a theme of several topics is named by two of them rather
    than by one twice, yet by what many of its papers share rather than by a detail of three
    ("large language models · pre-trained models", not "large language models · student"; MiniLM judge,
    themes: BBC 0.798 -> 0.841, sample 0.793 -> 0.845, AI-conference 0.603 -> 0.590)."""
    held = (table.counts[rows] > 0).astype(np.float32).tocsr()
    documents = _class_documents(held, classes, n_classes)
    sizes = np.maximum(np.bincount(classes, minlength=n_classes), 1).astype(np.float64)
    precision = documents / np.maximum(documents.sum(axis=0), 1.0)
    chosen = []
    for h in range(n_classes):
        members = held[classes == h]

        def missed(phrases: list[int], members=members, h=h) -> np.ndarray:
            uncovered = np.asarray(members[:, phrases].sum(axis=1)).ravel() == 0
            newly = np.asarray(members[uncovered].sum(axis=0)).ravel()
            return np.sqrt(newly * documents[h]) / sizes[h] * precision[h] ** 2

        needed = 2 if sizes[h] >= 4 else 1
        scores = documents[h] / sizes[h] * precision[h] ** 2
        chosen.append(_pick(scores, documents[h], table, needed, max_words, rescore=missed))
    return _labels(chosen, table)
