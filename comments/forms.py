"""Comment forms validate shape: lengths, formats, the parent, the form's age. Policy (rate
limits, bans, words, moderation) is the services' business."""

from __future__ import annotations

import time

from django import forms
from django.conf import settings
from django.core import signing
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from comments import formatting, passages
from comments.domain import CommentRefused, reply_target
from comments.models import Comment, Flag
from comments.notifications.forms import NotifyField

TIMESTAMP_SALT = "comments.form-timestamp"


def form_timestamp(now: float | None = None) -> str:
    return signing.dumps(int(now if now is not None else time.time()), salt=TIMESTAMP_SALT)


class BodyField(forms.CharField):
    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("label", _("Your comment"))
        kwargs.setdefault("max_length", Comment._meta.get_field("body").max_length)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 5}))
        kwargs.setdefault(
            "error_messages",
            {
                "required": _("Write something before you post."),
                "max_length": _(
                    "Comments can be at most %(limit_value)d characters "
                    "(this one has %(show_value)d)."
                ),
            },
        )
        super().__init__(strip=False, **kwargs)

    def to_python(self, value):
        text = super().to_python(value) or ""
        return formatting.normalise(formatting.strip_format_characters(text))

    def validate(self, value: str) -> None:
        super().validate(value)
        if formatting.has_control_characters(value):
            raise forms.ValidationError(
                _("Your comment contains invisible control characters; please remove them."),
                code="control",
            )


class CommentForm(forms.Form):
    """A new comment or reply, from a guest (name and email) or a signed-in reader."""

    body = BodyField()
    name = forms.CharField(
        label=_("Name"),
        max_length=Comment._meta.get_field("guest_name").max_length,
        required=False,
        help_text=_("Shown with your comment."),
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        help_text=_("Never shown. Used only if we need to contact you about your comment."),
    )
    notify = NotifyField()
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    # A comment on one passage of the article (comments.passages): its paragraph and the
    # words selected in it; a radio list of paragraphs when ``choose_passage`` is on.
    passage = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=32767
    )
    quote = forms.CharField(required=False, widget=forms.HiddenInput, max_length=5000)
    choose_passage = forms.BooleanField(required=False, widget=forms.HiddenInput)
    # Spam traps: a field people never see, and a signed time the form was shown.
    website = forms.CharField(
        label=_("Leave this field empty"), required=False, widget=forms.TextInput(
            attrs={"autocomplete": "off", "tabindex": "-1"}
        )
    )  # fmt: skip
    ts = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args, article: Article, user=None, choose_passage: bool = False, **kwargs
    ) -> None:
        super().__init__(*args, **kwargs)
        self.article = article
        self.user = user
        self.fields["ts"].initial = form_timestamp()
        if choose_passage or forms.BooleanField().to_python(self.data.get("choose_passage")):
            self._offer_passages()
        if user is not None and user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]
        else:
            self.fields["name"].required = True
            self.fields["email"].required = True
            self.fields["name"].error_messages["required"] = _("Tell us the name to show.")
            self.fields["email"].error_messages["required"] = _(
                "Give an email address; it is never shown."
            )
            self.fields["name"].widget.attrs["autocomplete"] = "name"
            self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data.get("name", "").split())
        if formatting.has_control_characters(name):
            raise forms.ValidationError(_("Names cannot contain control characters."))
        if formatting.has_format_characters(name):
            raise forms.ValidationError(
                _("Names cannot contain invisible formatting characters."), code="format"
            )
        if self.fields["name"].required and not name:
            raise forms.ValidationError(_("Tell us the name to show."))
        return name

    def clean_parent(self) -> Comment | None:
        parent_id = self.cleaned_data.get("parent")
        if not parent_id:
            return None
        try:
            return reply_target(Comment.objects.filter(pk=parent_id).first(), article=self.article)
        except CommentRefused as refusal:
            raise forms.ValidationError(refusal.message, code=refusal.code) from None

    def _offer_passages(self) -> None:
        """Show the article's paragraphs to choose from (readers without JavaScript)."""
        self.initial["choose_passage"] = True
        self.fields["passage"] = forms.TypedChoiceField(
            label=_("The passage your comment is about"),
            choices=[
                (number, Truncator(text).chars(passages.WHOLE_PARAGRAPH_SHOWN))
                for number, text in enumerate(passages.article_paragraphs(self.article), 1)
            ],
            coerce=int,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose the passage your comment is about."),
                "invalid_choice": passages.NO_SUCH_PASSAGE,
            },
        )

    @property
    def choosing_passage(self) -> bool:
        return not self.fields["passage"].widget.is_hidden

    def clean(self) -> dict:
        data = super().clean()
        number = data.get("passage")  # becomes a passages.Passage, or stays None
        if number is None:
            return data
        if data.get("parent"):
            refusal = forms.ValidationError(passages.NOT_IN_A_REPLY, code="passage")
            self.add_error("passage", refusal)
            return data
        try:
            data["passage"] = passages.choose(self.article, number, data.get("quote", ""))
        except CommentRefused as refusal:
            self.add_error("passage", forms.ValidationError(refusal.message, code="passage"))
        return data

    def clean_website(self) -> str:
        if self.cleaned_data.get("website"):
            raise forms.ValidationError(
                _("Your comment could not be posted. Leave the last field empty."),
                code="honeypot",
            )
        return ""

    def clean_ts(self) -> str:
        value = self.cleaned_data.get("ts", "")
        try:
            shown_at = signing.loads(
                value, salt=TIMESTAMP_SALT, max_age=settings.COMMENTS_FORM_MAX_AGE
            )
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("This form was open for too long. Check your comment and post it again."),
                code="expired",
            ) from None
        except signing.BadSignature:
            raise forms.ValidationError(
                _("This form has expired. Check your comment and post it again."),
                code="expired",
            ) from None
        if time.time() - shown_at < settings.COMMENTS_FORM_MIN_SECONDS:
            raise forms.ValidationError(
                _("That was very fast. Please check your comment and post it again."),
                code="too_fast",
            )
        return value

    @property
    def refreshed(self) -> CommentForm:
        """This form, its errors kept, showing a new timestamp so the reader can send it again."""
        if self._errors is None:  # validate first: the errors shown are about what was sent
            self.full_clean()
        data = self.data.copy()
        data["ts"] = form_timestamp()
        self.data = data
        return self


class EditForm(forms.Form):
    body = BodyField()


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong with this comment?"),
        choices=Flag.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason for the report.")},
    )
    details = forms.CharField(
        label=_("Anything moderators should know? (optional)"),
        max_length=Flag._meta.get_field("details").max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
