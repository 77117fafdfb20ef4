"""Sentence-embedding features with the real offline all-MiniLM-L6-v2, and the on-disk cache."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

import topics
from topics.embeddings import EmbeddingCache, embed
from topics.errors import ModelError

pytest.importorskip("sentence_transformers", reason="needs the 'embeddings' extra")


@pytest.fixture(scope="module")
def sample():
    return topics.datasets.load_sample_papers()


def test_embeddings_model_on_sample_papers(sample, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    model = topics.TopicModel(features="embeddings", cache_dir=cache, progress=False).fit(sample)
    assert model.vectors_.shape == (len(sample), 384)
    assert np.allclose(np.linalg.norm(model.vectors_, axis=1), 1.0, atol=1e-4)
    info = model.document_info()
    def theme(start):
        return info.loc[info["title"].str.startswith(start), "theme"].item()
    assert theme("HumanPlus") == theme("SLIM:")
    assert theme("HumanPlus") != theme("LVM-Med")
    predicted, _ = model.transform(sample)
    assert np.array_equal(predicted, model.document_topics_)


def test_own_and_given_embeddings_give_the_same_model(sample, tmp_path):
    # fit(corpus) embeds itself; fit(corpus, embeddings=embed(...)) is handed the same vectors: the two must
    # agree to the bit, since a last-bit difference can change UMAP's graph and so the topics
    own = topics.TopicModel(features="embeddings", cache_dir=tmp_path, progress=False).fit(sample)
    given_vectors = embed(sample["text"].tolist(), cache_dir=tmp_path, progress=False)
    given = topics.TopicModel(features="embeddings", progress=False).fit(sample, embeddings=given_vectors)
    assert np.array_equal(own.vectors_, given.vectors_)
    assert np.array_equal(own.document_topics_, given.document_topics_)
    assert own.topic_labels_ == given.topic_labels_
    new_topics, _ = own.transform(sample.iloc[:5])
    assert np.array_equal(new_topics, given.transform(sample.iloc[:5], embeddings=given_vectors[:5])[0])


def test_cache_is_reused_without_loading_the_model(sample, tmp_path):
    texts = sample["text"].tolist()[:12]
    first = embed(texts, cache_dir=tmp_path, progress=False)
    script = textwrap.dedent(
        f"""
        import sys, numpy as np
        from topics.embeddings import embed
        vectors = embed({texts!r}, cache_dir={str(tmp_path)!r}, progress=False)
        np.save({str(tmp_path / "again.npy")!r}, vectors)
        print("sentence_transformers" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", "a cached run must not load the embedding model"
    assert np.array_equal(np.load(tmp_path / "again.npy"), first)


def test_model_is_loaded_once_per_process_and_quietly(sample, tmp_path):
    # transform / find_topics in a notebook embed a few texts at a time: each call must not load MiniLM again,
    # and with progress=False nothing may draw a bar (transformers draws "Loading weights" by itself)
    script = textwrap.dedent(
        f"""
        import topics
        from topics.encoders import get_encoder
        corpus = topics.datasets.load_sample_papers()
        model = topics.TopicModel(features="embeddings", cache_dir={str(tmp_path)!r}, progress=False)
        model.fit(corpus)
        first, _ = model.transform(["Segmenting tumours in MRI scans with a U-Net"])
        model.find_topics("humanoid robots learning from human motion")
        print(get_encoder("all-MiniLM-L6-v2").model is get_encoder("all-MiniLM-L6-v2").model)
        """
    )
    result = subprocess.run([sys.executable, "-W", "ignore", "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"
    assert "Loading weights" not in result.stderr and "it/s" not in result.stderr, result.stderr


@pytest.mark.parametrize("blob", [
    b"\x00\x01\x02", np.full(384, np.nan, np.float32).tobytes(), np.zeros(384, np.float32).tobytes()
], ids=["short", "nan", "zero"])
def test_corrupt_cache_entry_is_recomputed_with_a_warning(blob, sample, tmp_path):
    texts = sample["text"].tolist()[:4]
    first = embed(texts, cache_dir=tmp_path, progress=False)
    cache = EmbeddingCache(tmp_path, "all-MiniLM-L6-v2")
    with sqlite3.connect(cache.path) as connection:
        connection.execute("UPDATE vectors SET vector = ? WHERE key = ?", (blob, cache.key(texts[1])))
    with pytest.warns(topics.TopicsWarning, match="corrupt entries"):
        again = embed(texts, cache_dir=tmp_path, progress=False)
    assert np.allclose(again, first, atol=1e-5)


def test_cache_with_a_damaged_page_is_set_aside_and_recomputed(sample, tmp_path):
    # a page in the middle of the file overwritten: SQLite opens it, then fails when reading
    texts = sample["text"].tolist()
    first = embed(texts, cache_dir=tmp_path, progress=False)
    cache = EmbeddingCache(tmp_path, "all-MiniLM-L6-v2")
    data = bytearray(cache.path.read_bytes())
    assert len(data) > 4096 * 8
    data[4096 * 5 : 4096 * 6] = b"\xab" * 4096
    cache.path.write_bytes(bytes(data))
    with pytest.warns(topics.TopicsWarning, match="is corrupt.*set aside"):
        again = embed(texts, cache_dir=tmp_path, progress=False)
    assert np.allclose(again, first, atol=1e-5)
    assert cache.path.with_suffix(".corrupt").exists()
    with warnings.catch_warnings():
        warnings.filterwarnings("error", ".*corrupt")  # the new file is whole again
        assert np.array_equal(embed(texts, cache_dir=tmp_path, progress=False), again)


def test_cache_dir_that_is_a_file_is_a_clear_error(tmp_path):
    (tmp_path / "cache").write_text("not a directory")
    with pytest.raises(ModelError, match="cache_dir"):
        embed(["a text"], cache_dir=tmp_path / "cache", progress=False)


def test_a_local_model_saved_again_is_not_served_from_the_cache(sample, tmp_path):
    # the offline MiniLM copied to a directory, then switched to CLS pooling there: another model, same path
    from topics.encoders import resolve_model_path

    local = tmp_path / "my-encoder"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), local)
    texts = sample["text"].tolist()[:5]
    before = embed(texts, str(local), cache_dir=tmp_path / "cache", progress=False)
    pooling = local / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_cls_token=True)
    pooling.write_text(json.dumps(config))
    after = embed(texts, str(local), cache_dir=tmp_path / "cache", progress=False)
    assert not np.allclose(after, before, atol=1e-2)
    assert np.array_equal(after, embed(texts, str(local), use_cache=False, progress=False))


def test_no_bar_for_a_single_text(tmp_path, capfd, monkeypatch):
    monkeypatch.setattr("topics.progress.mode", lambda: "bar")  # as in a terminal
    embed(["humanoid robots learning from human motion"], cache_dir=tmp_path, progress=True)
    assert "embedding" not in capfd.readouterr().err
    embed(["graph networks for traffic", "robots"], cache_dir=tmp_path, progress=True)
    assert "embedding" in capfd.readouterr().err


def test_embedding_progress_in_a_log_is_plain_lines(tmp_path, capfd, monkeypatch):
    """stderr to a file or CI log: no carriage-return frames, and a line only when it takes a while."""
    monkeypatch.setattr("topics.progress.LINE_SECONDS", 0.0)
    embed(["graph networks for traffic", "robots", "protein folding"], cache_dir=tmp_path, progress=True)
    err = capfd.readouterr().err
    assert "\r" not in err
    assert "topics: embedding: 3 of 3 docs done" in err


def test_corrupt_cache_file_is_replaced(sample, tmp_path):
    cache = EmbeddingCache(tmp_path, "all-MiniLM-L6-v2")
    tmp_path.mkdir(exist_ok=True)
    cache.path.write_bytes(b"this is not a database" * 100)
    with pytest.warns(topics.TopicsWarning, match="corrupt"):
        vectors = embed(sample["text"].tolist()[:2], cache_dir=tmp_path, progress=False)
    assert vectors.shape == (2, 384)


def test_unknown_model_is_a_clear_error(tmp_path):
    with pytest.raises(ModelError, match="cannot load the embedding model"):
        embed(["a text"], model=str(tmp_path / "no-such-model"), cache_dir=tmp_path, progress=False)


def test_callable_features(sample):
    from sklearn.feature_extraction.text import HashingVectorizer

    hashing = HashingVectorizer(n_features=256, alternate_sign=False)
    model = topics.TopicModel(features=lambda texts: hashing.transform(texts).toarray(), progress=False)
    model.fit(sample)
    predicted, _ = model.transform(sample)
    assert np.array_equal(predicted, model.document_topics_)


def test_a_saved_cache_dir_that_cannot_be_used_here_falls_back_to_the_default_cache(sample, tmp_path,
                                                                                    monkeypatch):
    """model.json keeps cache_dir as given; loaded where that folder cannot be made (another machine, a Dask
    worker), the model uses the loader's default cache ($TOPICS_CACHE_DIR) and says so, instead of failing
    on its first transform. A usable saved cache_dir, and the default None, are kept as they are."""
    monkeypatch.setenv("TOPICS_CACHE_DIR", str(tmp_path / "default"))
    theirs = tmp_path / "home" / "someone" / "cache"
    model = topics.TopicModel(features="embeddings", cache_dir=str(theirs), progress=False).fit(sample)
    model.save(tmp_path / "model")
    assert json.loads((tmp_path / "model" / "model.json").read_text())["params"]["cache_dir"] == str(theirs)
    shutil.rmtree(tmp_path / "home")
    (tmp_path / "home").write_text("on this machine, a file is in the way")
    said = r"saved with cache_dir=.*cannot be used here .*home is not a folder.*default .*default/embeddings"
    with pytest.warns(topics.TopicsWarning, match=said):
        loaded = topics.TopicModel.load(tmp_path / "model")
    assert loaded.cache_dir is None
    new = sample.iloc[:6]
    predicted, _ = loaded.transform(new)
    assert np.array_equal(predicted, model.document_topics_[:6])
    assert list((tmp_path / "default" / "embeddings").glob("*.sqlite"))  # the vectors went to the default

    mine = tmp_path / "mine" / "cache"  # not there yet, but it can be made: kept as given, no warning
    model.set_params(cache_dir=str(mine)).save(tmp_path / "model-2")
    with warnings.catch_warnings():
        warnings.simplefilter("error", topics.TopicsWarning)
        assert topics.TopicModel.load(tmp_path / "model-2").cache_dir == str(mine)
        model.set_params(cache_dir=None).save(tmp_path / "model-3")
        assert topics.TopicModel.load(tmp_path / "model-3").cache_dir is None
        # a TF-IDF model never uses the cache: what it was given is kept, unchecked
        tfidf = topics.TopicModel(cache_dir=str(tmp_path / "home" / "x"), progress=False).fit(sample)
        tfidf.save(tmp_path / "tfidf")
        assert topics.TopicModel.load(tmp_path / "tfidf").cache_dir == str(tmp_path / "home" / "x")


def test_another_local_model_counts_what_its_own_window_cuts(sample, tmp_path):
    """A sentence-transformers model in a local folder (MiniLM's files, given a max_seq_length of 320): the
    documents longer than its window, in its own tokenizer's pieces, are counted and said, when embedded and
    when served from the cache (then without loading the model)."""
    from topics.encoders import resolve_model_path, window

    local = tmp_path / "my-encoder"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), local)
    settings = local / "sentence_bert_config.json"
    settings.write_text(json.dumps({**json.loads(settings.read_text()), "max_seq_length": 320}))
    texts = sample["text"].tolist()
    reads = window("all-MiniLM-L6-v2:320")  # the same tokenizer, the same 320 pieces
    cut = reads.count(texts)
    assert 0 < cut < len(texts)

    def expected(n: int) -> str:
        return (f"{reads.count(texts[:n])} of {n} documents are longer than the 318 word pieces of text that "
                f"{local}'s transformer reads (320 with [CLS] and [SEP])")

    notes: list[str] = []
    with pytest.warns(topics.TopicsWarning) as said:
        embed(texts[:20], str(local), cache_dir=tmp_path / "cache", progress=False)  # 20 embedded now ...
        embed(texts, str(local), cache_dir=tmp_path / "cache", progress=False, notes=notes)  # ... 20 cached
    messages = [str(w.message) for w in said]
    assert len(messages) == 2 and messages[0].startswith(expected(20)), messages
    assert messages[1].startswith(expected(len(texts))) and notes == messages[1:]
    # all of them cached: counted with the tokenizer alone, in a process that never loads the model
    script = textwrap.dedent(
        f"""
        import sys, warnings
        from topics.embeddings import embed
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            embed({texts!r}, {str(local)!r}, cache_dir={str(tmp_path / "cache")!r}, progress=False)
        print("sentence_transformers" in sys.modules)
        print([str(w.message) for w in said])
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    loaded, messages = result.stdout.strip().splitlines()
    assert loaded == "False"
    assert expected(len(texts)) in messages


@pytest.mark.parametrize("name", ["minilm-static:4", "minilm-hybrid:600", "minilm-onnx:513"])
def test_a_fast_encoder_truncation_outside_what_minilm_reads_is_refused(name):
    from topics.encoders import parse_name

    with pytest.raises(topics.ModelError, match="too short|beyond what MiniLM reads"):
        parse_name(name)
