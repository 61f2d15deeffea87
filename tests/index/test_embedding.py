"""Which device the embedding model runs on."""

from __future__ import annotations

from council_qa.config import Settings


def test_the_embedding_device_is_chosen_automatically(monkeypatch) -> None:
    import torch

    from index.embedding import embedding_device

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert embedding_device("auto") == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert embedding_device("auto") == "cuda"
    assert embedding_device("cpu") == "cpu" and embedding_device("cuda:1") == "cuda:1"
    assert Settings.from_env(environ={}).embed_device == "auto"
