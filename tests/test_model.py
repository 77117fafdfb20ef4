"""TopicModel on real text: conventions, determinism, tiny corpora, fit/transform agreement, save/load."""

from __future__ import annotations

import copy
import html
import json
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import topics
from topics.errors import ModelError
from topics.features import stop_words


@pytest.fixture(scope="module")
def sample() -> pd.DataFrame:
    return topics.datasets.load_sample_papers()


@pytest.fixture(scope="module")
def fitted(sample) -> topics.TopicModel:
    return topics.TopicModel(progress=False).fit(sample)


def _row(info: pd.DataFrame, title_start: str) -> pd.Series:
    rows = info[info["title"].str.startswith(title_start)]
    assert len(rows) == 1, f"expected one paper titled {title_start!r}"
    return rows.iloc[0]


def test_estimator_conventions(sample):
    model = topics.TopicModel(min_cluster_size=4, n_themes=3, progress=False)
    params = model.get_params()
    assert params["min_cluster_size"] == 4 and params["n_themes"] == 3 and params["features"] == "tfidf"
    assert model.set_params(n_themes="auto") is model and model.n_themes == "auto"
    copy = clone(model)
    assert copy.get_params() == model.get_params()
    assert model.fit(sample) is model
    assert model.get_params() == copy.get_params(), "fit must not change parameters"
    assert not hasattr(copy, "document_topics_")
    with pytest.raises(ModelError, match="not fitted"):
        copy.topic_info()


def test_sample_papers_themes_separate_the_fields(fitted):
    """Medical imaging, robotics and language models land in three different themes."""
    info = fitted.document_info()
    medical = {_row(info, t)["theme"] for t in ("LVM-Med", "Semixup", "Harvard Glaucoma Detection")}
    robotics = {_row(info, t)["theme"] for t in ("HumanPlus", "SLIM:", "Learning Latent Plans from Play")}
    language = {
        _row(info, t)["theme"]
        for t in (
            "Training Language Models to Self-Correct via Reinforcement Learning", "Self-Judge", "ReST-MCTS"
        )
    }
    assert len(medical) == len(robotics) == len(language) == 1
    assert len(medical | robotics | language) == 3


def test_tables_are_consistent(fitted, sample):
    documents = fitted.document_info()
    assert list(documents.columns) == [
        "id", "title", "topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier", "x", "y",
    ]
    assert len(documents) == len(sample) and documents["id"].tolist() == sample["id"].tolist()
    assert documents["confidence"].between(0, 1).all()
    info = fitted.topic_info()
    assert info["size"].sum() == len(sample)
    assert info["size"].is_monotonic_decreasing
    counted = documents["topic"].value_counts().sort_index()
    assert counted.tolist() == info["size"].tolist()
    assert (documents.groupby("topic")["theme"].nunique() == 1).all()
    assert 0 <= fitted.outlier_share_ < 0.2
    themes = fitted.theme_info()
    assert themes["size"].sum() == len(sample)
    assert sorted(t for ts in themes["topics"] for t in ts) == info["topic"].tolist()


def test_labels_are_readable_and_grounded(fitted):
    stops = set(stop_words())
    texts = fitted.corpus_["text"].str.lower()
    for row in fitted.topic_info().itertuples():
        assert row.label and "(no distinctive words)" not in row.label
        for keyword in row.keywords:
            assert keyword not in stops
            assert not re.search(r"\d", keyword.split()[0][0]), keyword
            assert not any(word in stops for word in keyword.split()), keyword
            members = texts[fitted.document_topics_ == row.topic]
            assert members.str.contains(keyword.split()[0], regex=False).any(), keyword
        assert list(row.keyword_scores) == sorted(row.keyword_scores, reverse=True)
    labels = fitted.topic_info()["label"]
    assert labels.is_unique


def test_deterministic(sample):
    first = topics.TopicModel(progress=False).fit(sample)
    second = topics.TopicModel(progress=False).fit(sample)
    assert np.array_equal(first.document_topics_, second.document_topics_)
    assert first.topic_labels_ == second.topic_labels_
    assert np.allclose(first.map_, second.map_)


def test_transform_agrees_with_fit_and_survives_reload(fitted, sample, tmp_path):
    predicted, confidence = fitted.transform(sample)
    confident = ~fitted.is_outlier_
    assert (predicted[confident] == fitted.document_topics_[confident]).mean() >= 0.95
    fitted.save(tmp_path / "model")
    manifest = json.loads((tmp_path / "model" / "model.json").read_text())
    assert manifest["format_version"] == 1 and "scikit-learn" in manifest["versions"]
    loaded = topics.TopicModel.load(tmp_path / "model")
    again, again_confidence = loaded.transform(sample)
    assert np.array_equal(again, predicted) and np.allclose(again_confidence, confidence)
    pd.testing.assert_frame_equal(loaded.topic_info(), fitted.topic_info())
    pd.testing.assert_frame_equal(loaded.document_info(), fitted.document_info())
    pd.testing.assert_frame_equal(loaded.cluster_sweep(), fitted.cluster_sweep())
    assert loaded.theme_choice_ == fitted.theme_choice_
    # new text about a robot lands in the robotics topic of "HumanPlus"
    humanplus_topic = _row(fitted.document_info(), "HumanPlus")["topic"]
    new_topic, _ = loaded.transform(["A humanoid robot learns whole-body motion skills by imitating humans"])
    assert new_topic[0] == humanplus_topic


def test_load_rejects_foreign_and_damaged_directories(fitted, tmp_path):
    with pytest.raises(ModelError, match="no model.json"):
        topics.TopicModel.load(tmp_path)
    (tmp_path / "model.json").write_text('{"hello": 1}')
    with pytest.raises(ModelError, match="not a saved topics model"):
        topics.TopicModel.load(tmp_path)
    (tmp_path / "model.json").write_text("{not json")
    with pytest.raises(ModelError, match="corrupt"):
        topics.TopicModel.load(tmp_path)
    saved = fitted.save(tmp_path / "good")
    arrays = saved / "arrays.npz"
    arrays.write_bytes(arrays.read_bytes()[:200])
    with pytest.raises(ModelError, match="damaged"):
        topics.TopicModel.load(saved)


def test_reduce_and_merge_topics_stay_consistent(sample):
    model = topics.TopicModel(progress=False).fit(sample)
    before = model.n_topics_
    model.reduce_topics(3)
    assert model.n_topics_ == 3
    info, documents = model.topic_info(), model.document_info()
    assert info["size"].sum() == len(sample)
    assert documents["topic"].value_counts().sort_index().tolist() == info["size"].tolist()
    predicted, _ = model.transform(sample)
    assert np.array_equal(predicted, model.document_topics_)
    model.merge_topics([1, 2])
    assert model.n_topics_ == 2 and model.topic_info()["size"].sum() == len(sample)
    with pytest.raises(ModelError, match="no topic"):
        model.merge_topics([0, 7])
    assert before > 3


@pytest.mark.parametrize("n", [2, 5, 29, 31])
def test_small_corpora_work_and_say_how(sample, n):
    model = topics.TopicModel(progress=False).fit(sample.head(n))
    assert len(model.document_info()) == n
    assert model.topic_info()["size"].sum() == n
    if n < 30:
        assert model.clustering_method_ == "agglomerative"
        assert any("too few for UMAP" in note for note in model.notes_)


def test_inputs_and_errors(sample):
    texts = sample["text"].tolist()[:40]
    from_list = topics.TopicModel(progress=False).fit(texts)
    from_series = topics.TopicModel(progress=False).fit(pd.Series(texts))
    assert np.array_equal(from_list.document_topics_, from_series.document_topics_)
    assert from_list.document_info()["id"].iloc[0] == "doc-01"
    title = from_list.document_info()["title"].iloc[0]  # a list has no titles: the text's start stands in
    assert title.endswith("…") and texts[0].startswith(title[:-1]) and len(title) <= 91
    for bad in ([], ["only one document"]):
        with pytest.raises(ModelError, match="at least 2 documents"):
            topics.TopicModel(progress=False).fit(bad)
    with pytest.raises(ModelError, match="not a string"):
        topics.TopicModel(progress=False).fit(["a text", 3])
    with pytest.raises(ModelError, match="features="):
        topics.TopicModel(features="bag", progress=False).fit(texts)
    with pytest.raises(ModelError, match="only stop words"):
        topics.TopicModel(progress=False).fit(["the and of", "it is 42"])


def test_keep_outliers_keeps_hdbscan_noise(sample):
    model = topics.TopicModel(keep_outliers=True, progress=False).fit(sample)
    noise = model.raw_labels_ < 0
    assert (model.document_topics_[noise] == -1).all()
    assert model.document_info()["is_outlier"][noise].all()


def test_embeddings_given_by_the_caller(sample, fitted):
    vectors = fitted.vectors_  # any real vectors: here the LSA space of the sample
    model = topics.TopicModel(features="embeddings", progress=False).fit(sample, embeddings=vectors)
    assert model.n_topics_ >= 2
    predicted, _ = model.transform(sample, embeddings=vectors)
    assert np.array_equal(predicted, model.document_topics_)
    with pytest.raises(ModelError, match="shape"):
        topics.TopicModel(features="embeddings", progress=False).fit(sample, embeddings=vectors[:5])


def test_fit_on_a_sample_then_assign_everything(sample, tmp_path):
    model = topics.TopicModel(progress=False).fit(sample, sample=40)
    again = topics.TopicModel(progress=False).fit(sample, sample=40)
    assert np.array_equal(model.sample_indices_, again.sample_indices_), "the sample must be deterministic"
    assert model.n_documents_ == 40 and model.n_input_documents_ == len(sample)
    assigned = model.assign(sample, batch_size=16)
    assert assigned["id"].tolist() == sample["id"].tolist()
    assert list(assigned.columns) == [
        "id", "topic", "topic_label", "theme", "theme_label", "confidence", "is_outlier",
    ]
    fitted = model.document_info().set_index("id")
    in_sample = assigned.set_index("id").loc[fitted.index]
    assert (in_sample["topic"] == fitted["topic"]).all(), "sampled documents keep their fitted topics"
    assert (in_sample["theme_label"] == fitted["theme_label"]).all()
    loaded = topics.TopicModel.load(model.save(tmp_path / "sampled"))
    assert loaded.n_input_documents_ == len(sample)
    assert np.array_equal(loaded.sample_indices_, model.sample_indices_)
    pd.testing.assert_frame_equal(loaded.assign(sample), assigned)
    with pytest.raises(ModelError, match="sample must be"):
        topics.TopicModel(progress=False).fit(sample, sample=1)


def test_min_cluster_size_sweep_is_recorded_explained_and_plotted(fitted, sample):
    sweep = fitted.cluster_sweep()
    assert list(sweep.columns) == [
        "min_cluster_size", "min_samples", "topics", "noise_share", "dbcv", "objective", "themes_level",
        "themes_jump", "clear_theme_levels", "chosen",
    ]
    assert len(sweep) >= 3 and sweep["chosen"].sum() == 1
    assert sweep["min_cluster_size"].is_monotonic_increasing
    # more than 2 of the settings found a different number of topics: the sweep really varied something
    assert sweep["topics"].nunique() >= 2
    chosen = sweep.loc[sweep["chosen"]].iloc[0]
    assert fitted.clustering_settings_["min_cluster_size"] == chosen["min_cluster_size"]
    # 58 papers are too few to trust DBCV: the rule of thumb is kept, and the note says so
    assert any("too noisy to choose by" in note for note in fitted.notes_), fitted.notes_
    figure = fitted.plot_cluster_sweep()
    assert [ax.get_xlabel() for ax in figure.axes][1] == "min_cluster_size"
    assert fitted.theme_choice_.startswith(f"{fitted.n_themes_} themes")
    fixed = topics.TopicModel(min_cluster_size=4, progress=False).fit(sample)
    assert fixed.clustering_settings_["min_cluster_size"] == 4
    with pytest.raises(ModelError, match="did not sweep"):
        fixed.cluster_sweep()


def test_progress_bars_name_the_steps_and_can_be_silenced(sample, capsys):
    topics.TopicModel(progress=True).fit(sample.head(40))
    shown = capsys.readouterr().err
    for step in ("fitting", "features", "UMAP", "HDBSCAN", "topics and labels"):
        assert step in shown, shown
    model = topics.TopicModel(progress=False).fit(sample.head(40))
    model.assign(sample, batch_size=10)
    model.stability(2)
    assert capsys.readouterr().err == ""


def test_merging_relabels_the_merged_topics_and_moves_no_other_paper():
    from helpers import read_shared

    papers = read_shared("ai-conference-papers.csv.gz").iloc[:400]
    model = topics.TopicModel(progress=False).fit(papers)
    before = model.document_topics_.copy()
    merged = np.isin(before, [0, 1])
    model.merge_topics([0, 1])
    after = model.document_topics_
    assert len(set(after[merged])) == 1  # the two topics became one
    assert (after[~merged] != after[merged][0]).all()  # nobody else joined it
    for topic in set(before[~merged]):  # every other topic kept exactly its papers
        assert len(set(after[before == topic])) == 1
    assert np.array_equal(model.transform(papers)[0], after)  # transform follows the merged model
    model.reduce_topics(3)
    kept = model.document_topics_
    for topic in set(after):  # reducing only joins whole topics
        assert len(set(kept[after == topic])) == 1


def test_empty_and_unknown_documents_get_no_topic(sample, fitted):
    texts = sample["text"].tolist()
    with pytest.warns(topics.TopicsWarning, match="2 are empty and get no topic .* 3 repeat an earlier"):
        model = topics.TopicModel(progress=False).fit(texts + texts[:3] + ["", "   "])
    assert model.document_topics_[-2:].tolist() == [-1, -1]
    assert model.document_confidence_[-2:].tolist() == [0.0, 0.0]
    assert model.document_info()["is_outlier"].iloc[-2:].all()
    assert (model.document_topics_[:-2] >= 0).all()
    topic_ids, confidence = fitted.transform(["", "zzzz qqqq xxxx"])
    assert topic_ids.tolist() == [-1, -1] and confidence.tolist() == [0.0, 0.0]
    assert fitted.assign([""])["topic"].tolist() == [-1]
    topic_ids, confidence = fitted.transform([])
    assert topic_ids.shape == (0,) and confidence.shape == (0,)
    with pytest.raises(ModelError, match="no word this model knows"):
        fitted.find_topics("")


def test_merging_and_reducing_keep_documents_without_words_out_of_every_topic(sample, tmp_path):
    with pytest.warns(topics.TopicsWarning, match="2 are empty"):
        model = topics.TopicModel(progress=False).fit(sample["text"].tolist() + ["", "   "])
    model.merge_topics([0, 1])  # was a ValueError from np.bincount, the model left half changed
    assert model.document_topics_[-2:].tolist() == [-1, -1] and (model.document_topics_[:-2] >= 0).all()
    assert model.topic_sizes_.sum() == len(sample)
    model.reduce_topics(2)
    assert model.n_topics_ == 2 and model.document_topics_[-2:].tolist() == [-1, -1]
    loaded = topics.TopicModel.load(model.save(tmp_path / "m"))
    assert np.array_equal(loaded.document_topics_, model.document_topics_)


@pytest.mark.parametrize("setting, message", [
    ({"min_cluster_size": 1}, "min_cluster_size must be a whole number of at least 2, not 1"),
    ({"min_cluster_size": 2.5}, "min_cluster_size must be a whole number"),
    ({"n_neighbors": 1}, "n_neighbors must be a whole number from 2 to 57 for 58 documents"),
    ({"n_components": 500}, "n_components must be a whole number from 1 to 56 for 58 documents"),
    ({"min_samples": 0}, "min_samples must be a whole number of at least 1"),
    ({"cluster_selection_method": "best"}, "cluster_selection_method must be 'eom' or 'leaf'"),
])
def test_settings_umap_or_hdbscan_would_refuse_are_refused_first(sample, setting, message):
    model = topics.TopicModel(progress=False, **setting)
    with pytest.raises(ModelError, match=re.escape(message)):
        model.fit(sample)
    assert not hasattr(model, "vocabulary_")  # refused before any work


@pytest.mark.parametrize("setting, message", [
    ({"random_state": -1}, "random_state must be a whole number from 0 to 4294967295, not -1"),
    ({"random_state": 2**32}, "random_state must be a whole number from 0 to 4294967295, not 4294967296"),
    ({"random_state": True}, "random_state must be a whole number from 0 to 4294967295, not True"),
    ({"random_state": "42"}, "random_state must be a whole number from 0 to 4294967295, not '42'"),
    ({"n_keywords": 0}, "n_keywords must be a positive whole number, not 0"),
    ({"n_keywords": 2.5}, "n_keywords must be a positive whole number, not 2.5"),
])
def test_seeds_and_keyword_counts_are_checked_before_any_work(sample, setting, message):
    """A seed NumPy cannot take used to end in an sklearn traceback partway through the fit; n_keywords=0
    kept up to 200 keywords."""
    model = topics.TopicModel(progress=False, **setting)
    with pytest.raises(ModelError, match=re.escape(message)):
        model.fit(sample)
    assert not hasattr(model, "vocabulary_")


def test_the_largest_seed_fits(sample):
    model = topics.TopicModel(progress=False, random_state=np.uint32(2**32 - 1), n_keywords=1).fit(sample)
    assert model.n_topics_ >= 2 and all(len(words) == 1 for words in model.topic_keywords_)


def test_a_missing_extra_is_said_before_any_work(sample, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # as if the 'fast' extra were not installed
    model = topics.TopicModel(features="embeddings", embedding_model="minilm-onnx-int8", progress=False)
    with pytest.raises(ModelError, match=r"needs .*onnxruntime.* pip install 'topics\[(embeddings,)?fast\]'"):
        model.fit(sample)
    assert not hasattr(model, "vocabulary_")


def test_features_are_the_same_whatever_the_blas_thread_count():
    """OpenBLAS sums in an order that depends on its thread count: without care, a cluster node with
    OPENBLAS_NUM_THREADS=1 and a laptop with 2 threads got other LSA vectors, and then other topics.
    1,000 documents: the features include the context vectors, whose SVD is guarded the same way."""
    import os
    import subprocess
    import sys

    from helpers import shared_file

    script = (
        "import hashlib, sys, topics\n"
        "from topics.features import LsaProjection, Vocabulary\n"
        "texts = topics.read_corpus(sys.argv[1])['text'].tolist()[:1000]\n"
        "vocabulary, counts = Vocabulary.fit(texts)\n"
        "projection, vectors = LsaProjection.fit(vocabulary.tfidf(counts), 42, texts, vocabulary)\n"
        "assert projection.context is not None and vectors.shape[1] == 200, vectors.shape\n"
        "print(hashlib.sha256(vectors.tobytes()).hexdigest())\n"
    )
    path = str(shared_file("ai-conference-papers.csv.gz"))
    digests = set()
    # and whatever kernels OpenBLAS picks for the CPU (Prescott: SSE3 only, as on the oldest x86-64 CPUs)
    for threads, kernels in (("1", None), ("2", None), ("2", "Prescott")):
        env = dict(os.environ, OPENBLAS_NUM_THREADS=threads, OMP_NUM_THREADS=threads, MKL_NUM_THREADS=threads)
        if kernels:
            env["OPENBLAS_CORETYPE"] = kernels
        result = subprocess.run([sys.executable, "-c", script, path], env=env, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode == 0, result.stderr
        digests.add(result.stdout.strip())
    assert len(digests) == 1


def test_the_same_topics_whatever_the_cpu():
    """BLAS kernels and numba's machine code are chosen by CPU and change the last bits of the arithmetic,
    which UMAP amplifies: the sample papers got other topics on another machine. OpenBLAS can be made to
    use another CPU's kernels (OPENBLAS_CORETYPE); numba must compile for a generic CPU whatever this one."""
    import os
    import subprocess
    import sys

    script = (
        "import hashlib, warnings, numpy as np, topics\n"
        "from numba.core import config\n"
        "warnings.simplefilter('ignore')\n"
        "model = topics.TopicModel(progress=False).fit(topics.datasets.load_sample_papers())\n"
        "print(config.CPU_NAME, hashlib.sha256(np.asarray(model.document_topics_).tobytes()"
        " + model.map_.tobytes() + str(model.topic_labels_).encode()).hexdigest())\n"
    )
    outputs = set()
    for kernels in (None, "Haswell", "Prescott"):
        env = {key: value for key, value in os.environ.items()
               if key not in ("OPENBLAS_CORETYPE", "NUMBA_CPU_NAME")}
        if kernels:
            env["OPENBLAS_CORETYPE"] = kernels
        result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                                timeout=600)
        assert result.returncode == 0, result.stderr
        outputs.add(result.stdout.strip())
    assert len(outputs) == 1, outputs
    assert outputs.pop().startswith("generic ")


def test_exact_neighbours_do_not_depend_on_blocks_and_break_ties_by_row(sample):
    from sklearn.neighbors import NearestNeighbors

    from topics.clustering import exact_neighbours

    vectors = topics.TopicModel(progress=False).fit(sample).vectors_
    whole = exact_neighbours(vectors, 10, "cosine")
    rows = exact_neighbours(vectors, 10, "cosine", block_bytes=8 * len(vectors))  # one row at a time
    assert np.array_equal(whole[0], rows[0]) and np.array_equal(whole[1], rows[1])
    assert (whole[0][:, 0] == np.arange(len(vectors))).all() and (whole[1][:, 0] == 0).all()
    reference = NearestNeighbors(n_neighbors=10, metric="cosine").fit(vectors).kneighbors(vectors)[0]
    assert np.allclose(whole[1], reference, atol=1e-6)
    # three copies of one document and a far one: the copies' neighbours in row order
    copies = np.vstack([vectors[:1], vectors[:1], vectors[:1], vectors[1:2]])
    indices, distances = exact_neighbours(copies, 3, "cosine")
    assert indices.tolist()[:3] == [[0, 1, 2], [1, 0, 2], [2, 0, 1]] and (distances[:3] == 0).all()


def _hashed(texts):
    """A features function of the user's own: word hashes (a scipy sparse matrix, as many encoders return)."""
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(n_features=256, stop_words="english").transform(texts)


def test_a_model_never_swaps_its_vector_space_silently(sample, fitted, tmp_path):
    texts = sample["text"].tolist()
    own = topics.TopicModel(features=_hashed, progress=False).fit(sample)  # sparse output is accepted
    assert np.array_equal(own.transform(sample)[0], own.document_topics_)
    loaded = topics.TopicModel.load(own.save(tmp_path / "own"))
    with pytest.raises(ModelError, match=r"set_params\(features=your_function\)"):
        loaded.transform(texts)  # it used to embed with MiniLM: 7 of 58 papers kept their topic
    loaded.set_params(features=_hashed)
    assert np.array_equal(loaded.transform(sample)[0], own.document_topics_)

    vectors = fitted.vectors_
    given = topics.TopicModel(features="embeddings", progress=False).fit(sample, embeddings=vectors)
    for call in (lambda: given.transform(texts), lambda: given.find_topics("robot learning")):
        with pytest.raises(ModelError, match="fitted on vectors you passed"):
            call()
    assert np.array_equal(given.transform(texts, embeddings=vectors)[0], given.document_topics_)
    for bad, message in ((vectors[:10], r"shape \(10, \d+\); expected \(58, \d+\)"),
                         (vectors[:, :5], r"shape \(58, 5\); expected \(58, \d+\)")):
        with pytest.raises(ModelError, match=message):
            given.transform(texts, embeddings=bad)
    broken = vectors.copy()
    broken[3, 0] = np.nan
    with pytest.raises(ModelError, match="NaN or infinite values .*row 3"):
        topics.TopicModel(features="embeddings", progress=False).fit(sample, embeddings=broken)


def test_a_new_fit_forgets_what_described_the_old_topics(sample):
    model = topics.TopicModel(progress=False).fit(sample)
    model.stability(1)
    model.name_themes({"robotics": {"seeds": ["robot", "manipulation"]}})
    model.fit(sample.head(40))
    for stale in ("stability_", "topic_stability_", "named_themes_"):
        assert not hasattr(model, stale), stale


def test_guided_tfidf_models_can_be_checked_for_stability(sample):
    themes = {"robotics": {"seeds": ["robot", "manipulation", "humanoid"]},
              "medical imaging": {"seeds": ["medical", "MRI", "segmentation"]}}
    model = topics.TopicModel(guided_themes=themes, progress=False).fit(sample)
    table = model.stability(2)  # refused before: "fit without embeddings="
    assert len(table) == model.n_topics_ and model.stability_["runs"] == 3


def test_small_api_mistakes_are_model_errors(fitted):
    for call, message in ((lambda: fitted.find_topics("robot", top_n=-1), "top_n must be"),
                          (lambda: fitted.get_topic("0"), "no topic"),
                          (lambda: fitted.search_documents(1.5), "no topic"),
                          (lambda: topics.evaluate(fitted, labels="nosuchcolumn"), "no column"),
                          (lambda: topics.evaluate(fitted, labels=["a", "b"]), "2 labels for 58")):
        with pytest.raises(ModelError, match=message):
            call()
    assert "1 topic," in repr(clone(fitted).fit(fitted.corpus_.head(2)))


def test_the_notebook_display_is_a_table_of_the_topics_with_their_text_escaped(fitted):
    shown = fitted._repr_html_()
    assert shown.count("</tr>") == 1 + min(fitted.n_topics_, 10)  # the header and a row per topic
    for t in range(fitted.n_topics_):
        assert html.escape(fitted.topic_labels_[t]) in shown
    model = copy.deepcopy(fitted)
    model.topic_labels_ = ["<script>alert(1)</script> & co", *model.topic_labels_[1:]]
    shown = model._repr_html_()
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in shown
    assert "TopicModel(progress=False)" in topics.TopicModel(progress=False)._repr_html_()


def test_jupyter_shows_the_topics_table_not_the_estimator_diagram(fitted):
    from IPython.core.formatters import DisplayFormatter

    shown, _ = DisplayFormatter().format(fitted)
    assert shown["text/plain"] == repr(fitted)
    assert html.escape(fitted.topic_labels_[0]) in shown["text/html"]
    assert f"{fitted.n_documents_} documents" in shown["text/html"]
