"""Following discussions: the follow form, the emailed links, and the account page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from comments import identity
from comments.notifications import subscriptions
from comments.notifications.forms import ChangeForm, FollowForm
from comments.notifications.links import LinkProblem
from comments.notifications.models import Subscription
from newsroom.csrf import cross_origin_protected

PROBLEMS = {
    LinkProblem.INVALID: (
        400,
        gettext_lazy("This link is not valid"),
        gettext_lazy(
            "The link may have been cut short or changed. Copy the whole link from the email."
        ),
    ),
    LinkProblem.EXPIRED: (
        400,
        gettext_lazy("This link has expired"),
        gettext_lazy(
            "Confirmation links are valid for a limited time. Follow the discussion again to get "
            "a new one."
        ),
    ),
    LinkProblem.GONE: (
        410,
        gettext_lazy("This subscription no longer exists"),
        gettext_lazy(
            "It was cancelled, so there is nothing left to do. You will not get these emails."
        ),
    ),
}


def _link_page(request, *, title, message, article=None, status=200) -> HttpResponse:
    return render(
        request,
        "comments/notifications/link.html",
        {"title": title, "message": message, "article": article},
        status=status,
    )


def _problem_page(request, problem: LinkProblem) -> HttpResponse:
    status, title, message = PROBLEMS[problem]
    return _link_page(request, title=str(title), message=str(message), status=status)


@cross_origin_protected
@require_POST
def follow(request: HttpRequest, article_id: int) -> HttpResponse:
    """Follow a discussion without commenting."""
    try:
        article = Article.objects.published().get(pk=article_id)
    except Article.DoesNotExist:
        raise Http404 from None
    if not article.accepts_comments():  # nothing new can come: there is nothing to follow
        return render(request, "comments/closed.html", {"article": article}, status=403)
    form = FollowForm(request.POST, user=request.user)
    refusal = None
    if form.is_valid():
        try:
            outcome = subscriptions.subscribe(
                article=article,
                kind=form.cleaned_data["kind"],
                user=request.user if request.user.is_authenticated else None,
                email=form.cleaned_data.get("email", ""),
                ip=identity.client_ip(request),
            )
        except subscriptions.SubscriptionRefused as error:
            refusal = error.message
        else:
            messages.success(request, outcome.message)
            return redirect(f"{article.get_absolute_url()}#comments")
    return render(
        request,
        "comments/notifications/follow.html",
        {"article": article, "form": form, "refusal": refusal},
        status=400,
    )


@csrf_exempt  # the signed link is the permission; another site cannot know it
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """Opening the link (GET) asks, with one button; only the button's POST confirms. Mail
    scanners open every link in a message, and must not subscribe anyone."""
    if request.method == "GET":
        subscription, problem = subscriptions.to_confirm(token)
        if problem is not None:
            return _problem_page(request, problem)
        if subscription.confirmed_at is None:
            return render(
                request,
                "comments/notifications/confirm.html",
                {"article": subscription.article},
            )
        already = True
    else:
        subscription, problem, already = subscriptions.confirm(token)
        if problem is not None:
            return _problem_page(request, problem)
    return _link_page(
        request,
        title=_("Subscription confirmed"),
        message=_("This subscription was already confirmed. Nothing has changed.")
        if already
        else _("You will get an email when there is news in this discussion."),
        article=subscription.article,
    )


@csrf_exempt  # RFC 8058: mail clients POST "List-Unsubscribe=One-Click" with no token
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """No sign-in: the signed link is the permission. Opening the link (GET) asks, with one
    button; only a POST unsubscribes: the button, or a mail client's RFC 8058 one-click POST.
    Mail scanners that open every link in a message then unsubscribe nobody."""
    if request.method == "POST":
        subscription, problem = subscriptions.unsubscribe(token)
    else:
        subscription, problem = subscriptions.to_unsubscribe(token)
    if problem is LinkProblem.GONE:
        return _link_page(
            request,
            title=_("You are unsubscribed"),
            message=_("You had already unsubscribed. You will not get these emails."),
        )
    if problem is not None:
        return _problem_page(request, problem)
    if request.method == "GET":
        return render(
            request,
            "comments/notifications/unsubscribe.html",
            {"article": subscription.article},
        )
    return _link_page(
        request,
        title=_("You are unsubscribed"),
        message=_("Done: you will get no more emails about this discussion."),
        article=subscription.article,
    )


@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    """The discussions a signed-in reader follows, each with its choice."""
    entries = [
        (
            subscription,
            ChangeForm(
                initial={"kind": subscription.kind, "delivery": subscription.delivery},
                prefix=f"s{subscription.pk}",
            ),
        )
        for subscription in subscriptions.for_account(request.user)
    ]
    return render(request, "comments/notifications/account.html", {"entries": entries})


@login_required
@require_POST
def change(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_object_or_404(Subscription, pk=pk, user=request.user)
    form = ChangeForm(request.POST, prefix=f"s{pk}")
    if not form.is_valid():
        messages.error(request, _("Choose what to be notified of."))
    elif subscriptions.change(
        subscription=subscription,
        user=request.user,
        kind=form.cleaned_data["kind"],
        delivery=form.cleaned_data["delivery"],
    ):
        messages.success(
            request,
            _("Your subscription has been changed.")
            if form.cleaned_data["kind"]
            else _("You no longer follow this discussion."),
        )
    return redirect("comments:subscriptions")
