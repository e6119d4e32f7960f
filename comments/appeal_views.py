"""The author's side of a removal: the statement of reasons and the appeal form, opened by
the signed link (emailed, or shown beside their own removed comment). No account needed."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from comments.domain import CommentRefused
from comments.moderation import appeals


class AppealForm(forms.Form):
    statement = forms.CharField(
        label=gettext_lazy("Why should your comment be reinstated?"),
        help_text=gettext_lazy(
            "For example: what you meant, the context, or why you think the rule does not apply. "
            "A moderator who did not make the decision will read it."
        ),
        max_length=appeals.MAX_STATEMENT,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": gettext_lazy("Explain why the comment should be reinstated.")},
    )


@require_http_methods(["GET", "POST"])
def appeal(request: HttpRequest, token: str) -> HttpResponse:
    """Show why the comment was removed and take the author's appeal."""
    comment = appeals.comment_for_token(token)
    if comment is None:
        return render(
            request,
            "comments/notifications/link.html",
            {
                "title": _("This link is not valid"),
                "message": _(
                    "The link may have been cut short, or the time to appeal has passed. Copy "
                    "the whole link from the email."
                ),
            },
            status=400,
        )
    reasons = appeals.statement_for(comment)
    form = AppealForm(request.POST or None)
    status = 200
    if request.method == "POST" and reasons is not None and form.is_valid():
        try:
            appeals.submit(comment=comment, statement=form.cleaned_data["statement"])
        except CommentRefused as refusal:
            form.add_error(None, refusal.message)
            status = refusal.status
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your appeal is in the moderators' queue; a moderator who did "
                    "not make the first decision will decide it."
                ),
            )
            return redirect(request.path)
    elif request.method == "POST":
        status = 400 if reasons is not None else 409
    context = {"comment": comment, "article": comment.article, "reasons": reasons, "form": form}
    return render(request, "comments/appeal.html", context, status=status)
