"""The offline language scorer: scores, explanations, look-alike spellings, loading once,
no network, and its two commands (evaluate, recalibrate). No database: the scorer is pure."""

from __future__ import annotations

import gzip
import json
import socket
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import CommandError, call_command

from comments.moderation import language
from comments.moderation.language import (
    CATEGORIES,
    DEFAULT_THRESHOLDS,
    HATE,
    OFFENSIVE,
    calibration,
    score,
)
from comments.moderation.language.combined import Heads
from comments.moderation.language.encoder import Encoder
from comments.moderation.language.labels import read_csv
from comments.moderation.language.model import Model
from comments.moderation.language.text import fold_word, words

CIVIL_AND_HATEFUL = [
    # (civil comment naming a group, hateful comment about the same group)
    ("Muslim parents asked the school for a prayer room.", "Muslims are a cancer on this country."),
    ("Immigrants wait months for a visa.", "Immigrants are vermin and should be deported."),
    ("The synagogue asked for more police patrols.", "Jews own the banks and the media."),
    ("Trans athletes and the new rules were debated.", "Trans people are freaks and a disease."),
    ("The Roma settlement still has no running water.", "Gypsies are parasites, get rid of them."),
    ("Women are underrepresented on company boards.", "Women are inferior, back to the kitchen."),
    ("Disabled people wait too long for benefits.", "Disabled people are a burden, put them down."),
]


def test_scores_are_probabilities_for_both_categories():
    for civil, hateful in CIVIL_AND_HATEFUL:
        for text in (civil, hateful, "", "   ", "🙂" * 50, "x" * 5000):
            result = score(text)
            assert set(result.scores) == set(CATEGORIES)
            assert all(0.0 <= value <= 1.0 for value in result.scores.values())
            assert set(result.reasons) == set(CATEGORIES)


@pytest.mark.parametrize(("civil", "hateful"), CIVIL_AND_HATEFUL)
def test_obvious_hate_scores_above_a_civil_mention_of_the_same_group(civil, hateful):
    assert score(hateful).scores[HATE] > score(civil).scores[HATE]
    assert score(hateful).scores[HATE] >= DEFAULT_THRESHOLDS[HATE][0]
    assert score(civil).scores[HATE] < DEFAULT_THRESHOLDS[HATE][0]


@pytest.mark.parametrize(
    "disguised",
    [
        "J\u0435ws own the banks",  # Cyrillic e
        "Jews \u043ewn the b\u0430nks",  # Cyrillic o and a
        "Jews \u0585wn the banks",  # Armenian o
        "J\u200bews own the b\u200banks",  # zero-width spaces
        "J\u00adews own the banks",  # soft hyphen
        "Jéws own the bänks",  # composed accents
        "Je\u0301ws own the ba\u0308nks",  # combining marks
        "J3ws 0wn th3 b4nks",  # leetspeak
        "JEWS OWN THE BANKS",
        "Jeeeeews own the banks",
        "J e w s own the banks",
        "\uff2a\uff45\uff57\uff53 own the banks",  # fullwidth
    ],
)
def test_look_alike_spellings_score_like_the_plain_words(disguised):
    plain = score("Jews own the banks").scores
    assert score(disguised).scores == pytest.approx(plain, abs=0.02)


def test_folding_reads_look_alikes_as_plain_letters():
    assert fold_word("v3rm1n") == "vermin"
    assert fold_word("$cum") == "scum"
    assert fold_word("\u0440\u0430rasites") == "parasites"  # Cyrillic p and a
    assert fold_word("2024") == "2024"  # digits alone stay digits
    assert [word.form for word in words("k i k e")] == ["kike"]


def test_reasons_are_words_of_the_original_text():
    text = "Honestly, Immigrants are VERMIN and should be deported."
    result = score(text)
    assert result.reasons[HATE]
    for reasons in result.reasons.values():
        for reason in reasons:
            assert reason in text
    assert any("VERMIN" in reason or "deported" in reason for reason in result.reasons[HATE])


def test_a_civil_comment_has_nothing_to_explain():
    result = score("The council approved the new bridge on Tuesday.")
    assert result.reasons == {HATE: [], OFFENSIVE: []}


def test_reasons_of_a_disguised_word_quote_it_as_typed():
    text = "Muslims are v3rm1n"
    reasons = score(text).reasons[HATE]
    assert reasons and all(reason in text for reason in reasons)


def test_counter_speech_is_held_at_worst_never_refused():
    refuse = DEFAULT_THRESHOLDS[HATE][1]
    for text in (
        "Calling Muslims vermin is disgusting.",
        "I don't think immigrants are a problem at all.",
        "People who say Jews control the banks are spreading an antisemitic myth.",
    ):
        assert refuse is None or score(text).scores[HATE] < refuse


def test_load_reads_the_model_once(monkeypatch):
    first = language.load()

    def read_again(*args, **kwargs):
        raise AssertionError("the model was read a second time")

    monkeypatch.setattr(Model, "read", read_again)
    monkeypatch.setattr(Heads, "read", read_again)
    monkeypatch.setattr(Encoder, "load", read_again)
    assert language.load() is first
    score("A second comment, scored by the model already loaded.")


def test_scoring_works_with_the_network_disabled(monkeypatch):
    def refuse_connection(*args, **kwargs):
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse_connection)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse_connection)
    monkeypatch.setattr(language, "_model", None)  # load from disk under the patch
    result = score("Muslims are a cancer on this country.")
    assert result.scores[HATE] >= DEFAULT_THRESHOLDS[HATE][0]
    assert language.load().encoder is not None  # the encoder too, from the installed package
    assert score(IMPLICIT_AND_CIVIL[2][0]).scores[HATE] >= DEFAULT_THRESHOLDS[HATE][0]


def test_evaluate_language_model_prints_precision_recall_accuracy(tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text(
        "text,hate,offensive,group\n"
        "Muslims are vermin and should be deported.,1,0,muslims\n"
        "The mosque open day was a great success.,0,0,muslims\n"
        "Jews own the banks and the media.,1,0,jews\n"
        "The council approved the new bridge on Tuesday.,0,0,\n"
    )
    out = StringIO()
    call_command(
        "evaluate_language_model", str(path), "--hold-hate", "0.5", "--hold-offensive", "0.9",
        stdout=out,
    )  # fmt: skip
    assert out.getvalue().splitlines() == [
        "thresholds: hate hold 0.5, offensive hold 0.9",
        "group                category     rows  precision   recall  accuracy",
        "all                  hate            4     100.0%   100.0%    100.0%",
        "all                  offensive       4          -        -    100.0%",
        "jews                 hate            1     100.0%   100.0%    100.0%",
        "jews                 offensive       1          -        -    100.0%",
        "muslims              hate            2     100.0%   100.0%    100.0%",
        "muslims              offensive       2          -        -    100.0%",
    ]


def test_evaluate_language_model_refuses_a_file_without_labels(tmp_path):
    path = tmp_path / "unlabelled.csv"
    path.write_text("text\nhello\n")
    with pytest.raises(CommandError, match="missing column"):
        call_command("evaluate_language_model", str(path), stdout=StringIO())


@pytest.mark.django_db  # moderators' labels are read from the database too
def test_recalibrate_refits_from_the_shipped_model_and_labels(tmp_path, embedding_cache):
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "text,hate,offensive\n"
        "Roma are thieves and should be thrown out.,1,0\n"
        "The Roma community centre opens on Monday.,0,0\n"
        "You absolute moron.,0,1\n"
    )
    out = StringIO()
    call_command(
        "train_language_model", "--recalibrate", "--labels", str(labels),
        "--output", str(tmp_path), "--embedding-cache", str(embedding_cache), stdout=out,
    )  # fmt: skip
    assert f"Wrote {tmp_path / 'model.json.gz'}." in out.getvalue()
    with gzip.open(tmp_path / "model.json.gz", "rt") as file:
        written = json.load(file)
    assert written["trained"]["recalibrated_with_labels"] == 3
    thresholds = json.loads((tmp_path / "thresholds.json").read_text())
    assert set(thresholds) == {HATE, OFFENSIVE}
    assert thresholds[OFFENSIVE][1] is None
    assert 0 < thresholds[HATE][0] < thresholds[HATE][1] < 1
    model = Model.read(tmp_path / "model.json.gz")
    scores, _ = model.score("Roma are thieves and should be thrown out.")
    assert all(0.0 <= value <= 1.0 for value in scores.values())


def test_recalibrate_refuses_a_bad_labels_file(tmp_path):
    labels = tmp_path / "labels.csv"
    labels.write_text("text,hate,offensive\nsomething,yes,no\n")
    with pytest.raises(CommandError, match="line 2"):
        call_command("train_language_model", "--recalibrate", "--labels", str(labels))


def test_training_without_a_source_says_what_to_give():
    with pytest.raises(CommandError, match="--source"):
        call_command("train_language_model")


# Hate without a slur or a swear word (calm contempt, conspiracy, dehumanising metaphor,
# threat), each beside a civil comment about the same group: written for these tests.
IMPLICIT_AND_CIVIL = [
    (
        "Every time I see those people arrive at the station I think the town is being "
        "slowly eaten from the inside. They multiply and we pay for it.",
        "The station is busier since the refugees from the camp were housed in town.",
    ),
    (
        "Funny how the same families always end up running the banks, the papers and "
        "Hollywood. Nobody is allowed to ask why, of course.",
        "The Jewish museum is opening a new wing about families who ran shops on the high street.",
    ),
    (
        "Muslims will never be part of this country. They are waiting until there are "
        "enough of them, and then the mask comes off.",
        "Muslim families in the north of the city asked for a second primary school.",
    ),
    (
        "A man in a dress is still a man and he is mentally ill. Keep them away from our "
        "daughters.",
        "Trans people told the council that the clinic waiting list is now three years.",
    ),
    (
        "Women simply do not have the brains for engineering, that is just biology.",
        "Women make up a third of the engineering students this year, the university said.",
    ),
]


@pytest.mark.parametrize(("hateful", "civil"), IMPLICIT_AND_CIVIL)
def test_implicit_hate_scores_above_a_civil_comment_on_the_same_group(hateful, civil):
    assert score(hateful).scores[HATE] > score(civil).scores[HATE]
    assert score(civil).scores[HATE] < DEFAULT_THRESHOLDS[HATE][0]


def test_negation_and_counter_speech_are_not_refused():
    refuse = DEFAULT_THRESHOLDS[HATE][1]
    for text in (
        "Muslims are not a cancer, that's bigoted.",
        "Saying that Jews secretly run the banks is an old antisemitic lie.",
        "I don't think immigrants are vermin, and whoever wrote that should be ashamed.",
    ):
        assert refuse is None or score(text).scores[HATE] < refuse


# all-MiniLM-L6-v2's embedding of this sentence by the reference implementation
# (sentence-transformers 6.3.0, transformers 5.25.0, torch 2.13.0 CPU): its first eight
# dimensions, rounded to 1e-5; the vector has norm 1.
REFERENCE_SENTENCE = "Muslims are not a cancer, that's bigoted."
REFERENCE_FIRST = [0.10465, 0.0969, -0.01919, -0.01025, -0.02199, 0.00634, 0.03935, -0.07473]
# The reference tokenizer's (tokenizers 0.23.3) word pieces for the text in the test.
REFERENCE_TOKENS = ["[CLS]", "unicode", "cafe", ":", "immigrants", "!", "[SEP]"]


def test_the_numpy_encoder_gives_the_reference_embedding():
    encoder = Encoder.load(adapter=None)  # the published weights, without the project's adapter
    vector = encoder.embed(REFERENCE_SENTENCE)
    assert vector.shape == (384,)
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)
    assert vector[: len(REFERENCE_FIRST)].tolist() == pytest.approx(REFERENCE_FIRST, abs=2e-3)


def test_wordpiece_splits_as_bert_does():
    tokenizer = language.load().encoder.tokenizer
    vocab = {index: token for token, index in tokenizer.vocab.items()}
    ids = tokenizer.ids("Ünïcödé café: immigrants!", 64)
    assert [vocab[i] for i in ids] == REFERENCE_TOKENS


@pytest.mark.parametrize("text", ["Middle.", "Root.", "Below.", "Jews.", "No."])
def test_a_word_or_two_is_left_to_the_linear_model_so_a_topic_alone_is_not_held(text, monkeypatch):
    def no_encoder(stretch):
        raise AssertionError(f"the encoder read {stretch!r}")

    monkeypatch.setattr(language.load().encoder, "embed", no_encoder)
    hold = language.DEFAULT_THRESHOLDS[language.HATE][0]
    assert score(text).scores[language.HATE] < hold


def test_a_slur_alone_is_still_found_without_the_encoder():
    hold = language.DEFAULT_THRESHOLDS[language.HATE][0]
    assert score("K1ke.").scores[language.HATE] >= hold


def test_the_selection_and_evaluation_sets_share_no_text_with_what_the_scorer_learns_from():
    """The selection set (for choosing between trained models) and the evaluation set (for
    the issue's targets) are kept apart from the training and dev files, and from each other:
    not one text in common, however it is spaced or capitalised."""

    def texts(examples) -> set[str]:
        return {" ".join(example.text.lower().split()) for example in examples}

    learned = texts(
        read_csv(calibration.DATA / "own_training.csv")
        + read_csv(calibration.OWN_DEV)
        + calibration.written(dev=False)
        + calibration.written(dev=True)
    )
    selection = texts(calibration.selection())
    evaluation = texts(
        read_csv(Path(__file__).resolve().parents[2] / "bench" / "language" / "evaluation.csv")
    )
    assert len(selection) >= 700 and len(evaluation) >= 500
    assert not selection & learned
    assert not evaluation & learned
    assert not selection & evaluation


def test_the_encoder_reads_emoji_by_name_and_skips_what_it_cannot_read():
    encoder = language.load().encoder
    vocab = {index: token for token, index in encoder.tokenizer.vocab.items()}
    assert [vocab[i] for i in encoder.ids("🐀 synagogue ✓")] == [
        "[CLS]", "rat", "synagogue", "check", "mark", "[SEP]",
    ]  # fmt: skip
    # A letter BERT's vocabulary lacks (Greek capital yot) was [UNK]: left out, not read.
    assert [vocab[i] for i in encoder.ids("\u037f late")] == ["[CLS]", "late", "[SEP]"]


@pytest.mark.parametrize(
    "text", ["The bus is late. ✓", "The bridge is late 🙂", "Great article, thanks 👍", "✓"]
)
def test_a_symbol_or_an_emoji_does_not_make_a_civil_comment_hateful(text):
    assert score(text).scores[HATE] < DEFAULT_THRESHOLDS[HATE][0]


def test_the_encoder_learns_from_the_text_it_reads_in_use():
    from comments.moderation.language.embedding_training import as_read
    from comments.moderation.language.labels import Example

    read = as_read(
        language.load().linear,
        [Example("J3ws 0wn th3 b4nks!", 1, 0), Example("🐀🐀 at the synagogue", 1, 0)],
    )
    assert [example.text for example in read] == [
        "jews own the banks!",
        "🐀🐀 at the synagogue",  # what stands before the first word is kept
    ]
    assert read[0].hate == 1


def test_the_linear_model_alone_is_held_where_its_own_thresholds_would_hold_it():
    linear = language.load().linear
    for category in CATEGORIES:
        alone, combined = linear.alone_thresholds[category], linear.thresholds[category]
        assert linear.alone_onto(alone[0], category) == pytest.approx(combined[0])
        if alone[1] is not None:
            assert linear.alone_onto(alone[1], category) == pytest.approx(combined[1])
        mapped = [linear.alone_onto(p / 100, category) for p in range(1, 100)]
        assert mapped == sorted(mapped)  # the order of scores is kept


def test_without_the_encoder_the_linear_model_decides_by_its_own_thresholds():
    from comments.moderation.language.combined import Scorer

    linear = language.load().linear
    alone = Scorer(linear, None, None)  # as when requirements-models.txt is not installed
    hold = DEFAULT_THRESHOLDS[HATE][0]
    assert alone.score("Muslims are a cancer on this country.")[0][HATE] >= hold
    assert alone.score("Muslim parents asked the school for a prayer room.")[0][HATE] < hold
    own = linear.alone_thresholds[HATE][0]
    for text in ("Jews own the banks and the media.", "The synagogue asked for more patrols."):
        probability = linear.probability(max(alone.parts(text)[1][HATE]), HATE)
        assert (alone.score(text)[0][HATE] >= hold) == (probability >= own)
