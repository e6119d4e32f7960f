"""Pages for readers' own data (newsroom.own_data): download it, delete it."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout
from django.contrib.auth.decorators import login_required
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from comments.identity import client_network_address
from newsroom import own_data, ratelimit
from newsroom.accounts import locked_out
from newsroom.models import AccountDeletion


class GuestForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("The email address you commented with"), max_length=254
    )


def _over_limit(request: HttpRequest, who: str) -> int | None:
    """Seconds to wait when this address (IPv6: its /64) or ``who`` asked too often."""
    rates = ratelimit.parse_rates(settings.OWN_DATA_RATE_LIMITS)
    if not rates:
        return None
    identities = {
        "own-data-net": client_network_address(request) or "",
        "own-data-who": who.strip().lower(),
    }
    exceeded = ratelimit.hit(identities, rates)
    return exceeded.retry_after if exceeded else None


def _mail(template: str, email: str, context: dict) -> None:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
    send_mail(
        subject, render_to_string(f"registration/{template}_email.txt", context), None, [email]
    )


def _download(document: dict, name: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Signed-in readers ------------------------------------------------------------------------


@never_cache
@login_required
@require_GET
def account(request: HttpRequest) -> HttpResponse:
    context = {
        "deletion": AccountDeletion.objects.filter(user=request.user).first(),
        "can_delete": own_data.can_delete_itself(request.user),
        "grace_days": settings.ACCOUNTS_DELETION_GRACE_DAYS,
        "erases_comments": settings.ACCOUNTS_DELETION_COMMENTS == "erase",
    }
    return render(request, "registration/own_data.html", context)


@never_cache
@login_required
@require_GET
def download(request: HttpRequest) -> HttpResponse:
    document = own_data.export(user=request.user)
    return _download(document, f"{request.user.get_username()}-data.json")


@login_required
@require_POST
def request_deletion(request: HttpRequest) -> HttpResponse:
    if not own_data.can_delete_itself(request.user) or not request.user.email:
        messages.error(request, _("This account cannot be deleted here: ask an administrator."))
        return redirect("own_data")
    wait = _over_limit(request, f"user:{request.user.pk}")
    if wait is not None:
        return locked_out(request, retry_after=wait)
    link = request.build_absolute_uri(
        reverse("own_data_confirm_deletion", args=[own_data.deletion_token(request.user)])
    )
    _mail(
        "own_data_delete",
        request.user.email,
        {"link": link, "username": request.user.get_username(),
         "grace_days": settings.ACCOUNTS_DELETION_GRACE_DAYS},
    )  # fmt: skip
    messages.success(
        request, _("We have emailed you a link: follow it to confirm that the account goes.")
    )
    return redirect("own_data")


@never_cache
@require_http_methods(["GET", "POST"])
def confirm_deletion(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: asks before it acts (mail scanners open links), then schedules."""
    user = own_data.user_for_deletion_token(token, get_user_model())
    if user is None or not own_data.can_delete_itself(user):
        return render(request, "registration/own_data_link_invalid.html", status=400)
    if request.method == "POST":
        deletion = own_data.schedule_deletion(user)
        if request.user.is_authenticated and request.user.pk == user.pk:
            logout(request)
        return render(request, "registration/own_data_scheduled.html", {"deletion": deletion})
    return render(
        request,
        "registration/own_data_confirm.html",
        {"account": user, "grace_days": settings.ACCOUNTS_DELETION_GRACE_DAYS},
    )


@login_required
@require_POST
def keep_account(request: HttpRequest) -> HttpResponse:
    if own_data.cancel_deletion(request.user):
        messages.success(request, _("Your account stays: the deletion is cancelled."))
    return redirect("own_data")


# --- Guests ------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def guest(request: HttpRequest) -> HttpResponse:
    """A guest asks by email. The answer is the same whether or not the address is known; a
    link goes only to an address something was written under."""
    form = GuestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        wait = _over_limit(request, email)
        if wait is not None:
            return locked_out(request, retry_after=wait)
        if own_data.holds_anything(email):
            link = request.build_absolute_uri(
                reverse("own_data_guest_link", args=[own_data.guest_token(email)])
            )
            _mail("own_data_guest", email, {"link": link})
        return render(request, "registration/own_data_guest_sent.html")
    status = 400 if request.method == "POST" else 200
    return render(request, "registration/own_data_guest.html", {"form": form}, status=status)


def _guest_email(token: str) -> str:
    email = own_data.email_for_guest_token(token)
    if email is None:
        raise Http404
    return email


@never_cache
@require_http_methods(["GET", "POST"])
def guest_link(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link: download, or erase (a button: mail scanners open links)."""
    email = own_data.email_for_guest_token(token)
    if email is None:
        return render(request, "registration/own_data_link_invalid.html", status=400)
    if request.method == "POST":
        own_data.erase_guest(email)
        return render(request, "registration/own_data_guest_erased.html")
    context = {
        "email": email,
        "token": token,
        "erases_comments": settings.ACCOUNTS_DELETION_COMMENTS == "erase",
    }
    return render(request, "registration/own_data_guest_link.html", context)


@never_cache
@require_GET
def guest_download(request: HttpRequest, token: str) -> HttpResponse:
    email = _guest_email(token)
    stamp = timezone.now().strftime("%Y%m%d")
    return _download(own_data.export(email=email), f"comments-data-{stamp}.json")
