"""Rebuild the language scorer's model, or recalibrate the shipped one (see
docs/moderation-model.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comments.moderation import labels as moderator_labels
from comments.moderation.language import CATEGORIES
from comments.moderation.language.calibration import own_dev, recalibrate, selection
from comments.moderation.language.labels import BadLabels, read_csv
from comments.moderation.language.model import PATH, Model


class Command(BaseCommand):
    help = (
        "Train the language scorer from the public data (--source), the project's own "
        "examples and moderators' labels; or, with --recalibrate, refit only the shipped "
        "model's calibration and thresholds on the project's dev examples and moderators' "
        "labels (no public data, no training dependencies needed)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", type=Path, help="folder holding the public data sets")
        parser.add_argument(
            "--labels",
            type=Path,
            action="append",
            default=[],
            help="moderators' labels as CSV (text,hate,offensive); may be repeated",
        )
        parser.add_argument(
            "--recalibrate", action="store_true", help="refit calibration and thresholds only"
        )
        parser.add_argument(
            "--heads-only",
            action="store_true",
            help="keep the shipped linear model; train only the encoder's heads and the "
            "combination (with --source)",
        )
        parser.add_argument(
            "--finetune",
            action="store_true",
            help="fine-tune the sentence encoder first (LoRA; needs torch: "
            "requirements-finetune.txt) and write its adapter beside the models; without it "
            "the shipped adapter is kept",
        )
        parser.add_argument(
            "--embedding-cache",
            type=Path,
            help="folder to keep the training texts' embeddings in between runs (slow to "
            "compute: tens of milliseconds per text)",
        )
        parser.add_argument(
            "--output",
            type=Path,
            default=PATH.parent,
            help="folder to write model.json.gz and thresholds.json to (default: the shipped "
            "model's)",
        )

    def handle(self, *args, **options) -> None:
        if options["source"] is None and not options["recalibrate"]:
            raise CommandError("Give --source (the public data) or --recalibrate.")
        try:
            labels = [example for path in options["labels"] for example in read_csv(path)]
        except (OSError, BadLabels) as error:
            raise CommandError(str(error)) from error
        labels += moderator_labels.examples()  # every decision moderators have made
        if options["recalibrate"]:
            self.recalibrate(labels, options["output"], options["embedding_cache"])
        else:
            self.train(
                options["source"],
                labels,
                options["output"],
                options["embedding_cache"],
                heads_only=options["heads_only"],
                finetune=options["finetune"],
            )

    def recalibrate(self, labels: list, output: Path, cache: Path | None) -> None:
        from comments.moderation.language import embedding_training
        from comments.moderation.language.combined import Heads, Scorer
        from comments.moderation.language.encoder import Encoder

        model = Model.read()
        examples = own_dev() + labels
        recalibrate(model, examples)
        # The combination with the encoder's heads, and the thresholds, from the same labels.
        encoder = Encoder.load()
        scorer = Scorer(model, Heads.read(), encoder)
        embed = embedding_training.Embeddings(encoder, cache, log=self.stdout.write)
        embedding_training.fit_stack(
            scorer, examples, embed, log=self.stdout.write, threshold_sources=None
        )
        report = {
            category: {
                "labels": len(examples),
                "positive": sum(example.label(category) for example in examples),
                "thresholds": model.thresholds[category],
                "calibration": "refitted with the combination",
            }
            for category in CATEGORIES
        }
        for category in CATEGORIES:
            entry = report[category]
            self.stdout.write(
                f"{category}: calibration {entry['calibration']}, {entry['labels']} labels "
                f"({entry['positive']} positive); thresholds hold {entry['thresholds'][0]}, "
                f"refuse {entry['thresholds'][1]}"
            )
        model.trained = {**model.trained, "recalibrated_with_labels": len(labels)}
        scorer.heads.trained = {**scorer.heads.trained, "recalibrated_with_labels": len(labels)}
        path = model.write(output)
        heads = scorer.heads.write(output)
        self.stdout.write(f"Wrote {path}.")
        self.stdout.write(f"Wrote {heads}.")

    def train(
        self,
        source: Path,
        labels: list,
        output: Path,
        cache: Path | None,
        *,
        heads_only: bool,
        finetune: bool,
    ) -> None:
        if not source.is_dir():
            raise CommandError(f"{source} is not a folder.")
        try:  # the training dependencies are optional (requirements-dev.txt)
            from comments.moderation.language import embedding_training, training
            from comments.moderation.language.combined import Scorer
        except ImportError as error:
            raise CommandError(
                f"Training needs the development dependencies ({error.name}): "
                "pip install -r requirements-dev.txt"
            ) from error
        public = training.read_sources(source)
        if not public:
            raise CommandError(f"No known data set found under {source}.")
        data = training.split(public, labels)
        model = Model.read() if heads_only else training.fit(data, log=self.stdout.write)
        encoder = self.encoder(model, data, output, finetune)
        embed = embedding_training.Embeddings(encoder, cache, log=self.stdout.write)
        dev = embedding_training.sample(data.dev, embedding_training.DEV_SAMPLE, embed)
        self.stdout.write("linear model alone:")
        for line in training.dev_report(model, dev):
            self.stdout.write(line)
        train = embedding_training.sample(data.train, embedding_training.HEAD_SAMPLE, embed)
        heads = embedding_training.fit_heads(embedding_training.as_read(model, train), embed)
        scorer = Scorer(model, heads, encoder)
        embedding_training.fit_stack(scorer, dev, embed, log=self.stdout.write)
        self.stdout.write("combined with the encoder:")
        scores = embedding_training.dev_scores(scorer, dev, embed)
        for line in training.dev_report(model, dev, scores):
            self.stdout.write(line)
        chosen = selection()
        if chosen:
            self.stdout.write("the selection set (never trained or calibrated on):")
            scores = embedding_training.dev_scores(scorer, chosen, embed)
            for line in training.dev_report(model, chosen, scores):
                self.stdout.write(line)
        path = model.write(output)
        self.stdout.write(f"Wrote {path}.")
        self.stdout.write(f"Wrote {heads.write(output)}.")

    def encoder(self, model: Model, data, output: Path, finetune: bool):
        """The encoder the heads learn from: freshly fine-tuned (its adapter written to
        ``output``), or with the shipped adapter."""
        from comments.moderation.language import embedding_training
        from comments.moderation.language.encoder import ADAPTER, Encoder

        if not finetune:
            self.stdout.write(f"encoder: the shipped adapter ({ADAPTER.name})")
            return Encoder.load()
        try:
            from comments.moderation.language import finetuning
        except ImportError as error:
            raise CommandError(
                f"Fine-tuning needs torch ({error.name}): pip install -r requirements-finetune.txt"
            ) from error
        train = embedding_training.as_read(
            model, embedding_training.sample(data.train, finetuning.SAMPLE)
        )
        tuned = finetuning.finetune(
            train, Encoder.load(adapter=None), embedding_training.HEAD_WEIGHTS,
            log=self.stdout.write,
        )  # fmt: skip
        path = finetuning.write_adapter(*finetuning.adapter(tuned), output / ADAPTER.name)
        self.stdout.write(f"Wrote {path}.")
        return Encoder.load(path)
