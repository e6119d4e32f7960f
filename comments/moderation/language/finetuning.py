"""Fine-tuning the sentence encoder's top layers for the two categories (``manage.py
train_language_model --finetune``). Needs torch (``requirements-finetune.txt``), for training
only: the result is a small adapter file (``encoder.ADAPTER``) that the numpy encoder merges
into its weights when it loads, so scoring still needs neither torch nor a download.

Method (LoRA, Hu et al. 2021): in each of the top ``LAYERS`` layers (all six by default;
three did worse on the selection set, see docs/moderation-model.md) every projection W
(query, key and value together, attention output, feed-forward up and down) keeps its
published weights and learns a low-rank update scale · B·A (rank ``RANK``); the two
LayerNorms are trained outright. Above the mean-pooled, L2-normalised embedding, a small
network (one hidden layer, two outputs: hate and offensive) learns with them, by binary
cross-entropy per category, each example weighted by its source as the heads are
(``embedding_training.HEAD_WEIGHTS``); it is thrown away afterwards, and the heads are then
trained on the adapted embeddings as before. Whatever lies below the adapted layers is
computed once per text. Three epochs over nineteen thousand texts take about seven minutes
on two cores.

The update is trained on the training split only: the dev examples (which fit the stacked
combination and the thresholds) and the selection set (which decides what ships) never reach
it.
"""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from . import CATEGORIES
from .encoder import PROJECTIONS, Encoder, _Layer
from .labels import Example

LAYERS = 6  # the top layers that are adapted (all six)
RANK = 16
SCALE = 2.0
EPOCHS = 3
LEARNING_RATE = 5e-4
BATCH = 32
SEED = 23
# The public sources are sampled for the fine-tuning as for the heads, but more of them:
# a step over a precomputed text costs far less than an embedding from scratch.
SAMPLE = {"davidson": 4000, "hatexplain": 3000}


class _Projection(nn.Module):
    """x · Wᵀ + b, with W frozen (outputs by inputs, as the numpy encoder keeps it) and a
    trained low-rank update, x · (scale · B·A)ᵀ."""

    def __init__(self, weight: np.ndarray, bias: np.ndarray, rank: int) -> None:
        super().__init__()
        self.register_buffer("weight", torch.from_numpy(weight.copy()))
        self.register_buffer("bias", torch.from_numpy(bias.copy()))
        outputs, inputs = weight.shape
        self.rank = rank
        if rank:
            self.A = nn.Parameter(torch.randn(rank, inputs) / math.sqrt(inputs))
            self.B = nn.Parameter(torch.zeros(outputs, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.linear(x, self.weight, self.bias)
        if self.rank:
            y = y + (x @ self.A.T @ self.B.T) * SCALE
        return y


class _Block(nn.Module):
    """One of the encoder's layers, as ``Encoder.embed_ids`` runs it, over a padded batch."""

    def __init__(self, layer: _Layer, heads: int, eps: float, rank: int) -> None:
        super().__init__()
        self.heads = heads
        self.eps = eps
        for name in PROJECTIONS:
            weight = getattr(layer, name)
            setattr(self, name, _Projection(weight, getattr(layer, f"{name}_bias"), rank))
        trained = rank > 0
        for name in ("norm1", "norm2"):
            scale, shift = getattr(layer, name)
            setattr(self, f"{name}_weight", nn.Parameter(torch.from_numpy(scale.copy()), trained))
            setattr(self, f"{name}_bias", nn.Parameter(torch.from_numpy(shift.copy()), trained))

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        weight, bias = getattr(self, f"{name}_weight"), getattr(self, f"{name}_bias")
        return F.layer_norm(x, (x.shape[-1],), weight, bias, self.eps)

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        size = width // self.heads
        qkv = self.qkv(x).view(batch, length, 3, self.heads, size).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        attention = (q @ k.transpose(-1, -2)) / math.sqrt(size) + padding[:, None, None, :]
        context = (attention.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, width)
        x = self._norm(self.out(context) + x, "norm1")
        hidden = F.gelu(self.up(x), approximate="tanh")  # as the numpy encoder computes it
        return self._norm(self.down(hidden) + x, "norm2")


def _padded(rows: Sequence[np.ndarray | torch.Tensor], width: int | None = None):
    """A batch of variable-length rows, zero-padded, with its mask (1 for a real token)."""
    length = max(len(row) for row in rows)
    mask = torch.zeros(len(rows), length)
    for index, row in enumerate(rows):
        mask[index, : len(row)] = 1
    if width is None:
        ids = torch.zeros(len(rows), length, dtype=torch.long)
        for index, row in enumerate(rows):
            ids[index, : len(row)] = torch.as_tensor(row)
        return ids, mask
    states = torch.zeros(len(rows), length, width)
    for index, row in enumerate(rows):
        states[index, : len(row)] = row
    return states, mask


class Tuned(nn.Module):
    """The encoder with its top layers adapted, and the network used to train them."""

    def __init__(self, encoder: Encoder, layers: int, rank: int) -> None:
        super().__init__()
        first = len(encoder.layers) - layers
        self.first = first
        self.bottom = [
            _Block(layer, encoder.heads, encoder.eps, 0) for layer in encoder.layers[:first]
        ]
        self.top = nn.ModuleList(
            _Block(layer, encoder.heads, encoder.eps, rank) for layer in encoder.layers[first:]
        )
        self.hidden = nn.Linear(encoder.words.shape[1], 128)
        self.output = nn.Linear(128, len(CATEGORIES))
        self.trained: dict = {}
        # The embedding layer, frozen (copies: the encoder's arrays are read-only).
        self.words = torch.from_numpy(encoder.words.copy())
        self.positions = torch.from_numpy(encoder.positions.copy())
        self.norm = [torch.from_numpy(part.copy()) for part in encoder.norm]

    @torch.no_grad()
    def below(self, encoder: Encoder, ids: list[list[int]]) -> list[torch.Tensor]:
        """The frozen layers' output for each text (computed once)."""
        words, positions, norm = self.words, self.positions, self.norm
        tokens, mask = _padded(ids)
        x = F.layer_norm(words[tokens] + positions[: tokens.shape[1]], (words.shape[1],), *norm,
                         encoder.eps)  # fmt: skip
        padding = (1 - mask) * -1e9
        for block in self.bottom:
            x = block(x, padding)
        return [x[index, : len(row)].clone() for index, row in enumerate(ids)]

    def embed(self, states: list[torch.Tensor]) -> torch.Tensor:
        """The adapted embeddings of texts, from the frozen layers' output."""
        x, mask = _padded(states, states[0].shape[-1])
        padding = (1 - mask) * -1e9
        for block in self.top:
            x = block(x, padding)
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
        return F.normalize(pooled, dim=-1)

    def forward(self, states: list[torch.Tensor]) -> torch.Tensor:
        return self.output(F.relu(self.hidden(self.embed(states))))


def finetune(
    train: Sequence[Example],
    encoder: Encoder,
    weights: dict[str, float],
    *,
    layers: int = LAYERS,
    rank: int = RANK,
    epochs: float = EPOCHS,
    learning_rate: float = LEARNING_RATE,
    log: Callable[[str], object] = print,
) -> Tuned:
    """Train the adapter on ``train`` from ``encoder`` (the base weights, no adapter
    merged)."""
    torch.manual_seed(SEED)
    shuffle = random.Random(SEED)
    model = Tuned(encoder, layers, rank)
    ids = [encoder.ids(example.text) for example in train]
    order = sorted(range(len(train)), key=lambda index: len(ids[index]))
    states: list[torch.Tensor] = [torch.empty(0)] * len(train)
    for start in range(0, len(order), 128):
        chunk = order[start : start + 128]
        for index, state in zip(chunk, model.below(encoder, [ids[i] for i in chunk]), strict=True):
            states[index] = state
    labels = torch.tensor(
        [[example.label(category) for category in CATEGORIES] for example in train],
        dtype=torch.float32,
    )
    sample_weights = torch.tensor([weights.get(example.source, 1.0) for example in train])
    trained = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(trained, lr=learning_rate, weight_decay=0.01)
    steps = max(1, int(epochs * len(train) / BATCH))
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=learning_rate, total_steps=steps, pct_start=0.1
    )
    log(f"fine-tuning the top {layers} layers (rank {rank}) on {len(train)} texts, {steps} steps")
    step = 0
    while step < steps:
        # Batches of similar length (less padding), in a random order.
        by_length = sorted(range(len(train)), key=lambda i: len(ids[i]) + shuffle.random() * 6)
        batches = [by_length[i : i + BATCH] for i in range(0, len(by_length), BATCH)]
        shuffle.shuffle(batches)
        for batch in batches[: steps - step]:
            logits = model([states[i] for i in batch])
            weight = sample_weights[batch][:, None]
            loss = F.binary_cross_entropy_with_logits(logits, labels[batch], reduction="none")
            loss = (loss * weight).sum() / (weight.sum() * len(CATEGORIES))
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            step += 1
            if step % 500 == 0:
                log(f"  step {step}/{steps}, loss {loss.item():.3f}")
    model.trained = {"epochs": epochs, "texts": len(train)}
    return model


def adapter(model: Tuned) -> tuple[dict, dict[str, np.ndarray]]:
    """The adapter as ``encoder.read_adapter`` reads it."""
    layers = len(model.top)
    meta = {
        "layers": list(range(model.first, model.first + layers)),
        "rank": model.top[0].qkv.rank,
        "scale": SCALE,
        **model.trained,
    }
    arrays: dict[str, np.ndarray] = {}
    for index, block in zip(meta["layers"], model.top, strict=True):
        for name in PROJECTIONS:
            projection = getattr(block, name)
            arrays[f"{index}.{name}.A"] = projection.A.detach().numpy().astype(np.float32)
            arrays[f"{index}.{name}.B"] = projection.B.detach().numpy().astype(np.float32)
        for name in ("norm1", "norm2"):
            arrays[f"{index}.{name}.weight"] = getattr(block, f"{name}_weight").detach().numpy()
            arrays[f"{index}.{name}.bias"] = getattr(block, f"{name}_bias").detach().numpy()
    return meta, arrays


def write_adapter(meta: dict, arrays: dict[str, np.ndarray], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, meta=np.array(json.dumps(meta)), **arrays)
    return path
