"""The forms of the moderation desk: the action bar, a moderator's edit, bans, word rules.
They check shape; ``comments.moderation`` decides policy."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import forms
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from comments import moderation
from comments.models import Ban, Comment, WordRule

BAN_LENGTHS = [
    ("1", _("1 day")),
    ("7", _("7 days")),
    ("30", _("30 days")),
    ("365", _("1 year")),
    ("", _("good")),
]


class ModerationActionForm(helpers.ActionForm):
    """The action bar: a reason for the audit trail, and how long a ban lasts."""

    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)
    ban_for = forms.ChoiceField(
        label=_("Ban for"), required=False, choices=BAN_LENGTHS, initial="7"
    )


def action_options(request: HttpRequest) -> tuple[str, datetime | None]:
    """The reason and the ban's end chosen in the action bar."""
    reason = request.POST.get("reason", "").strip()[:300]
    days = request.POST.get("ban_for", "7")
    ends_at = timezone.now() + timedelta(days=int(days)) if days.isdigit() else None
    return reason, ends_at


class CommentModerationForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason for this change"),
        required=False,
        max_length=300,
        help_text=_("Kept in the comment's history with the change."),
    )

    class Meta:
        model = Comment
        fields = ["status", "is_featured", "moderator_note"]


class BanForm(forms.ModelForm):
    class Meta:
        model = Ban
        fields = ["user", "email", "network", "ends_at", "reason"]

    def clean_network(self) -> str:
        return moderation.normalise_network(self.cleaned_data.get("network", ""))


class WordRuleForm(forms.ModelForm):
    class Meta:
        model = WordRule
        fields = ["phrase", "action"]

    def clean_phrase(self) -> str:
        phrase = " ".join(self.cleaned_data["phrase"].split())
        if not phrase:
            raise ValidationError(_("Enter a word or phrase."))
        taken = WordRule.objects.filter(phrase__iexact=phrase).exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("That word or phrase already has a rule."))
        return phrase
