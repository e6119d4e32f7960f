"""The optional external scorer: a Perspective-compatible HTTP endpoint the newsroom runs
itself (``COMMENTS_EXTERNAL_SCORER_URL``), asked after the offline scorer.

Request and answer follow Perspective's ``comments:analyze``::

    POST {"comment": {"text": "..."},
          "requestedAttributes": {"IDENTITY_ATTACK": {}, "TOXICITY": {}}}
    200  {"attributeScores": {"IDENTITY_ATTACK": {"summaryScore": {"value": 0.91}}, ...}}

An answer that does not come within ``COMMENTS_EXTERNAL_SCORER_TIMEOUT`` seconds, a refused
connection, a status other than 200, or a body without a score in [0, 1] for every attribute
raises ``ExternalScorerFailed``: the caller holds the comment, never publishes it unchecked.
"""

from __future__ import annotations

import http.client
import json
import math
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.utils.translation import gettext as _

from comments.moderation.language import HATE, OFFENSIVE

# Our categories, and the Perspective attribute that scores each.
ATTRIBUTES: dict[str, str] = {HATE: "IDENTITY_ATTACK", OFFENSIVE: "TOXICITY"}
# Perspective answers are small; anything much larger is not one.
MAX_ANSWER_BYTES = 64 * 1024


class ExternalScorerFailed(Exception):
    """The external scorer gave no usable answer; ``reason`` says how, for moderators."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_configured() -> bool:
    return bool(settings.COMMENTS_EXTERNAL_SCORER_URL)


def request_body(text: str) -> bytes:
    attributes = {name: {} for name in ATTRIBUTES.values()}
    return json.dumps({"comment": {"text": text}, "requestedAttributes": attributes}).encode()


def parse(body: bytes) -> dict[str, float]:
    """The scores per category in a Perspective answer, or ``ExternalScorerFailed``."""
    try:
        data = json.loads(body.decode("utf-8"))
        attribute_scores = data["attributeScores"]
        scores = {}
        for category, attribute in ATTRIBUTES.items():
            value = attribute_scores[attribute]["summaryScore"]["value"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TypeError(value)
            if not math.isfinite(value) or not 0 <= value <= 1:
                raise ValueError(value)
            scores[category] = float(value)
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise ExternalScorerFailed(_("the external scorer's answer could not be read")) from None
    return scores


def score(text: str) -> dict[str, float]:
    """Ask the external scorer about ``text``: scores per category (see ``ATTRIBUTES``)."""
    url = settings.COMMENTS_EXTERNAL_SCORER_URL
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):  # never file:// and the like
        raise ExternalScorerFailed(_("the external scorer could not be reached"))
    request = urllib.request.Request(
        url,
        data=request_body(text),
        headers={"Content-Type": "application/json", "Accept": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(  # the operator's own URL
            request, timeout=settings.COMMENTS_EXTERNAL_SCORER_TIMEOUT
        ) as response:
            if response.status != 200:
                raise ExternalScorerFailed(
                    _("the external scorer answered with status %(status)d")
                    % {"status": response.status}
                )
            body = response.read(MAX_ANSWER_BYTES + 1)
    except urllib.error.HTTPError as error:
        raise ExternalScorerFailed(
            _("the external scorer answered with status %(status)d") % {"status": error.code}
        ) from None
    except TimeoutError:
        raise ExternalScorerFailed(_("the external scorer did not answer in time")) from None
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise ExternalScorerFailed(_("the external scorer did not answer in time")) from None
        raise ExternalScorerFailed(_("the external scorer could not be reached")) from None
    except (OSError, ValueError, http.client.HTTPException):  # reset, bad URL or status line
        raise ExternalScorerFailed(_("the external scorer could not be reached")) from None
    if len(body) > MAX_ANSWER_BYTES:
        raise ExternalScorerFailed(_("the external scorer's answer could not be read"))
    return parse(body)
