"""Reader accounts: sign up (confirmed by email), and the limits on every account form.

Sign in, sign out and password reset are Django's own. django-axes counts failed sign-ins on
``/accounts/login/`` and ``/admin/login/`` in PostgreSQL and locks out an address, or a
username at that address, for a cool-off (``AXES_*`` settings); password resets and sign-ups
are limited per address (IPv6: its /64) and per username or email in the shared rate-limit
store (``newsroom.ratelimit``), so the sign-up form's "username taken" cannot be farmed.
"""

from __future__ import annotations

import math

from django import forms
from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from newsroom import ratelimit
from newsroom.http import client_network_address

CONFIRM_SALT = "newsroom.accounts.confirm"
CONFIRM_MAX_AGE = 3 * 24 * 60 * 60  # seconds a confirmation link stays valid


class SignupForm(UserCreationForm):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        help_text=gettext_lazy(
            "We send a link to confirm it. For password resets and replies you follow. Never shown."
        ),
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")

    def clean_email(self) -> str:
        # No "already in use" error: that would tell anyone which addresses have accounts.
        # The address's owner hears about it by email instead (``sign_up``).
        return User.objects.normalize_email(self.cleaned_data["email"])


# --- Limits ------------------------------------------------------------------------------------


def locked_out(request: HttpRequest, credentials=None, *, retry_after: int | None = None):
    """The page for too many attempts (django-axes calls it for sign-ins, too): 429, with
    how long to wait."""
    if retry_after is None:
        retry_after = int(settings.AXES_COOLOFF_TIME.total_seconds())
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _over_limit(request: HttpRequest, action: str, names: list[str]) -> int | None:
    """Count one ``action`` attempt per address (IPv6: its /64, which one reader holds
    whole) and per username or email; the seconds to wait when over
    ``ACCOUNTS_RATE_LIMITS``, else None."""
    rates = ratelimit.parse_rates(settings.ACCOUNTS_RATE_LIMITS)
    if not rates:
        return None
    identities = {f"{action}-ip": client_network_address(request) or ""}
    for n, name in enumerate(names):
        identities[f"{action}-name-{n}"] = name.strip().lower()
    exceeded = ratelimit.hit(identities, rates)
    return exceeded.retry_after if exceeded else None


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per address and per email."""

    extra_email_context = {"site_name": settings.SITE_NAME}

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        email = ratelimit.email_identity(request.POST.get("email", ""))
        wait = _over_limit(request, "reset", [email])
        if wait is not None:
            return locked_out(request, retry_after=wait)
        return super().post(request, *args, **kwargs)


# --- Sign up -----------------------------------------------------------------------------------


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


def _send(request: HttpRequest, template: str, email: str, context: dict) -> None:
    context = {"site_name": settings.SITE_NAME, **context}
    subject = render_to_string(f"registration/{template}_subject.txt", context).strip()
    body = render_to_string(f"registration/{template}_email.txt", context)
    send_mail(subject, body, None, [email])


def sign_up(request: HttpRequest, *, username: str, email: str, password: str, next_url: str):
    """Make an account that waits for its email to be confirmed, and send the link. When an
    active account already uses the email, make nothing and tell that address instead: the
    reader sees the same either way, and takes as long: the password is hashed either way
    (hashing is nearly all of the work, so skipping it told registered emails by timing)."""
    hashed = make_password(password)
    with transaction.atomic():
        owner = User.objects.filter(email__iexact=email, is_active=True).first()
        if owner is not None:
            links = {
                "login_url": request.build_absolute_uri(reverse("login")),
                "reset_url": request.build_absolute_uri(reverse("password_reset")),
            }
            _send(request, "signup_exists", owner.email, links)
            return
        user = User(
            username=User.normalize_username(username),
            email=email,
            password=hashed,
            is_active=False,
        )
        user.save()
    token = signing.dumps({"u": user.pk, "e": email, "n": next_url}, salt=CONFIRM_SALT)
    link = request.build_absolute_uri(reverse("signup_confirm", args=[token]))
    _send(request, "signup_confirm", email, {"link": link, "username": username})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    form = SignupForm(request.POST or None)
    if request.method == "POST":
        email = ratelimit.email_identity(request.POST.get("email", ""))
        names = [request.POST.get("username", ""), email]
        wait = _over_limit(request, "signup", names)
        if wait is not None:
            return locked_out(request, retry_after=wait)
        if form.is_valid():
            sign_up(
                request,
                username=form.cleaned_data["username"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password1"],
                next_url=_next(request),
            )
            return redirect("signup_sent")
    status = 400 if request.method == "POST" else 200
    return render(
        request, "registration/signup.html", {"form": form, "next": _next(request)}, status=status
    )


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "registration/signup_sent.html")


@require_http_methods(["GET", "POST"])
def signup_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: a button (so that mail scanners fetching links confirm
    nothing), which activates the account and signs in. Only an account still waiting for
    it: never signed in to (confirming signs in) and never changed by staff in the admin. An
    inactive account otherwise is one staff deactivated, and an old link must not bring it
    back."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        user = User.objects.get(
            pk=data["u"], email=data["e"], is_active=False, last_login__isnull=True
        )
        if LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
        ).exists():
            raise User.DoesNotExist
    except (signing.BadSignature, User.DoesNotExist, KeyError, TypeError):
        return render(request, "registration/signup_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        with transaction.atomic():
            if User.objects.filter(email__iexact=user.email, is_active=True).exists():
                return render(
                    request, "registration/signup_confirm.html", {"invalid": True}, status=400
                )
            user.is_active = True
            user.save(update_fields=["is_active"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect(data.get("n") or "/")
    return render(request, "registration/signup_confirm.html", {"confirm_user": user})
