"""The one place for default settings, and for how they scale with the size of the corpus."""

from __future__ import annotations

import math
import os
from pathlib import Path

RANDOM_STATE = 42
UMAP_EPOCHS = 200  # UMAP's own default is 500 below 10,000 documents: 2.5 times the work for the same map
EMBEDDING_MODEL = "all-MiniLM-L6-v2"
EMBEDDING_BATCH_SIZE = 64

# Below this many documents UMAP and HDBSCAN have too little to work with: documents are grouped by
# agglomerative clustering on the features instead, and the result says so.
MIN_DOCUMENTS_FOR_UMAP = 30
# Up to this many documents, nearest neighbours are searched exactly (no numba compilation to pay).
MAX_DOCUMENTS_EXACT_NEIGHBOURS = 25_000

# What one record contributes to features, label phrases and embeddings: its first this many characters
# (about 15,000 words, a long full paper), so that memory and time follow the corpus, not its longest entry
# (one 5.8 MB abstract took 100 s and 550 MB to fit with the sample; docs/benchmarks.md "Long records").
# The record itself is kept whole (model.corpus_, the saved model); fit's notes count the records cut.
MAX_RECORD_CHARACTERS = 100_000

N_KEYWORDS = 10
N_LABEL_WORDS = 3
MAX_LABEL_WORDS = 6  # a topic's or theme's label: up to LABEL_PHRASES phrases, this many words in all
# (issue 20's judge, paper->label accuracy with MiniLM: two phrases at most scored 0.526-0.586 on BBC,
# AI-conference and the sample's topics, three 0.581-0.776; docs/benchmarks.md "Labels")
LABEL_PHRASES = 3
# a topic's label takes a 4th phrase while words remain under MAX_LABEL_WORDS (issue 20's judges on the five
# corpora of docs/benchmarks.md "Labels": MiniLM up on four, 0.655 -> 0.741 on the sample's topics, 0.571 ->
# 0.556 on AI-conference papers; the TF-IDF judge up on all five)
TOPIC_LABEL_PHRASES = 4
# an acronym names a phrase ("GPU", "MIDI") when fewer than this share of the papers using it ever write
# the long form: papers that mostly define it ("large language models (LLMs)") keep the long form
WRITTEN_OUT_SHARE = 0.5
PHRASE_CARRY_SHARE = 0.4
# after a label's first phrase, no lone word that more than this share of all papers hold ("datasets")
COMMON_PHRASE_SHARE = 0.2
# a phrase is no label when this share of its mentions go on with more words ("large-scale", "graph neural")
MODIFIER_SHARE = 0.8  # a longer phrase replaces its part when this share of the part's documents hold it
MAX_CLASSES_PER_KEYWORD = 2  # a keyword may describe this many topics (or themes) at most
# A topic's label phrases (issue 20's judges, docs/benchmarks.md "Labels"): a phrase scores its class-based
# TF-IDF times (share of the phrase's papers that are in the topic) ** TOPIC_PHRASE_PRECISION_POWER, so a
# phrase all over the corpus ("large language models") gives way to what sets the topic apart; it must be
# held by TOPIC_PHRASE_MIN_SHARE of the topic's papers (a detail of three papers names no topic of 80) and
# may name at most MAX_TOPICS_PER_PHRASE topics. MiniLM judge against the previous rules, topics: arXiv
# 0.511 -> 0.548, 20 Newsgroups 0.505 -> 0.515, AI 0.556 -> 0.574, BBC 0.604 -> 0.608, sample 0.741 -> 0.759.
TOPIC_PHRASE_PRECISION_POWER = 0.5
TOPIC_PHRASE_MIN_SHARE = 0.1
MAX_TOPICS_PER_PHRASE = 3
# a phrase of several words is a quotation, not a term, when this share of its uses have the same text on
# both sides (a signature repeated in every post, a sentence reused by several articles)
QUOTED_PHRASE_SHARE = 0.6
# a phrase is the tail of a longer name, no label, when this share of its uses follow the same word or a
# hyphen ("supervised learning" where papers write "self-supervised learning" and "Self Supervised Learning")
TAIL_SHARE = 0.6
N_REPRESENTATIVE_DOCUMENTS = 3
OUTLIER_CONFIDENCE = 0.2  # documents assigned with less confidence than this are marked as outliers

# Words that say nothing about what a paper is about, on top of scikit-learn's English stop words.
SCHOLARLY_STOP_WORDS = frozenset(
    [
        "paper", "papers", "propose", "proposed", "proposes", "proposing", "method", "methods",
        "approach", "approaches", "result", "results", "novel", "new", "show", "shows", "shown",
        "showing", "demonstrate", "demonstrates", "demonstrated", "present", "presents", "presented",
        "introduce", "introduces", "introduced", "study", "studies", "studied", "work", "works",
        "based", "using", "use", "used", "uses", "experiment", "experiments", "experimental",
        "extensive", "extensively", "outperform", "outperforms", "outperforming", "state", "art",
        "sota", "existing", "previous", "prior", "recent", "recently", "significant", "significantly",
        "effective", "effectiveness", "efficient", "superior", "performance", "achieve", "achieves",
        "achieved", "achieving", "task", "tasks", "problem", "problems", "framework", "frameworks",
        "technique", "techniques", "paradigm", "scheme", "approach", "various", "furthermore",
        "moreover", "however", "addition", "additionally", "specifically", "particular", "particularly",
        "finally", "respectively", "including", "include", "includes", "wide", "widely", "different",
        "large", "small", "high", "low", "better", "best", "good", "available", "code", "publicly",
        "github", "https", "http", "www", "com", "org", "html", "pdf", "et", "al", "eg", "ie", "etc",
        "vs", "via", "abstract", "introduction", "conclusion", "conclusions", "section", "sections",
        "table", "figure", "fig", "appendix", "arxiv", "preprint", "version", "article", "articles",
        "author", "authors", "thus", "hence", "also", "well", "able", "make", "makes", "making", "made",
        "way", "ways", "one", "two", "three", "first", "second", "third", "many", "much", "several",
        "number", "numbers", "given", "provide", "provides", "provided", "providing", "allow", "allows",
        "allowing", "enable", "enables", "enabling", "lead", "leads", "leading", "improve", "improves",
        "improved", "improving", "improvement", "improvements", "key", "main", "important",
        "importance", "potential", "propose", "able", "however", "whereas", "while", "yet", "still",
        "often", "typically", "said", "says", "mr", "mrs", "ms", "just", "like", "get", "got",
    ]
)
# What is left of "don't", "we'll", "I've" once the tokenizer splits at the apostrophe: on informal text
# (20 Newsgroups) they became keywords and even theme labels ("people · don · government").
FRAGMENT_STOP_WORDS = frozenset(
    ["don", "doesn", "didn", "isn", "aren", "wasn", "weren", "hasn", "haven", "hadn", "couldn", "wouldn",
     "shouldn", "ll", "ve"]
)
# Words of quantity and the verbs and adjectives of any abstract, which name nothing ("a variety of", "we
# hope to facilitate", "a simple"): never a label phrase's first or last word, though the features keep them
# (the sample's self-supervised theme read "supervision · target domains · variety", then "... · hope")
LABEL_STOP_WORDS = frozenset(
    ["variety", "varieties", "range", "ranges", "level", "levels", "kind", "kinds", "amount", "amounts",
     "lot", "lots", "plethora", "aspect", "aspects", "degree", "degrees", "extent", "wealth",
     "hope", "hopes", "facilitate", "facilitates", "rely", "relies", "relying", "develop", "develops",
     "developed", "developing", "aim", "aims", "seek", "seeks", "explore", "explores", "explored",
     "investigate", "investigates", "investigated", "address", "addresses", "addressed", "tackle",
     "leverage", "leverages", "leveraging", "utilize", "utilizes", "employ", "employs", "remain", "remains",
     "simple", "certain", "crucial", "essential", "challenging", "promising", "comprehensive", "robust",
     "methodology", "methodologies", "insights", "benchmark", "benchmarks"]
)


def cache_root() -> Path:
    """Where topics keeps caches (embeddings, built encoders, compiled UMAP code):
    $TOPICS_CACHE_DIR, else $XDG_CACHE_HOME/topics, else ~/.cache/topics."""
    configured = os.environ.get("TOPICS_CACHE_DIR")
    if configured:
        return Path(configured)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "topics"


def lsa_components(n_documents: int, n_terms: int) -> int:
    """Dimensions of the LSA space: enough for the corpus, capped for speed."""
    return max(1, min(100, n_documents - 1, n_terms - 1))


# Context vectors (topics.features.ContextVectors): words this far apart or closer are each other's context,
# and context counts are raised to this power before PMI (word2vec's smoothing).
CONTEXT_WINDOW = 5
CONTEXT_SMOOTHING = 0.75
# Below this many documents word pairs are too few for context vectors: the TF-IDF features are LSA alone.
MIN_DOCUMENTS_FOR_CONTEXT = 1000
# Context vectors for at most this many words, the most frequent (BBC News has 16,727, AI-conference
# papers 13,311; 20 Newsgroups 49,092 and arXiv CS 31,595 are cut to these).
MAX_CONTEXT_WORDS = 20_000


def context_dimensions(n_words: int) -> int:
    """Dimensions of the words' context vectors: as many as the LSA's, fewer for a tiny vocabulary."""
    return max(0, min(100, n_words - 1))


def umap_neighbors(n_documents: int) -> int:
    """UMAP's neighbourhood: about 15 for a few thousand documents, smaller for a few dozen."""
    return int(min(n_documents - 1, max(5, round(2 * math.log2(max(n_documents, 2))))))


def umap_components(n_documents: int) -> int:
    return int(min(5, max(2, n_documents - 2)))


def min_cluster_size(n_documents: int) -> int:
    """Smallest topic HDBSCAN keeps: about sqrt(n)/2.5, at least 3."""
    return int(max(3, round(math.sqrt(n_documents) / 2.5)))


# min_cluster_size="auto" tries these multiples of the rule of thumb above on the same UMAP output and keeps
# the one with the best objective: relative DBCV x share of documents in a topic (see clustering.py). The rule
# of thumb is the smallest topic worth showing: below it topics fragment (BBC News, 2 seeds: theme NMI
# 0.76-0.82 at 0.5-0.85 times the rule, 0.82-0.86 at 1-2.4 times) and DBCV rewards the fragments.
MIN_CLUSTER_SIZE_SWEEP = (1.0, 1.2, 1.4, 1.7, 2.0, 2.4)
# Below this many documents DBCV compares topics of a handful of documents and its differences are noise
# (58 sample papers: 0.12 against 0.15 for 8 or 5 topics): the sweep is shown, the rule of thumb is kept.
MIN_DOCUMENTS_FOR_SWEEP_CHOICE = 1000

# n_themes="auto": a jump of the topic tree's merge heights by at least this factor marks a natural level
# (BBC News: x1.12 to x1.41 at its 5 sections over seeds, topic sizes and features); the finest level where
# the trees of at least half of the topic sizes tried jump clearly is taken, else the final tree's clear
# jump, else the tree has no natural level and is cut into `fallback_n_themes` themes
# (themes.choose_n_themes).
# AI-conference papers with MiniLM show two levels, 3 fields and 7 areas: with the most-voted level instead
# of the finest, 2 of 6 seeds got 3 themes (theme NMI 0.28-0.29 against 0.37-0.39 at 7).
THEME_GAP_RATIO = 1.12
# When no level holds for half of the topic sizes, the final tree's own clear jump is taken only if at least
# this many of the sweep's trees jump clearly there too. All 22,628 arXiv CS abstracts: the final tree alone
# jumped (x1.15) at 4 themes, theme NMI 0.371, against 0.511 at the 10 of the fallback; BBC seeds whose 5
# sections come from this branch have 2 of 6 trees showing them (seeds 2 and 5).
THEME_LEVEL_MIN_TREES = 2
# Ward merging of topics into themes weighs a topic by size ** this. 1 (exact Ward of the documents) keeps a
# large general topic apart while small ones pile up; 0 ignores size. Over the same seeds (42 / 1 / 7 / 43),
# theme NMI with 1 -> 0.5 -> 0.33: BBC TF-IDF 0.825/0.834/0.799/0.820 -> 0.843/0.834/0.843/0.820 ->
# 0.843/0.834/0.800/0.741; AI-conference TF-IDF 0.321/0.285/0.266 -> 0.329/0.321/0.313 -> 0.331/0.340/0.339;
# AI-conference MiniLM 0.350/0.350/0.345 -> 0.365/0.360/0.373.
THEME_SIZE_WEIGHT = 0.5


# Guided fitting: UMAP's target_weight for the documents seeded by named themes (0 ignores them, 1 follows
# them above all; topics.guided).
GUIDE_STRENGTH = 0.5


def fewest_themes(n_topics: int) -> int:
    """The fewest themes "auto" picks for `n_topics` topics: sqrt(topics) / 2, at least 3. More topics per
    theme than about 2 sqrt(topics) make a middle level that no longer helps to find one's way: arXiv CS
    2025 (80 topics, 29 subcategories) jumped clearly only at 3 themes (theme NMI 0.275 / 0.291 over two
    seeds), while 13 themes score 0.470 / 0.490; BBC News, AI-conference papers and 20 Newsgroups never
    reach this floor."""
    return max(3, math.ceil(math.sqrt(n_topics) / 2))


def fallback_n_themes(n_topics: int) -> int:
    """Themes for a topic tree with no clear gap: about sqrt(2 x topics), e.g. 12 for 70 topics."""
    return int(math.ceil(math.sqrt(2 * n_topics)))


def min_samples(cluster_size: int) -> int:
    """HDBSCAN's density smoothing: a quarter of the smallest topic, so fewer documents end up as noise."""
    return int(max(1, round(cluster_size / 4)))


def cluster_selection_method(n_documents: int) -> str:
    """HDBSCAN's 'leaf' clusters on large corpora: 'eom' there merges whole sections into one blob (BBC
    News with MiniLM: 15 topics that mix two sections, theme NMI 0.72; with 'leaf': 34 topics, 0.84).
    Small corpora already get fine topics from 'eom' with a small minimum size."""
    return "leaf" if n_documents >= 1000 else "eom"


def vocabulary_min_df(n_documents: int) -> int:
    """A word must occur in this many documents to be a feature or a keyword."""
    return 1 if n_documents < 10 else 2


def vocabulary_max_df(n_documents: int) -> float:
    """Words in more than this share of the documents are too common to describe a topic."""
    return 1.0 if n_documents < 20 else 0.5
