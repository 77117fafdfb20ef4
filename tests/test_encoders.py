"""The fast encoders (ONNX, int8 ONNX, static, hybrid) with the real offline MiniLM on real abstracts: the
bundled sample papers and AI-conference papers from the shared corpora.

Their artifacts are built once per test session into a temporary $TOPICS_CACHE_DIR and shared. Building
them (ONNX export, int8 quantisation, the static distillation) and the MiniLM reference vectors take about
a minute of the module's two, so it runs with the floors (`pytest -m "floors or builds"`, in `.ci/run`),
out of the README's test command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from helpers import read_shared
from scipy.stats import spearmanr

import topics
from topics.embeddings import EmbeddingCache, embed
from topics.encoders import HYBRID_STATIC_WEIGHT, cache_name, get_encoder, load_encoder

pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")
pytest.importorskip("onnxruntime", reason="needs the 'fast' extra")

pytestmark = pytest.mark.builds

FAST = ["minilm-onnx", "minilm-onnx-int8", "minilm-static", "minilm-hybrid"]
# Spearman correlation of all pairwise similarities between sample papers, against sentence-transformers
AGREEMENT = {"minilm-onnx": 0.999, "minilm-onnx-int8": 0.97, "minilm-static": 0.45, "minilm-hybrid": 0.8}


@pytest.fixture(scope="session")
def sample():
    return topics.datasets.load_sample_papers()


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory):
    """$TOPICS_CACHE_DIR for the session, with every fast encoder's artifacts built once."""
    base = tmp_path_factory.mktemp("topics-cache")
    previous = os.environ.get("TOPICS_CACHE_DIR")
    os.environ["TOPICS_CACHE_DIR"] = str(base)
    for name in FAST:
        get_encoder(name)
    yield base / "encoders"
    if previous is None:
        os.environ.pop("TOPICS_CACHE_DIR", None)
    else:
        os.environ["TOPICS_CACHE_DIR"] = previous


@pytest.fixture(scope="session")
def abstracts():
    """150 AI-conference papers ("title. abstract") and 150 BBC News articles, fixed random samples."""
    papers = read_shared("ai-conference-papers.csv.gz").sample(150, random_state=0)
    news = read_shared("bbc-news.csv.gz").groupby("label").sample(30, random_state=0)
    return papers, news


@pytest.fixture(scope="session")
def reference_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("abstract-reference")


@pytest.fixture(scope="session")
def abstract_reference(abstracts, reference_cache):
    """sentence-transformers MiniLM vectors of the abstracts and articles."""
    return tuple(
        embed(table["text"].tolist(), cache_dir=reference_cache, progress=False) for table in abstracts
    )


@pytest.fixture(scope="session")
def minilm_lengths():
    """Word pieces per text, [CLS] and [SEP] included, by sentence-transformers' own MiniLM tokenizer
    (the reference the encoders' counts are checked against)."""
    tokenizer = load_encoder("all-MiniLM-L6-v2").tokenizer

    def lengths(texts):
        return np.array([len(ids) for ids in tokenizer(list(texts), truncation=False)["input_ids"]])

    return lengths


def _counted(caught) -> list[str]:
    return [str(w.message) for w in caught if "documents are longer than" in str(w.message)]


@pytest.fixture(scope="session")
def reference(sample, tmp_path_factory):
    return embed(sample["text"].tolist(), cache_dir=tmp_path_factory.mktemp("reference"), progress=False)


def _pairwise(vectors):
    upper = np.triu_indices(len(vectors), 1)
    return (vectors @ vectors.T)[upper]


@pytest.mark.parametrize("name", FAST)
def test_fast_encoder_agrees_with_minilm(name, artifacts, sample, reference, tmp_path):
    vectors = embed(sample["text"].tolist(), name, cache_dir=tmp_path, progress=False)
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert spearmanr(_pairwise(vectors), _pairwise(reference))[0] > AGREEMENT[name]
    # each paper's nearest neighbour by MiniLM is among its 5 nearest by this encoder, mostly
    ours, theirs = vectors @ vectors.T, reference @ reference.T
    np.fill_diagonal(ours, -1)
    np.fill_diagonal(theirs, -1)
    top5 = np.argsort(-ours, axis=1)[:, :5]
    hits = np.mean([theirs[i].argmax() in top5[i] for i in range(len(vectors))])
    assert hits >= (0.9 if name.startswith("minilm-onnx") else 0.6)


def test_truncation_is_part_of_the_name_and_the_cache_key(artifacts, sample, tmp_path):
    texts = sample["text"].tolist()[:6]
    full = embed(texts, "minilm-onnx-int8", cache_dir=tmp_path, progress=False)
    short = embed(texts, "minilm-onnx-int8:32", cache_dir=tmp_path, progress=False)
    assert cache_name("minilm-onnx-int8") != cache_name("minilm-onnx-int8:32")
    assert not np.allclose(full, short, atol=1e-3)
    assert np.array_equal(embed(texts, "minilm-onnx-int8:32", cache_dir=tmp_path, progress=False), short)


def test_cache_separates_encoders(artifacts, sample, reference, tmp_path):
    texts = sample["text"].tolist()[:5]
    static = embed(texts, "minilm-static", cache_dir=tmp_path, progress=False)
    minilm = embed(texts, cache_dir=tmp_path, progress=False)
    assert np.allclose(minilm, reference[:5], atol=1e-5)
    assert not np.allclose(static, minilm, atol=1e-2)
    keys = {name: EmbeddingCache(tmp_path, name) for name in ("minilm-static", "all-MiniLM-L6-v2")}
    assert keys["minilm-static"].key(texts[0]) != keys["all-MiniLM-L6-v2"].key(texts[0])
    assert keys["minilm-static"].path != keys["all-MiniLM-L6-v2"].path
    again = embed(texts, "minilm-static", cache_dir=tmp_path, progress=False)
    assert np.array_equal(again, static)


def test_artifacts_are_built_once_and_reused_by_a_new_process(artifacts, sample):
    files = sorted(p for p in artifacts.iterdir() if p.is_file())
    assert {p.name for p in files} >= {"minilm.onnx", "minilm-int8.onnx", "minilm-static.npy"}
    before = {p.name: p.stat().st_mtime_ns for p in files}
    script = textwrap.dedent(
        f"""
        import sys, warnings
        warnings.simplefilter("error")
        from topics.embeddings import embed
        for name in {FAST!r}:
            embed(["A humanoid robot learns from human videos."], name, use_cache=False, progress=False)
        print("torch" in sys.modules)
        """
    )
    environment = dict(os.environ, TOPICS_CACHE_DIR=str(artifacts.parent))
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, env=environment
    )
    assert result.stdout.strip() == "False", "running built fast encoders must not import torch"
    after = {p.name: p.stat().st_mtime_ns for p in sorted(artifacts.iterdir()) if p.is_file()}
    assert after == before


@pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2, reason="needs 2 cores"
)
def test_vectors_do_not_depend_on_how_many_cores_run_them(artifacts, sample, tmp_path):
    # the documents run side by side, one per core, each in one thread: a process on one core computes
    # exactly what one on every core does, in the same order
    texts = sample["text"].tolist()[:40]
    both = get_encoder("minilm-onnx-int8:64").encode(texts, 32)
    script = textwrap.dedent(
        f"""
        import os, sys
        import numpy as np
        os.sched_setaffinity(0, {{min(os.sched_getaffinity(0))}})
        from topics.encoders import get_encoder
        np.save(sys.argv[1], get_encoder("minilm-onnx-int8:64").encode({texts!r}, 32))
        """
    )
    environment = dict(os.environ, TOPICS_CACHE_DIR=str(artifacts.parent))
    subprocess.run([sys.executable, "-c", script, str(tmp_path / "one.npy")], check=True, env=environment)
    assert np.array_equal(np.load(tmp_path / "one.npy"), both)


@pytest.mark.parametrize("name", ["minilm-onnx", "minilm-onnx-int8", "minilm-hybrid:64"])
def test_a_documents_vector_does_not_depend_on_the_other_documents(name, artifacts, sample, abstracts):
    # int8's dynamic quantisation takes one activation scale per input tensor: batched (and padded), a
    # document's vector would change with its neighbours, and so with what the embedding cache held
    texts = sample["text"].tolist()
    encoder = get_encoder(name)
    in_corpus = encoder.encode(texts, 32)[:6]
    alone = np.vstack([encoder.encode([text], 32) for text in texts[:6]])
    beside = encoder.encode(["Robots.", *texts[:6], *abstracts[0]["text"].tolist()[:10]], 8)[1:7]
    assert np.array_equal(alone, in_corpus)
    assert np.array_equal(beside, in_corpus)


def test_an_artifact_built_says_so_in_one_line_and_draws_no_bar(artifacts, tmp_path, capfd):
    directory = tmp_path / "encoders"
    get_encoder("minilm-onnx", directory, progress=True)  # exports MiniLM: transformers loads it
    assert capfd.readouterr().err == "topics: building minilm-onnx once from the local MiniLM (~8 s)\n"
    for name in ("minilm.onnx", "minilm.onnx.json"):
        shutil.copy2(artifacts / name, tmp_path / name)
    get_encoder("minilm-onnx-int8", tmp_path, progress=False)
    assert capfd.readouterr().err == ""


def test_corrupt_artifact_is_rebuilt_with_a_warning(artifacts, sample, tmp_path):
    directory = tmp_path / "encoders"
    directory.mkdir()
    for name in ("minilm.onnx", "minilm.onnx.json", "minilm-int8.onnx", "minilm-int8.onnx.json"):
        shutil.copy2(artifacts / name, directory / name)
    good = get_encoder("minilm-onnx-int8", directory).encode(["a text about robots"], 8)
    with open(directory / "minilm-int8.onnx", "r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00garbage\x00" * 100)
    with pytest.warns(topics.TopicsWarning, match="rebuilt.*corrupt"):
        encoder = get_encoder("minilm-onnx-int8", directory)
    assert np.allclose(encoder.encode(["a text about robots"], 8), good, atol=1e-5)
    (directory / "minilm-int8.onnx.json").write_text("{not json")
    with pytest.warns(topics.TopicsWarning, match="rebuilt.*manifest"):
        get_encoder("minilm-onnx-int8", directory)


@pytest.mark.parametrize("name", ["minilm-onnx-int8", "minilm-static"])
def test_topic_model_with_a_fast_encoder_groups_the_sample_papers(
    name, artifacts, sample, tmp_path, minilm_lengths
):
    model = topics.TopicModel(features="embeddings", embedding_model=name, cache_dir=tmp_path, progress=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(sample)
    assert model.vectors_.shape == (len(sample), 384)
    # the sample papers run to 238-416 word pieces: int8 reads 256 of them, static 512 (all)
    lengths = minilm_lengths(sample["text"])
    if name == "minilm-onnx-int8":
        long = int((lengths > 256).sum())
        assert 50 <= long < len(sample)
        note = f"{long} of {len(sample)} documents are longer than the 254 word pieces of text that "
        note += "minilm-onnx-int8's transformer reads (256 with [CLS] and [SEP])"
        assert _counted(caught)[0].startswith(note)
        assert model.notes_[0].startswith(note), "the truncation is the model's first note"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.assign(sample, batch_size=10)  # 6 batches, from the cache: one warning, the total
        assert [message[:len(note)] for message in _counted(caught)] == [note]
    else:
        assert _counted(caught) == [] and not any("longer than" in n for n in model.notes_)
    info = model.document_info()

    def theme(start):
        return info.loc[info["title"].str.startswith(start), "theme"].item()

    assert theme("HumanPlus") == theme("SLIM:")
    assert theme("HumanPlus") != theme("LVM-Med")


# mean cosine to sentence-transformers on 150 AI-conference abstracts, and Spearman over pairs of them;
# measured on the full corpus: onnx 1.000 / 1.000, int8 0.995 / 0.997, int8:128 0.91 / 0.89,
# hybrid 0.89 / 0.90, static 0.41 / 0.62
ABSTRACT_AGREEMENT = {
    "minilm-onnx": (0.999, 0.999),
    "minilm-onnx-int8": (0.99, 0.99),
    "minilm-onnx-int8:128": (0.88, 0.85),
    "minilm-hybrid": (0.85, 0.85),
    "minilm-static": (0.35, 0.5),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", list(ABSTRACT_AGREEMENT))
def test_encoder_agrees_with_minilm_on_conference_abstracts(name, artifacts, abstracts, abstract_reference):
    papers, _ = abstracts
    vectors = get_encoder(name).encode(papers["text"].tolist(), 32)
    reference = abstract_reference[0]
    cosine = (vectors * reference).sum(1)
    least_cosine, least_spearman = ABSTRACT_AGREEMENT[name]
    assert cosine.mean() > least_cosine
    assert spearmanr(_pairwise(vectors), _pairwise(reference))[0] > least_spearman
    if name in ("minilm-onnx", "minilm-onnx-int8"):
        assert cosine.min() > 0.95  # no abstract is far off, only the truncated encoders drift


@pytest.mark.slow
def test_hybrid_finds_the_bbc_sections_as_well_as_minilm(artifacts, abstracts, abstract_reference):
    """KMeans with k = 5 sections on 150 articles: the hybrid's NMI within 0.05 of MiniLM's."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    _, news = abstracts

    def score(vectors):
        groups = KMeans(5, n_init=10, random_state=0).fit_predict(vectors)
        return normalized_mutual_info_score(news["label"], groups)

    minilm = score(abstract_reference[1])
    hybrid = score(get_encoder("minilm-hybrid").encode(news["text"].tolist(), 32))
    assert minilm > 0.7
    assert hybrid > minilm - 0.05


def test_hybrid_is_transformer_window_plus_static(artifacts, abstracts):
    texts = abstracts[0]["text"].tolist()[:12]
    transformer = get_encoder("minilm-onnx-int8:96").encode(texts, 8)
    static = get_encoder("minilm-static").encode(texts, 8)
    expected = transformer + HYBRID_STATIC_WEIGHT * static
    expected /= np.linalg.norm(expected, axis=1, keepdims=True)
    assert np.allclose(get_encoder("minilm-hybrid:96").encode(texts, 8), expected, atol=1e-5)
    assert cache_name("minilm-hybrid") == f"minilm-hybrid:128:w{HYBRID_STATIC_WEIGHT}:v2:single"
    assert cache_name("minilm-hybrid:96") != cache_name("minilm-hybrid")


def test_truncation_is_reported(artifacts, abstracts):
    """Each fast encoder counts the documents it cut to its window; MiniLM's own window is 256."""
    texts = abstracts[0]["text"].tolist()[:20]
    short = ["A humanoid robot learns from human videos.", "Graph networks for traffic."]
    encoder = get_encoder("minilm-onnx-int8:32")
    encoder.encode(texts + short, 8)
    assert (encoder.documents, encoder.truncated, encoder.max_tokens) == (22, 20, 32)
    full = get_encoder("minilm-onnx-int8")
    full.encode(short, 8)
    assert (full.documents, full.truncated, full.max_tokens) == (2, 0, 256)
    hybrid = get_encoder("minilm-hybrid")
    hybrid.encode(texts + short, 8)
    assert hybrid.max_tokens == 128 and hybrid.documents == 22
    assert 15 <= hybrid.truncated <= 20  # abstracts run to about 250 word pieces
    static = get_encoder("minilm-static:16")
    static.encode(short, 8)
    assert static.truncated == 0 and static.documents == 2


@pytest.mark.parametrize("name, window, text", [
    ("minilm-onnx-int8:64", 64, 62), ("minilm-hybrid:96", 96, 94), ("minilm-static:128", 128, 128)
])
def test_truncation_warning_counts_the_long_abstracts(
    name, window, text, artifacts, abstracts, minilm_lengths, tmp_path
):
    """On 150 real abstracts and 3 short titles: the warning and the note give the number of documents
    longer than the window, as MiniLM's own tokenizer counts them; the same count when all come from the
    cache (where the encoder never runs)."""
    texts = abstracts[0]["text"].tolist() + ["Graph networks for traffic.", "Robots.", "A short title."]
    special = 0 if name.startswith("minilm-static") else 2
    long = int((minilm_lengths(texts) - 2 + special > window).sum())
    assert 0 < long < len(texts) - 2
    expected = (
        f"{long} of {len(texts)} documents are longer than the {text} word pieces of text that {name}"
    )
    for run in ("encoded", "cached"):
        notes: list[str] = []
        with pytest.warns(topics.TopicsWarning) as caught:
            embed(texts, name, cache_dir=tmp_path, progress=False, notes=notes)
        assert _counted(caught) == notes and len(notes) == 1, run
        assert notes[0].startswith(expected), (run, notes[0])
        assert "the title and the start of the text" in notes[0]
    assert ("static part read up to 512" in notes[0]) == name.startswith("minilm-hybrid")


@pytest.mark.slow
def test_minilm_reference_truncation_is_counted_from_its_cache(
    abstracts, abstract_reference, reference_cache, minilm_lengths
):
    """sentence-transformers itself reads 256 word pieces: the BBC articles beyond that are counted, from
    the cache filled by the reference fixture, without loading the model again."""
    news = abstracts[1]["text"].tolist()
    long = int((minilm_lengths(news) > 256).sum())
    assert 30 < long < len(news)  # a BBC article runs to about 500 word pieces
    with pytest.warns(topics.TopicsWarning, match=re.escape(f"{long} of {len(news)} documents")) as caught:
        again = embed(news, cache_dir=reference_cache, progress=False)
    assert np.array_equal(again, abstract_reference[1])
    assert "256 with [CLS] and [SEP]" in _counted(caught)[0]


def test_no_truncation_no_warning(artifacts):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("minilm-onnx-int8:16", "minilm-hybrid:16"):
            embed(["Graph networks for traffic.", "Robots."], name, use_cache=False, progress=False)
