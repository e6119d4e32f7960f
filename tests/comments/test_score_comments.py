"""``manage.py score_comments FILE``: one comment per line in, exactly one line out per line in
(``DECISION hate=0.123 offensive=0.045``), blank lines too, from a file or standard input;
the decision the site would make for a new guest, with nothing written."""

from __future__ import annotations

import io
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from comments.models import Comment, CommentScore, LanguagePolicy, WordRule
from tests.comments.language_support import CIVIL, COUNTER, HATEFUL, RUDE, UNSURE
from tests.processes import ROOT, process_environment

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("moderation_policy")]


def run(*args, stdin: bytes | None = None, monkeypatch=None) -> list[str]:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
    call_command("score_comments", *args, stdout=out)
    return out.getvalue().split("\n")


def test_each_line_gets_one_decision_with_three_decimal_scores(tmp_path, scorer):
    source = tmp_path / "comments.txt"
    source.write_text("\n".join([CIVIL, UNSURE, HATEFUL, RUDE, COUNTER]) + "\n")
    assert run(str(source)) == [
        "publish hate=0.000 offensive=0.000",
        "hold hate=0.620 offensive=0.080",
        "refuse hate=0.960 offensive=0.410",
        "hold hate=0.040 offensive=0.810",
        "publish hate=0.310 offensive=0.120",
        "",
    ]


def test_blank_lines_get_a_line_each(tmp_path, scorer):
    source = tmp_path / "comments.txt"
    source.write_bytes(f"\n{CIVIL}\n\n   \r\n{UNSURE}".encode())  # no newline at the end
    assert run(str(source)) == [
        "refuse hate=0.000 offensive=0.000",  # an empty comment is refused
        "publish hate=0.000 offensive=0.000",
        "refuse hate=0.000 offensive=0.000",
        "refuse hate=0.000 offensive=0.000",
        "hold hate=0.620 offensive=0.080",
        "",
    ]


def test_lines_split_only_at_newlines(tmp_path, scorer):
    # A line separator, a form feed or a lone carriage return inside a line do not end it.
    source = tmp_path / "comments.txt"
    source.write_bytes("one\u2028two\nthree\x0cfour\nfive\rsix\n".encode())
    assert len(run(str(source))) == 4  # three lines, then the end


def test_standard_input_with_a_dash(scorer, monkeypatch):
    lines = run("-", stdin=f"{HATEFUL}\n\n{CIVIL}\n".encode(), monkeypatch=monkeypatch)
    assert lines == [
        "refuse hate=0.960 offensive=0.410",
        "refuse hate=0.000 offensive=0.000",
        "publish hate=0.000 offensive=0.000",
        "",
    ]


def test_word_rules_links_and_new_commenter_rules_apply(tmp_path, scorer, settings):
    WordRule.objects.create(phrase="commute", action=WordRule.Action.BAN)
    WordRule.objects.create(phrase="town", action=WordRule.Action.SUSPECT)
    settings.COMMENTS_MAX_LINKS = 1
    source = tmp_path / "comments.txt"
    source.write_text(f"{CIVIL}\nsee a.example.org and b.example.org\nOur town.\nHello.\n")
    assert run(str(source))[:4] == [
        "refuse hate=0.000 offensive=0.000",
        "refuse hate=0.000 offensive=0.000",
        "hold hate=0.000 offensive=0.000",
        "publish hate=0.000 offensive=0.000",
    ]
    settings.COMMENTS_PREMODERATE_FIRST_TIMERS = True
    assert run(str(source))[3] == "hold hate=0.000 offensive=0.000"  # a new guest is held


def test_the_external_scorer_is_asked_as_configured(tmp_path, scorer, external):
    external.scores = {"IDENTITY_ATTACK": 0.75, "TOXICITY": 0.05}
    source = tmp_path / "comments.txt"
    source.write_text(f"{CIVIL}\n")
    assert run(str(source))[0] == "hold hate=0.750 offensive=0.050"
    external.mode = "slow"
    assert run(str(source))[0] == "hold hate=0.000 offensive=0.000"


def test_shadow_mode_decides_nothing(tmp_path, scorer):
    LanguagePolicy.objects.filter(pk=LanguagePolicy.SITE).update(shadow_mode=True)
    source = tmp_path / "comments.txt"
    source.write_text(f"{HATEFUL}\n")
    assert run(str(source))[0] == "publish hate=0.960 offensive=0.410"


def test_nothing_is_written(tmp_path, scorer, settings):
    settings.COMMENTS_RATE_LIMITS = "1/minute"  # the site's limits do not apply to a trial
    source = tmp_path / "comments.txt"
    source.write_text(f"{CIVIL}\n{CIVIL}\n{UNSURE}\n")
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM newsroom_counter")
        counters = cursor.fetchone()[0]
    assert run(str(source))[:3] == [
        "publish hate=0.000 offensive=0.000",
        "publish hate=0.000 offensive=0.000",
        "hold hate=0.620 offensive=0.080",
    ]
    assert (Comment.objects.count(), CommentScore.objects.count()) == (0, 0)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM newsroom_counter")
        assert cursor.fetchone()[0] == counters


def test_a_missing_file_is_a_clear_error(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("score_comments", str(tmp_path / "nope.txt"))


@pytest.mark.django_db(transaction=True)
def test_a_real_process_reads_standard_input(moderation_policy):
    """As an operator runs it: a pipe into manage.py (the model's own scores, zero today)."""
    WordRule.objects.create(phrase="vermin", action=WordRule.Action.BAN)
    piped = b"Immigrants are vermin.\n\nA fine bridge.\n"
    result = subprocess.run(
        [sys.executable, "manage.py", "score_comments", "-"],
        input=piped,
        capture_output=True,
        cwd=ROOT,
        env=process_environment(COMMENTS_EXTERNAL_SCORER_URL=""),
        timeout=120,
        check=True,
    )
    lines = result.stdout.decode().split("\n")
    assert len(lines) == 4 and lines[3] == ""
    assert [line.split(" ")[0] for line in lines[:3]] == ["refuse", "refuse", "publish"]
    for line in lines[:3]:
        assert re.fullmatch(r"(publish|hold|refuse) hate=[01]\.\d{3} offensive=[01]\.\d{3}", line)
