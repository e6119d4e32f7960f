"""Automatic checks before a comment is saved, in the order a reader meets them: bans, rate
limits; then the phases that read the comment, as Coral's are ordered: word rules (banned
words refuse, suspect words hold), link and new-commenter rules, the language scorer and the
optional external scorer (``language_checks``); then repeats and the spam checker; and the
verdict: publish, hold or refuse."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from articles.models import Article
from comments import formatting
from comments.domain import Commenter, CommentRefused, is_moderator
from comments.models import Ban, Comment, Status, WordRule
from comments.moderation import language_checks
from comments.review.models import Phase
from comments.spam import Verdict, get_spam_checker
from newsroom import ratelimit

# One token of text that the page would turn into a link (see comments.formatting, urlize).
_LINKISH = re.compile(r"(?i)https?://|^\W*www\.|\w\.(?:com|net|org|edu|gov|int|mil)\b|\w@\w")


@dataclass(frozen=True)
class Screening:
    """The verdict on a comment about to be saved; ``reason`` says why it was held."""

    status: str
    reason: str = ""
    # The language scores, kept with the comment (not part of the verdict's identity).
    language: language_checks.Verdict | None = field(default=None, compare=False)


# --- Bans ----------------------------------------------------------------------------------


def active_ban_for(author: Commenter, now: datetime | None = None) -> Ban | None:
    """The active ban that covers this commenter's account, email or address, if any."""
    bans = Ban.objects.active(now)
    names = Q()
    if author.user is not None:
        names |= Q(user=author.user)
    if author.email:
        names |= Q(email__iexact=author.email)
    if names:
        # The longest ban speaks: one that never ends, else the latest to end.
        ban = bans.filter(names).order_by(F("ends_at").desc(nulls_first=True)).first()
        if ban is not None:
            return ban
    if author.ip:
        for ban in bans.exclude(network="").order_by("-created_at"):
            if ban.covers_address(author.ip):
                return ban
    return None


def _check_bans(author: Commenter, now: datetime) -> None:
    ban = active_ban_for(author, now)
    if ban is None:
        return
    if ban.ends_at is None:
        message = _(
            "You are not able to post comments on this site. "
            "If you think this is a mistake, please contact us."
        )
    else:
        until = formats.date_format(timezone.localtime(ban.ends_at), "DATETIME_FORMAT")
        message = _(
            "You are not able to post comments on this site until %(date)s. "
            "If you think this is a mistake, please contact us."
        ) % {"date": until}
    raise CommentRefused(message, status=403, code="banned")


# --- Rate limits ---------------------------------------------------------------------------


def _check_rate(author: Commenter, now: datetime) -> None:
    rates = ratelimit.parse_rates(settings.COMMENTS_RATE_LIMITS)
    if not rates:
        return
    # IPv6 by /64: one household or phone can take any address in it.
    exceeded = ratelimit.hit({"ip": author.network, "who": author.identity}, rates, now)
    _refuse_if_exceeded(
        exceeded,
        lambda minutes: ngettext(
            "You are posting faster than we can keep up with. Please wait a minute and try again.",
            "You are posting faster than we can keep up with. "
            "Please wait %(minutes)d minutes and try again.",
            minutes,
        ),
    )


def _check_edit_rate(author: Commenter, comment: Comment, now: datetime) -> None:
    """Edits count per comment and per author (each one runs the spam checker again)."""
    rates = ratelimit.parse_rates(settings.COMMENTS_EDIT_RATE_LIMITS)
    if not rates:
        return
    identities = {"edit-comment": str(comment.pk), "edit-who": author.identity}
    exceeded = ratelimit.hit(identities, rates, now)
    _refuse_if_exceeded(
        exceeded,
        lambda minutes: ngettext(
            "You are editing faster than we can keep up with. Please wait a minute and try again.",
            "You are editing faster than we can keep up with. "
            "Please wait %(minutes)d minutes and try again.",
            minutes,
        ),
    )


def _refuse_if_exceeded(exceeded: ratelimit.Exceeded | None, message: Callable[[int], str]) -> None:
    """Refuse (``CommentRefused.rate_limited``) when a limit was exceeded."""
    if exceeded is not None:
        raise CommentRefused.rate_limited(message, retry_after=exceeded.retry_after)


# --- Content -------------------------------------------------------------------------------


def count_links(body: str) -> int:
    """How many links the page would show: web addresses, bare domains and emails."""
    return sum(1 for token in body.split() if _LINKISH.search(token))


def _check_links(body: str) -> None:
    limit = settings.COMMENTS_MAX_LINKS
    if count_links(body) > limit:
        message = ngettext(
            "Comments can include at most %(limit)d link. Please remove some and post again.",
            "Comments can include at most %(limit)d links. Please remove some and post again.",
            limit,
        ) % {"limit": limit}
        if limit == 0:
            message = _("Comments cannot include links. Please remove them and post again.")
        raise CommentRefused(message, code="too_many_links")


def normalise_text(text: str) -> str:
    """The text's skeleton (``comments.formatting.skeleton``): "Ｓｔｒａßｅ", "STRASSE" and
    "strasse" typed with a Cyrillic "s" compare equal."""
    return formatting.skeleton(text)


@lru_cache(maxsize=8)
def _words_pattern(phrases: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    by_key: dict[str, str] = {}
    alternatives = []
    for phrase in sorted(phrases, key=len, reverse=True):  # longest first
        words = normalise_text(phrase).split()
        if not words:
            continue
        by_key[" ".join(words)] = phrase
        alternatives.append(r"\s+".join(re.escape(word) for word in words))
    pattern = r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)" if alternatives else r"(?!)"
    return re.compile(pattern), by_key


def find_phrases(body: str, phrases: list[str] | tuple[str, ...]) -> list[str]:
    """The phrases that occur in ``body`` as whole words, ignoring case (any script)."""
    if not phrases:
        return []
    pattern, by_key = _words_pattern(tuple(phrases))
    found: dict[str, None] = {}
    for match in pattern.finditer(normalise_text(body)):
        found[by_key[" ".join(match.group().split())]] = None
    return list(found)


def _word_rules() -> dict[str, list[str]]:
    rules: dict[str, list[str]] = {WordRule.Action.BAN: [], WordRule.Action.SUSPECT: []}
    for phrase, action in WordRule.objects.values_list("phrase", "action"):
        rules.setdefault(action, []).append(phrase)
    return rules


def _refuse_banned_words(found: list[str]) -> None:
    words = ", ".join(f"“{word}”" for word in found)
    message = ngettext(
        "Your comment uses a word that is not allowed here (%(words)s). "
        "Please rephrase it and post again.",
        "Your comment uses words that are not allowed here (%(words)s). "
        "Please rephrase it and post again.",
        len(found),
    ) % {"words": words}
    raise CommentRefused(message, code="banned_words")


def _mine(author: Commenter, *, by_email: bool) -> Q | None:
    """The commenter's earlier comments: by account; a guest by browser key (a secret), and
    also by email when ``by_email`` (emails are not verified, so never for trust)."""
    by_email = by_email and author.user is None and bool(author.email)
    if not author.key and not by_email:
        return None
    mine = author.own_filter()
    if by_email:
        mine |= Q(user__isnull=True, guest_email__iexact=author.email)
    return mine


def check_duplicate(author: Commenter, body: str, now: datetime, editing: Comment | None) -> None:
    """Refuse the same text from the same commenter within ``COMMENTS_DUPLICATE_WINDOW``."""
    seconds = settings.COMMENTS_DUPLICATE_WINDOW
    mine = _mine(author, by_email=True)
    if seconds <= 0 or mine is None:
        return
    recent = Comment.objects.filter(mine, created_at__gte=now - timedelta(seconds=seconds))
    if editing is not None:
        recent = recent.exclude(pk=editing.pk)
    text = " ".join(normalise_text(body).split())
    for earlier in recent.order_by("-created_at").values_list("body", flat=True)[:50]:
        if " ".join(normalise_text(earlier).split()) == text:
            raise CommentRefused(
                _("You posted this same comment a moment ago, so it was not posted again."),
                status=409,
                code="duplicate",
            )


# --- Moderation mode and trust ---------------------------------------------------------------


def is_trusted(author: Commenter) -> bool:
    """Trusted commenters have at least ``COMMENTS_TRUSTED_AFTER`` approved comments and none
    marked as spam or removed."""
    mine = _mine(author, by_email=False)
    if mine is None:
        return False
    counts = Comment.objects.filter(mine).aggregate(
        approved=Count("pk", filter=Q(status=Status.APPROVED)),
        bad=Count("pk", filter=Q(status__in=[Status.SPAM, Status.REMOVED])),
    )
    return counts["approved"] >= settings.COMMENTS_TRUSTED_AFTER and not counts["bad"]


def _mode_hold(article: Article, author: Commenter) -> str:
    """Why the moderation mode holds this comment ("" when it does not).

    An article's own pre-moderation (a legal or sensitive story) holds everyone; site-wide
    and first-timer pre-moderation let trusted commenters through.
    """
    if article.comments_premoderated:
        return _("the article is pre-moderated")
    premoderate = settings.COMMENTS_PREMODERATE
    if (premoderate or settings.COMMENTS_PREMODERATE_FIRST_TIMERS) and not is_trusted(author):
        return _("all comments are pre-moderated") if premoderate else _("new commenter")
    return ""


def assess(
    *,
    article: Article,
    parent: Comment | None,
    author: Commenter,
    body: str,
    now: datetime,
    editing: Comment | None = None,
) -> Screening:
    """Run every check. Returns the status to save with the reason it was held (and the
    language scores, to keep with the comment), or raises ``CommentRefused`` (banned 403, rate
    limited 429, banned words, links, the language checks, repeat)."""
    moderator = is_moderator(author.user)
    _check_bans(author, now)
    if editing is None and not moderator:
        _check_rate(author, now)
    elif editing is not None and not moderator:
        _check_edit_rate(author, editing, now)
    rules = _word_rules()
    banned = find_phrases(body, rules[WordRule.Action.BAN])
    if banned:
        _refuse_banned_words(banned)
    _check_links(body)
    check_duplicate(author, body, now, editing)
    if moderator:
        return Screening(Status.APPROVED)
    held = []
    suspect = find_phrases(body, rules[WordRule.Action.SUSPECT])
    if suspect:
        held.append(_("suspect words: %(words)s") % {"words": ", ".join(suspect)})
    mode = _mode_hold(article, author)
    if mode:
        held.append(mode)
    held_by = Phase.WORDS if suspect else Phase.LINKS if mode else Phase.NONE
    language = language_checks.check(body, held_by=held_by)  # may refuse, with its reasons
    if language.holds:
        held.append(language.reason)
    checker = get_spam_checker()
    if checker is not None:
        verdict = checker.check(article=article, parent=parent, author=author, body=body)
        if verdict == Verdict.SPAM:
            return Screening(Status.SPAM, _("the spam checker called it spam"), language)
        if verdict == Verdict.SUSPECT:
            held.append(_("the spam checker suspects it"))
    if held:
        return Screening(Status.PENDING, "; ".join(held), language)
    return Screening(Status.APPROVED, language=language)
