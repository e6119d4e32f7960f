"""The forms of following a discussion: shape only (the services decide the rest)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.notifications.models import Delivery, Kind

NOTIFY_CHOICES = [("", _("Nothing")), *Kind.choices]


class NotifyField(forms.ChoiceField):
    """The comment form's "Notify of" choice: nothing, replies to my comments, or all."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Notify me of"))
        kwargs.setdefault("choices", NOTIFY_CHOICES)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("By email. Guests confirm by a link we send."))
        super().__init__(**kwargs)


class FollowForm(forms.Form):
    """Follow a discussion without commenting (guests give an address to confirm)."""

    email = forms.EmailField(
        label=_("Your email"),
        max_length=254,
        required=False,
        error_messages={"invalid": _("Enter a valid email address to subscribe.")},
    )
    kind = forms.ChoiceField(
        label=_("Notify me of"), choices=Kind.choices, initial=Kind.ALL, widget=forms.HiddenInput
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and user.is_authenticated:
            del self.fields["email"]
        else:
            self.fields["email"].required = True
            self.fields["email"].error_messages["required"] = _(
                "Give the email address to send notifications to."
            )
            self.fields["email"].widget.attrs["autocomplete"] = "email"


class ChangeForm(forms.Form):
    """An account holder's choices for one of their subscriptions: what ("" ends it) and
    when (left out: unchanged)."""

    kind = forms.ChoiceField(label=_("Notify me of"), choices=NOTIFY_CHOICES, required=False)
    delivery = forms.ChoiceField(
        label=_("Send"),
        choices=Delivery.choices,
        required=False,
        help_text=_("At once: the first within a minute, then one email every few minutes."),
    )
