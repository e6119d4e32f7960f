"""The sentence encoder's fine-tuned adapter (comments/moderation/language/finetuning.py):
merged into the numpy weights as the low-rank updates it holds, and, where torch is
installed (requirements-finetune.txt), giving the numpy encoder the very embeddings the
fine-tuned torch model gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

from comments.moderation import language
from comments.moderation.language.encoder import ADAPTER, Encoder, model_folder
from comments.moderation.language.labels import Example


@pytest.fixture(scope="module")
def base() -> Encoder:
    return Encoder.load(adapter=None)


def test_an_adapter_adds_its_low_rank_update_and_replaces_the_norms(base, tmp_path):
    rng = np.random.default_rng(5)
    rank, scale = 2, 2.0
    arrays = {}
    for name in ("qkv", "out", "up", "down"):
        outputs, inputs = getattr(base.layers[5], name).shape
        arrays[f"5.{name}.A"] = rng.normal(size=(rank, inputs)).astype(np.float32)
        arrays[f"5.{name}.B"] = rng.normal(size=(outputs, rank)).astype(np.float32)
    for norm in ("norm1", "norm2"):
        arrays[f"5.{norm}.weight"] = np.full(384, 0.5, dtype=np.float32)
        arrays[f"5.{norm}.bias"] = np.full(384, 0.25, dtype=np.float32)
    path = tmp_path / "adapter.npz"
    meta = {"layers": [5], "rank": rank, "scale": scale}
    np.savez(path, meta=np.array(json.dumps(meta)), **arrays)

    adapted = Encoder(model_folder(), path)

    for name in ("qkv", "out", "up", "down"):
        expected = (
            getattr(base.layers[5], name) + scale * arrays[f"5.{name}.B"] @ arrays[f"5.{name}.A"]
        )
        np.testing.assert_allclose(getattr(adapted.layers[5], name), expected, rtol=1e-5, atol=1e-4)
    assert adapted.layers[5].norm1[0].tolist() == [0.5] * 384
    assert adapted.layers[5].norm2[1].tolist() == [0.25] * 384
    for lower in range(5):  # the layers it does not name are the base weights
        assert np.array_equal(adapted.layers[lower].qkv, base.layers[lower].qkv)
    assert adapted.fingerprint != base.fingerprint == "base"


def test_the_shipped_scorer_reads_through_the_shipped_adapter():
    assert ADAPTER.exists()
    assert language.load().encoder.fingerprint not in ("", "base")


def test_finetuning_gives_the_adapter_the_numpy_encoder_reproduces(base, tmp_path):
    pytest.importorskip("torch", reason="fine-tuning needs torch (requirements-finetune.txt)")
    from comments.moderation.language import finetuning

    texts = [
        ("Those people breed like rats and we pay for it.", 1, 1),
        ("The council housed the new arrivals in the old hotel.", 0, 0),
        ("You absolute clown, read the article.", 0, 1),
        ("Muslim families asked for a second primary school.", 0, 0),
    ] * 8
    train = [Example(text, hate, offensive, source="own") for text, hate, offensive in texts]
    tuned = finetuning.finetune(train, base, {"own": 1.0}, layers=2, rank=4, epochs=2,
                                learning_rate=1e-2, log=lambda line: None)  # fmt: skip
    meta, arrays = finetuning.adapter(tuned)
    assert meta["layers"] == [4, 5]
    path = finetuning.write_adapter(meta, arrays, tmp_path / "adapter.npz")

    adapted = Encoder(model_folder(), path)
    for text, _, _ in texts[:4]:
        ids = adapted.ids(text)
        expected = tuned.embed(tuned.below(base, [ids]))[0].detach().numpy()
        vector = adapted.embed(text)
        assert float(vector @ expected) == pytest.approx(1.0, abs=1e-5)
        assert float(vector @ base.embed(text)) < 0.99999  # and it did learn something
