"""The bundled sample corpus."""

from __future__ import annotations

from topics import datasets


def test_load_sample_papers():
    df = datasets.load_sample_papers()
    assert len(df) == 58
    assert list(df.columns[:4]) == ["id", "title", "abstract", "text"]
    assert df["id"].is_unique
    assert df["title"].iloc[0].startswith("Adapting Multilingual Speech Representation Model")
    assert df["abstract"].iloc[0].startswith("In recent years, neural models")
    assert df.attrs["topics_read"]["format"] == "listing"
    assert df.attrs["topics_read"]["n_documents"] == 58
