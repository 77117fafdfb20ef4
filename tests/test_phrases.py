"""Key phrases and the labels made of them (topics.phrases), on real text."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import topics
from topics import defaults
from topics.acronyms import acronym_definitions
from topics.phrase_labels import theme_labels, topic_labels
from topics.phrase_text import runs, stop_lists, word_key
from topics.phrases import PhraseTable

GENERIC = {"model", "models", "data", "learning", "method", "methods", "neural", "research", "approach"}


@pytest.fixture(scope="module")
def sample_model():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return topics.TopicModel(progress=False).fit(topics.datasets.load_sample_papers())


def _phrase(table: PhraseTable, text: str) -> int:
    target = "".join(word_key(w) for w in text.split())
    found = [i for i, key in enumerate(table.keys) if "".join(key) == target]
    assert found, f"{text!r} is not a candidate phrase"
    return found[0]


def _repeated_words(label: str) -> set[str]:
    """Words a label says twice, but for a last noun that two phrases of several words share ("skill
    learning · imitation learning")."""
    phrases = [p.lower().split() for p in label.split(" · ")]
    lasts = [p[-1] for p in phrases if len(p) > 1]
    shared_last = {w for w in lasts if lasts.count(w) > 1}
    words = [w for p in phrases for w in (p[:-1] if len(p) > 1 and p[-1] in shared_last else p)]
    words += sorted(shared_last)
    return {w for w in words if words.count(w) > 1}


def test_runs_stop_at_punctuation_numbers_letters_and_possessives():
    assert runs("The country's economy grew 3% in 2004; Chelsea v Arsenal - a draw.") == [
        ["The", "country"], ["economy", "grew"], ["in"], ["Chelsea"], ["Arsenal"], ["draw"]]
    assert runs("3D point-cloud segmentation (PCS)") == [["3D", "point-cloud", "segmentation"], ["PCS"]]


def test_a_stretch_without_spaces_is_no_text():
    """20 Newsgroups' largest topic was labelled "AX · G9V · 3Q" from a uuencoded image in six posts."""
    uuencoded = ("M5%145%145%145%145%145%22DI*2DI*2DE145%145%145%145%145%145%14 "
                 "MAX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>' "
                 "MR8F)B8F)B8E,3Q,3`]G9V=GQ<4T-#2+[>U3L")
    assert runs(f"The hockey team won {uuencoded} at home, see https://www.example.com/scores/2024/final.html"
                 ) == [["The", "hockey", "team", "won"], ["at", "home"], ["see"]]


@pytest.fixture(scope="module")
def newsgroup_posts():
    from helpers import read_shared

    return read_shared("20newsgroups.csv.gz")


def test_addresses_and_attribution_lines_are_no_text(newsgroup_posts):
    """20 Newsgroups posts open "In article <...@cs.umd.edu>, mangoe@cs.umd.edu (Charley Wingate) writes":
    a topic was labelled "umd · mangoe · Charley · Eng" from the addresses and names, another "Cramer ·
    Clayton · homosexual men · gay" from the posters' names."""
    post = newsgroup_posts["text"].iloc[0]
    assert "healta@saturn.wwc.edu" in post
    words = {w.lower() for run in runs(post) for w in run}
    assert {"god", "covenant", "atonement"} <= words
    assert not words & {"healta", "saturn", "wwc", "edu"}
    assert not words & {"tammy", "healy"}  # "(Tammy R Healy) writes:": who wrote it is no topic
    text = "Mail jpl@nasa.gov or see http://nasa.gov/mars, www.esa.int and <1r98@lynx.unm.edu> too"
    assert runs(text) == [
        ["Mail"], ["or", "see"], ["and"], ["too"]]
    assert runs("|> Jon Livesey wrote: the Clipper Chip (Tim Clock) writes: no") == [
        ["the", "Clipper", "Chip"], ["no"]]
    # the name beside an address is its owner's: a signature, or an attribution with quote marks inside
    assert runs("hopes up. / Bob Beauchaine bobbe@vice.ICO.TEK.COM They said") == [
        ["hopes", "up"], ["They", "said"]]
    assert runs("bobbe@vice.ICO.TEK.COM (Robert >Beauchaine) writes: Bennett") == [["Bennett"]]
    assert runs("Robert Beauchaine (bobbe@vice.ICO.TEK.COM) wrote: yes") == [["yes"]]
    assert runs("Write to the Press Office at press@bbc.co.uk today") == [
        ["Write", "to", "the", "Press", "Office", "at"], ["today"]]  # lower case "at" is no name
    beauchaine = newsgroup_posts[newsgroup_posts["text"].str.contains("Beauchaine")]
    named = sum("beauchaine" in (w.lower() for w in run) for t in beauchaine["text"] for run in runs(t))
    assert len(beauchaine) >= 5 and named <= len(beauchaine) // 2, (named, len(beauchaine))


def test_a_word_in_lower_case_elsewhere_is_no_acronym(newsgroup_posts):
    """A 20 Newsgroups post wrote "(Home)" after "homosexual relationship and culture": every "Home" of the
    corpus was counted as that. A short form with one capital that the corpus also writes in lower case
    ("home") is a word; "Nato" and "Wada" (BBC News) are never written "nato", "wada"."""
    from helpers import read_shared

    posts = newsgroup_posts[newsgroup_posts["text"].str.contains(r"\((?:Home|Lab|NSA)\)|\bhome\b")]
    table = PhraseTable.fit(posts["text"].tolist(), posts["title"].tolist())
    assert "Home" not in table.acronyms and "Lab" not in table.acronyms
    assert table.acronyms["NSA"] == ("national", "security", "agency")
    bbc = read_shared("bbc-news.csv.gz")
    stories = bbc[bbc["text"].str.contains("nato|wada", case=False)]
    assert stories["text"].str.contains(r"\((?:Nato|Wada)\)").sum() >= 2
    found = PhraseTable.fit(stories["text"].tolist(), stories["title"].tolist()).acronyms
    assert {"Nato", "Wada"} <= set(found)


def test_an_acronym_names_a_phrase_when_papers_seldom_write_it_out():
    texts = ["Training on graphics processing units (GPUs) is fast.",
             "We schedule GPU kernels and GPU memory.", "GPU clusters serve models.",
             "Each GPU runs one shard.",
             "Large language models (LLMs) reason. LLMs plan.", "Large language models (LLMs) write code.",
             "We prompt large language models (LLMs) and LLMs answer."]
    table = PhraseTable.fit(texts, min_documents=1)
    assert table.spelling(_phrase(table, "graphics processing units")) == "GPU"  # written out once in four
    assert table.spelling(_phrase(table, "large language models")) == "large language models"


def test_topic_labels_use_the_six_words(sample_model):
    """Four short phrases rather than three when the words allow: each label of the sample's topics has
    five or six words, in up to four phrases that share no word but a last noun ("skill learning ·
    imitation learning")."""
    for label in sample_model.topic_labels_:
        words = [w.lower() for w in label.replace(" · ", " ").split()]
        assert 5 <= len(words) <= defaults.MAX_LABEL_WORDS, label
        assert not _repeated_words(label), label
    assert any(len(label.split(" · ")) == 4 for label in sample_model.topic_labels_)


def test_acronyms_defined_in_the_text_are_found_by_their_letters():
    not_first = stop_lists()[0]
    found = acronym_definitions(
        "We study large language models (LLMs) and person re-identification (Re-ID), with magnetic resonance "
        "imaging (MRI). The results (see Table 2) hold.", not_first)
    assert found == {"LLM": ("large", "language", "models"), "Re-ID": ("re-identification",),
                     "MRI": ("magnetic", "resonance", "imaging")}
    # a word per letter rather than fewer; a long form that loses the acronym's first letter or ends on
    # a stop word is none (arXiv: "no fast algorithm for (Nash) equilibrium")
    found = acronym_definitions(
        "We train with Proximal Policy Optimization (PPO), yet there is no fast algorithm for (Nash) "
        "equilibrium.", not_first)
    assert found == {"PPO": ("Proximal", "Policy", "Optimization")}


def test_variants_and_acronyms_count_as_one_phrase():
    texts = [
        "Large language models (LLMs) can reason. We test LLMs on math.",
        "An LLM answers questions; large language models are evaluated on benchmarks.",
        "Self-supervised learning of image features, with self supervised learning baselines.",
        "Selfsupervised learning needs no labels; pre-training and pretraining help.",
        "Person re-identification (Re-ID) matches people across cameras with Re-ID features.",
        "Re-identification of people across cameras: re-ID in the wild.",
    ]
    table = PhraseTable.fit(texts, min_documents=1)
    llm = _phrase(table, "large language model")
    assert table.counts[:2, llm].toarray().ravel().tolist() == [2, 2]  # the long form and the acronym
    ssl = _phrase(table, "self-supervised learning")
    assert table.counts[2:4, ssl].toarray().ravel().tolist() == [2, 1]  # hyphen, space, run together
    assert table.spelling(ssl) == "self-supervised learning"
    reid = _phrase(table, "re-identification")
    assert table.counts[4:, reid].toarray().ravel().tolist() == [2, 1]  # "Re-ID" in both: defined once
    # no stop word at either end; stop words inside are allowed ("mixture of experts")
    assert not any(key[0] in {"the", "of", "and", "we"} or key[-1] in {"the", "of", "and", "on"}
                   for key in table.keys)


def test_a_title_counts_twice():
    texts = ["Graph neural networks. We study message passing on graphs.", "Again: message passing here."]
    table = PhraseTable.fit(texts, titles=["Graph neural networks", "Message passing"], min_documents=1)
    assert table.counts[0, _phrase(table, "graph neural networks")] == 2
    assert table.counts[1, _phrase(table, "message passing")] == 1  # not at the start of its text


def test_a_title_other_documents_share_counts_once():
    """A newsgroup thread's replies repeat its subject: counted twice, the subject of a long thread would
    outweigh what its posts say (20 Newsgroups: 3,167 of 6,000 posts share a subject)."""
    texts = ["Clipper chip. The escrow keys worry me.", "Re: Clipper chip. Escrow is a bad idea.",
             "Re: Re: clipper chip. I agree.", "Point clouds. We segment point clouds."]
    titles = ["Clipper chip", "Re: Clipper chip", "Re: Re: clipper chip", "Point clouds"]
    table = PhraseTable.fit(texts, titles=titles, min_documents=1)
    assert table.counts[:, _phrase(table, "clipper chip")].toarray().ravel().tolist() == [1, 1, 1, 0]
    assert table.counts[3, _phrase(table, "point clouds")] == 3


def test_sample_labels_are_phrases_of_at_most_six_words(sample_model):
    model = sample_model
    most = [defaults.TOPIC_LABEL_PHRASES] * model.n_topics_ + [defaults.LABEL_PHRASES] * model.n_themes_
    for label, n_phrases in zip([*model.topic_labels_, *model.theme_labels_], most, strict=True):
        parts = label.split(" · ")
        assert 1 <= len(parts) <= n_phrases
        assert sum(len(p.split()) for p in parts) <= defaults.MAX_LABEL_WORDS, label
        assert parts[0].lower() not in GENERIC, label
        assert not _repeated_words(label), f"a word repeated in {label!r}"
    assert len(set(model.topic_labels_)) == model.n_topics_
    # a phrase carried by its longer form is shown long ("large language models", not "language")
    joined = " | ".join(model.topic_labels_).lower()
    assert "large language models" in joined
    robotics = ("imitation learning", "robot", "demonstrations", "skill", "manipulation")
    assert any(w in joined for w in robotics)


def test_two_kinds_of_one_thing_share_their_last_noun(sample_model):
    """The sample's theme of pre-training, domains and language models read "large language models ·
    student · action recognition": the phrase most of its papers hold, "pre-trained models", was barred
    for sharing "models" with "large language models". Two phrases of several words may share their last
    noun; any other shared word (or stem, "programs" and "programming") still bars a phrase."""
    from topics.phrase_labels import _overlaps

    assert not _overlaps(("pretrained", "model"), [("large", "language", "model")])
    assert _overlaps(("language", "model"), [("large", "language", "model")])
    assert _overlaps(("model",), [("large", "language", "model")])
    assert _overlaps(("logic", "program"), [("answer", "set", "programming")])
    # the last word aside, the two share nothing; and no third phrase shares it, nor another holds it
    assert _overlaps(("visual", "language", "model"), [("large", "language", "model")])
    assert _overlaps(("diffusion", "model"), [("large", "language", "model"), ("pretrained", "model")])
    assert _overlaps(("diffusion", "model"), [("large", "language", "model"), ("model", "merging")])
    llm = next(h for h, label in enumerate(sample_model.theme_labels_) if "large language models" in label)
    assert "pre-trained models" in sample_model.theme_labels_[llm], sample_model.theme_labels_


def test_a_word_all_over_the_corpus_never_heads_a_label(sample_model):
    """The sample's pre-training topic read "domain · pre-trained models · ...": a lone word that more than
    a fifth of all papers hold may stay in a label, after the phrases that say more."""
    table = sample_model._phrases()

    def plain(label: str) -> list[bool]:
        return [bool(table.common[_phrase(table, p)]) and " " not in p for p in label.split(" · ")]

    for label in [*sample_model.topic_labels_, *sample_model.theme_labels_]:
        assert plain(label) == sorted(plain(label)), label
    assert any(any(plain(label)) for label in sample_model.topic_labels_)


def test_every_label_phrase_occurs_in_its_class_papers(sample_model):
    model = sample_model
    texts = model.corpus_["text"].str.lower().str.replace("-", " ").tolist()
    for level, labels, classes in (("topic", model.topic_labels_, model.document_topics_),
                                   ("theme", model.theme_labels_, model.document_themes_)):
        for c, label in enumerate(labels):
            members = [texts[i] for i in np.flatnonzero(classes == c)]
            for phrase in label.split(" · "):
                first = phrase.lower().replace("-", " ").split()[0]
                assert any(first[:4] in t for t in members), (level, label, phrase)


def test_theme_labels_say_what_sets_a_theme_apart():
    """Two themes of real abstracts sharing the field's words ("model", "learning"): each label names its
    own subject, never the shared words."""
    corpus = topics.read_corpus(topics.datasets.sample_papers_path()) if hasattr(
        topics.datasets, "sample_papers_path") else topics.datasets.load_sample_papers()
    texts = corpus["text"].tolist()
    medical = np.array(["medical" in t.lower() or "clinical" in t.lower() for t in texts])
    table = PhraseTable.fit(texts, corpus["title"].tolist())
    rows = np.arange(len(texts))
    labels = theme_labels(table, rows, medical.astype(int), 2)
    assert "medical" in labels[1].lower() or "clinical" in labels[1].lower(), labels
    for label in labels:
        assert label.split(" · ")[0].lower() not in GENERIC, labels
    topic_level = topic_labels(table, rows, medical.astype(int), 2)
    assert all(sum(len(p.split()) for p in label.split(" · ")) <= 6 for label in topic_level)


@pytest.fixture(scope="module")
def bbc_table():
    from helpers import read_shared

    bbc = read_shared("bbc-news.csv.gz")
    return bbc, PhraseTable.fit(bbc["text"].tolist(), bbc["title"].tolist())


def test_a_sentence_reused_by_several_articles_is_a_quotation_not_a_term(bbc_table):
    """BBC News prints "... incorporated into the UK singles chart later this year" in two stories: the
    four words are that sentence, not a term; "UK singles chart" and "interest rates" are terms."""
    _, table = bbc_table
    assert table.quoted(_phrase(table, "UK singles chart later"))
    assert not table.quoted(_phrase(table, "UK singles chart"))
    assert not table.quoted(_phrase(table, "interest rates"))
    assert not table.quoted(_phrase(table, "music"))  # one word is never a quotation


def test_a_name_grows_only_into_a_longer_name(bbc_table):
    """"Chelsea boss Jose Mourinho": the label says "Jose Mourinho", not "boss Jose Mourinho"."""
    bbc, table = bbc_table
    assert table.is_name(_phrase(table, "Jose Mourinho"))
    assert not table.is_name(_phrase(table, "boss Jose Mourinho"))
    sport = np.flatnonzero((bbc["label"] == "sport").to_numpy())
    about = np.array(["Mourinho" in bbc["text"].iloc[r] for r in sport], dtype=int)
    label = topic_labels(table, sport, about, 2)[1]
    assert "Jose Mourinho" in label.split(" · "), label
    assert "boss" not in label.lower(), label



def test_the_tail_of_a_longer_name_is_no_label(sample_model):
    """The sample's papers write "self-supervised learning" and "Self Supervised Learning": "supervised
    learning" is nearly always the end of that name, so no label says it (it would say the opposite)."""
    table = sample_model._phrases()
    assert table.tail(_phrase(table, "supervised learning"))
    assert not table.tail(_phrase(table, "self-supervised learning"))
    assert not table.tail(_phrase(table, "medical images"))
    for label in [*sample_model.topic_labels_, *sample_model.theme_labels_]:
        assert "supervised learning" not in label.lower().replace("self-supervised learning", ""), label


def test_a_name_joined_by_a_stop_word_has_a_tail_and_a_country_does_not(bbc_table):
    """BBC News writes "Securities and Exchange Commission": "Exchange Commission" is its tail. "England" is
    "Bank of England" in the business stories that come first in the file, and a team everywhere else: the
    uses are read across the corpus, not from its first stories."""
    _, table = bbc_table
    assert table.tail(_phrase(table, "Exchange Commission"))
    assert not table.tail(_phrase(table, "England"))
    assert not table.tail(_phrase(table, "interest rates"))


def test_new_begins_a_name(bbc_table):
    """"New" is a scholarly stop word ("a new method"), but capitalised it begins a name: the rugby topic
    said "Zealand"."""
    _, table = bbc_table
    assert table.spelling(_phrase(table, "New Zealand")) == "New Zealand"
    assert table.tail(_phrase(table, "Zealand"))


@pytest.fixture(scope="module")
def newsgroup_table(newsgroup_posts):
    posts = newsgroup_posts
    names = ("Henry Spencer", "Tim Clock", "O'Dwyer", "Clipper Chip", "Clipper chip")
    chosen = posts[posts["text"].str.contains("|".join(names), regex=True)]
    return PhraseTable.fit(chosen["text"].tolist(), chosen["title"].tolist())


def test_signatures_and_attribution_lines_are_quotations(newsgroup_table):
    """20 Newsgroups labelled a topic "Henry Spencer · hubble space telescope servicing": a poster's name is
    in the line that opens each reply ("henry@zoo.toronto.edu (Henry Spencer) writes:") and in a signature
    ("Henry Spencer @ U of Toronto Zoology"): nearly every use has the same words on one side or the other."""
    table = newsgroup_table
    assert table.quoted(_phrase(table, "Henry Spencer"))
    assert not table.quoted(_phrase(table, "Clipper Chip"))


def test_uses_are_found_where_a_key_lost_its_apostrophe_or_hyphen(newsgroup_table, sample_model):
    table = newsgroup_table
    assert len(table.uses(_phrase(table, "Frank O'Dwyer"))) >= 5  # the key is ("frank", "odwyer")
    sample = sample_model._phrases()
    assert len(sample.uses(_phrase(sample, "self-supervised learning"))) >= 5  # ("selfsupervised", ...)


def test_uses_are_not_read_inside_addresses_or_attribution_lines(newsgroup_posts):
    """The counts never see "irvine" in irvine@uxh.cso.uiuc.edu or "(Brent Irvine) writes:"; the uses a
    phrase is judged by (quotation, tail) skip them too."""
    about = newsgroup_posts["text"].str.contains("Irvine|IRVINE")
    posts = newsgroup_posts[about | (np.arange(len(about)) < 300)]  # and others, or "irvine" is everywhere
    table = PhraseTable.fit(posts["text"].tolist(), posts["title"].tolist())
    uses = table.uses(_phrase(table, "Irvine"))
    assert len(uses) >= 5
    assert not any(after[:1] and after[0].startswith("@") for _, after in uses), uses  # irvine@uxh...
    assert not any(after[:2] == [")", "writes:"] for _, after in uses), uses


def test_a_label_says_a_hyphenated_word_once():
    """An AI-conference topic read "question answering · machine reading comprehension · answering
    datasets": "question-answering" is one word to the counts, two to a reader."""
    from helpers import read_shared

    from topics.phrase_labels import _parts

    papers = read_shared("ai-conference-papers.csv.gz")
    about = papers[papers["text"].str.contains("question-answering|answering dataset", case=False)]
    table = PhraseTable.fit(about["text"].tolist(), about["title"].tolist())
    hyphenated, tail = _phrase(table, "question-answering"), _phrase(table, "answering datasets")
    assert _parts(table, hyphenated) & _parts(table, tail)
    labels = topic_labels(table, np.arange(len(about)), np.zeros(len(about), dtype=int), 1)
    words = [w for phrase in labels[0].lower().replace("-", " ").split(" · ") for w in phrase.split()]
    assert len(words) == len(set(words)), labels


def test_a_phrase_grows_past_a_modifier_into_a_label(sample_model):
    """The sample's papers write "large-scale ..." and "pre-trained ..." before other words nearly every
    time: such a modifier is no label, so a phrase never grows into one ("large" became "large-scale" and
    was dropped, where its papers say "large language models"), and a modifier itself grows into the
    longer phrase more readily ("pre-trained" -> "pre-trained models")."""
    from topics.phrase_labels import _upgrade

    table = sample_model._phrases()
    held = np.asarray((table.counts > 0).sum(axis=0)).ravel()
    large, pre_trained = _phrase(table, "large"), _phrase(table, "pre-trained")
    assert table.modifiers[_phrase(table, "large-scale")] and table.modifiers[pre_trained]
    grown = _upgrade(large, held, table, 2, lambda p: True)
    assert table.spelling(grown) == "large language models", table.spelling(grown)
    assert table.spelling(_upgrade(pre_trained, held, table, 2, lambda p: True)).startswith("pre-trained ")
    for label in [*sample_model.topic_labels_, *sample_model.theme_labels_]:
        assert not any(table.modifiers[_phrase(table, p)] for p in label.split(" · ")), label


def test_an_acronym_counts_for_its_long_form_and_its_beginnings_not_its_ends():
    """arXiv abstracts on GPUs, TPUs and NPUs: "GPUs" is a mention of "graphics processing units" (and of
    "graphics processing"), not of "processing units", which then held every paper of every kind of
    processor and named two topics "Processing Units"."""
    from helpers import read_shared

    papers = read_shared("arxiv-cs-2025.csv.gz")
    mentions = papers["text"].str.contains(r"\bGPUs?\b|processing units?\b", case=False)
    about = pd.concat([papers[mentions].head(300), papers[~mentions].head(600)])
    texts = about["text"].tolist()
    table = PhraseTable.fit(texts, about["title"].tolist())
    held = np.asarray((table.counts > 0).sum(axis=0)).ravel()
    written_out = sum("processing unit" in t.lower() for t in texts)
    gpu = _phrase(table, "graphics processing units")
    assert table.spelling(gpu) in ("GPU", "GPUs")
    assert held[gpu] > 3 * written_out  # the acronym's papers count for its long form
    assert held[_phrase(table, "graphics processing")] >= held[gpu]
    assert held[_phrase(table, "processing units")] <= written_out


def test_a_shared_last_word_is_read_as_written():
    """arXiv abstracts: "parameter-efficient fine-tuning" beside "supervised fine-tuning", "search queries"
    beside "user queries" share only their last word, hyphenated or in "-ies", as "pre-trained models" and
    "large language models" do; a third phrase ending in it is a repeat."""
    from helpers import read_shared

    from topics.phrase_labels import _shared_parts

    papers = read_shared("arxiv-cs-2025.csv.gz")
    about = papers["text"].str.contains("fine-tuning|queries", case=False)
    sample = pd.concat([papers[about].head(300), papers[~about].head(300)])
    table = PhraseTable.fit(sample["text"].tolist(), sample["title"].tolist())
    pairs = (("supervised fine-tuning", "parameter-efficient fine-tuning"),
             ("user queries", "search queries"), ("large language models", "pre-trained models"))
    for first, second in pairs:
        assert not _shared_parts(table, _phrase(table, second), [_phrase(table, first)]), (first, second)
    third = [_phrase(table, "supervised fine-tuning"), _phrase(table, "parameter-efficient fine-tuning")]
    assert _shared_parts(table, _phrase(table, "two-stage fine-tuning"), third)
