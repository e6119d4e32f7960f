"""Thin views over comments.services and comments.selectors.

Every action works as a plain HTML form (POST, then redirect to the comment) and, when the
page's script asks for JSON (``Accept: application/json``), answers with JSON and the
comment rendered by the same partial the page uses.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from comments import identity, selectors, services
from comments.domain import CommentRefused
from comments.forms import CommentForm, EditForm, ReportForm
from comments.models import Comment
from comments.moderation import language_checks
from newsroom.csrf import cross_origin_protected
from newsroom.http import wants_json


def heading(count: int) -> str:
    """The comment section's heading, "N Comments" (the template says the same)."""
    return ngettext("%(counter)s Comment", "%(counter)s Comments", count) % {"counter": count}


def _open_article(pk: int) -> Article:
    try:
        return Article.objects.published().get(pk=pk)
    except (Article.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def _comment(pk: int) -> Comment:
    return get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)


def _published_comment(pk: int, *, visible: bool = False) -> Comment:
    comment = selectors.published_comment(pk, visible=visible)
    if comment is None:
        raise Http404
    return comment


def _render_comment(request: HttpRequest, comment: Comment, *, pending: bool = False) -> str:
    node = selectors.Node(comment=comment, pending=pending)
    return render_to_string(
        "comments/includes/comment.html",
        {"node": node, "article": comment.article, "viewer": identity.commenter(request)},
        request=request,
    )


def _form_page(request, *, article, form, title, status=200, parent=None, message=None):
    context = {"article": article, "form": form, "title": title, "parent": parent}
    if message:
        context["refusal"] = message
    return render(request, "comments/form_page.html", context, status=status)


def _refused_json(form_or_message, status: int) -> JsonResponse:
    if isinstance(form_or_message, str):
        return JsonResponse({"ok": False, "message": form_or_message}, status=status)
    errors = {name: [str(e) for e in errs] for name, errs in form_or_message.errors.items()}
    message = " ".join(" ".join(errs) for errs in errors.values())
    return JsonResponse({"ok": False, "message": message, "errors": errors}, status=status)


def answer(
    request: HttpRequest,
    *,
    html: Callable[[], HttpResponse],
    data: dict | Callable[[], dict] | None = None,
    refused: str | forms.Form | None = None,
    status: int = 200,
    notice: str = "",
    level: int = messages.SUCCESS,
    retry_after: int | None = None,
) -> HttpResponse:
    """The one place a comment view chooses between its two answers.

    The page's script (``Accept: application/json``) gets JSON: ``{"ok": false, "message"}``
    (and the form's ``errors``) when ``refused`` is a message or an invalid form, otherwise
    ``{"ok": true}`` with ``data``. A browser gets ``html()`` (a page or a redirect), after
    ``notice`` is queued as a message at ``level``. ``status`` is the JSON answer's (``html``
    sets its own). Only the chosen answer is built. A 429 (a limit reached) carries
    ``retry_after`` (a refusal's) as ``Retry-After``.
    """
    if wants_json(request):
        if refused is not None:
            response = _refused_json(refused, status)
        else:
            payload = data() if callable(data) else data or {}
            response = JsonResponse({"ok": True, **payload}, status=status)
    else:
        if notice:
            messages.add_message(request, level, notice)
        response = html()
    if retry_after and response.status_code == 429:
        response["Retry-After"] = str(int(retry_after))
    return response


def _not_found() -> HttpResponse:
    raise Http404


@cross_origin_protected
@require_POST
def post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a new comment or a reply."""
    article = _open_article(article_id)
    form = CommentForm(request.POST, article=article, user=request.user)
    reply_to = request.POST.get("parent") or None
    if reply_to:
        title = _("Reply")
    elif form.choosing_passage:
        title = _("Comment on a passage")
    else:
        title = _("Post a comment")
    if not form.is_valid():
        return answer(
            request,
            refused=form,
            status=400,
            html=lambda: _form_page(
                request, article=article, form=form.refreshed, title=title, status=400
            ),
        )
    author = identity.commenter(
        request,
        name=form.cleaned_data.get("name", ""),
        email=form.cleaned_data.get("email", ""),
        create_key=True,
    )
    try:
        comment = services.post_comment(
            article=article,
            parent=form.cleaned_data["parent"],
            author=author,
            body=form.cleaned_data["body"],
            passage=form.cleaned_data.get("passage"),
            subscribe=form.cleaned_data.get("notify", ""),
        )
    except CommentRefused as error:
        refusal = error  # the lambda below may not close over the except clause's own name
        response = answer(
            request,
            refused=refusal.message,
            status=refusal.status,
            retry_after=refusal.retry_after,
            html=lambda: _form_page(
                request,
                article=article,
                form=form.refreshed,
                title=title,
                status=refusal.status,
                message=refusal.message,
            ),
        )
        identity.remember(request, response, name=author.name, email=author.email)
        return response
    # A comment the spam checker caught is saved but never shown: tell its author the same
    # as for one held for review (telling more would only help a spammer).
    held = comment.status in (Comment.Status.PENDING, Comment.Status.SPAM)
    notice = (
        _("Thanks. Your comment is awaiting moderation and will appear once approved.")
        if held
        else None
    )
    if held and (why := language_checks.held_note(comment)):
        notice = f"{notice} {why}"
    following = comment.following

    def data() -> dict:
        article.refresh_from_db(fields=["comment_count"])
        message = notice or _("Your comment has been posted.")
        data = {
            "id": comment.pk,
            "status": Comment.Status.PENDING if held else comment.status,
            "message": f"{message} {following}" if following else message,
            "heading": heading(article.comment_count),
        }
        if comment.status != Comment.Status.SPAM:
            data["url"] = comment.get_absolute_url()
            data["html"] = _render_comment(
                request, comment, pending=comment.status == Comment.Status.PENDING
            )
        return data

    def html() -> HttpResponse:
        if following:  # after the notice, which answer() queues first
            messages.info(request, following)
        if comment.status == Comment.Status.SPAM:
            return redirect(f"{article.get_absolute_url()}#comments")
        return redirect(comment)

    response = answer(
        request, data=data, status=201, notice=notice or "", level=messages.INFO, html=html
    )
    identity.remember(request, response, name=author.name, email=author.email)
    return response


@require_GET
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A page with the reply form, for readers without JavaScript."""
    parent = _published_comment(pk, visible=True)
    article = parent.article
    if not article.accepts_comments():
        return render(request, "comments/closed.html", {"article": article}, status=403)
    form = CommentForm(
        initial={"parent": parent.pk, **identity.remembered_details(request)},
        article=article,
        user=request.user,
    )
    return _form_page(request, article=article, form=form, title=_("Reply"), parent=parent)


@require_GET
def passage(request: HttpRequest, article_id: int) -> HttpResponse:
    """A page to comment on one passage of the article, chosen from a list of its paragraphs,
    for readers without JavaScript (with it, they select the words on the article)."""
    article = _open_article(article_id)
    if not article.has_passages:
        raise Http404
    if not article.accepts_comments():
        return render(request, "comments/closed.html", {"article": article}, status=403)
    form = CommentForm(
        initial=identity.remembered_details(request),
        article=article,
        user=request.user,
        choose_passage=True,
    )
    return _form_page(request, article=article, form=form, title=_("Comment on a passage"))


def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the page that holds the comment (the article's, or a thread's own page when the
    comment lies beyond the article page's budget), scrolled to it and highlighted."""
    comment = _published_comment(pk)
    viewer = identity.commenter(request)
    sort = selectors.clean_sort(request.GET.get("sort"))
    where = selectors.locate(comment, sort=sort, viewer=viewer)
    if where.anchor is not None:
        url = reverse("comments:thread", args=[where.anchor.pk])
        query = {"cpage": where.page} if where.page > 1 else {}
    else:
        url = comment.article.get_absolute_url()
        query = {"comments": sort} if sort != selectors.DEFAULT_SORT else {}
        if where.page > 1:
            query["cpage"] = where.page
    query["highlight"] = comment.pk
    return redirect(f"{url}?{urlencode(query)}#{comment.anchor}")


@require_GET
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment and its replies on a page of their own ("N more replies" without script)."""
    comment = _published_comment(pk)
    viewer = identity.commenter(request)
    replies = selectors.replies_page(comment, page=request.GET.get("cpage"), viewer=viewer)
    context = {
        "article": comment.article,
        "anchor": comment,
        "replies": replies,
        "nodes": [replies.anchor],
        "viewer": viewer,
        "form": CommentForm(
            initial=identity.remembered_details(request), article=comment.article, user=request.user
        ),
    }
    return render(request, "comments/thread_page.html", context)


@require_GET
def replies(request: HttpRequest, pk: int) -> HttpResponse:
    """A page of a comment's replies, as HTML for the page's script to show in place."""
    comment = _published_comment(pk)
    viewer = identity.commenter(request)
    context = {
        "article": comment.article,
        "replies": selectors.replies_page(comment, page=request.GET.get("cpage"), viewer=viewer),
        "viewer": viewer,
    }
    return render(request, "comments/includes/replies.html", context)


@require_GET
def fragment(request: HttpRequest, article_id: int) -> HttpResponse:
    """More threads, as HTML for the page's script ("View more comments")."""
    article = _open_article(article_id)
    viewer = identity.commenter(request)
    threads = selectors.thread_page(
        article, sort=request.GET.get("comments"), page=request.GET.get("cpage"), viewer=viewer
    )
    return render(
        request,
        "comments/includes/page.html",
        {"threads": threads, "article": article, "viewer": viewer},
    )


@cross_origin_protected
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    actor = identity.commenter(request)
    if not actor.owns(comment):
        raise Http404
    form = EditForm(request.POST or None, initial={"body": comment.body})
    refusal = None
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(comment=comment, editor=actor, body=form.cleaned_data["body"])
        except CommentRefused as error:
            refusal = error
        else:
            return answer(
                request,
                data=lambda: {"html": _render_comment(request, comment)},
                notice=_("Your comment has been updated."),
                html=lambda: redirect(comment),
            )
    elif request.method == "GET" and services.held_by_moderators(comment):
        refusal = services.held_refusal()
    elif request.method == "GET" and not services.can_edit(comment, actor):
        refusal = CommentRefused(services.edit_window_message())
    context = {"comment": comment, "form": form, "refusal": refusal and refusal.message}
    if request.method == "GET":
        held = refusal is not None and refusal.code == "held"
        return render(request, "comments/edit.html", context, status=403 if held else 200)
    status = refusal.status if refusal else 400
    return answer(
        request,
        refused=refusal.message if refusal else form,
        status=status,
        retry_after=refusal.retry_after if refusal else None,
        html=lambda: render(request, "comments/edit.html", context, status=status),
    )


@cross_origin_protected
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    actor = identity.commenter(request)
    if not actor.owns(comment) or comment.is_deleted:
        raise Http404
    refusal = None
    if comment.status not in services.DELETABLE:
        refusal = services.moderated_refusal()
    elif services.held_by_moderators(comment):
        refusal = services.held_refusal()
    elif request.method == "POST":
        article = comment.article
        try:
            services.delete_comment(comment=comment, actor=actor)
        except CommentRefused as error:
            refusal = error
        else:
            return answer(
                request,
                notice=_("Your comment has been deleted."),
                html=lambda: redirect(f"{article.get_absolute_url()}#comments"),
            )
    context = {"comment": comment, "refusal": refusal and refusal.message}
    status = refusal.status if refusal is not None else 200
    if request.method == "POST" and refusal is not None:
        return answer(
            request,
            refused=refusal.message,
            status=status,
            html=lambda: render(request, "comments/delete.html", context, status=status),
        )
    return render(request, "comments/delete.html", context, status=status)


@cross_origin_protected
@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = selectors.published_comment(pk)
    if comment is None:
        return answer(
            request, refused=_("This comment no longer exists."), status=404, html=_not_found
        )
    value = {"up": 1, "down": -1, "clear": 0}.get(request.POST.get("value", ""))
    voter = identity.commenter(request, create_key=True)
    try:
        if value is None:
            raise CommentRefused(_("That is not a vote."))
        comment = services.vote(comment=comment, voter=voter, value=value)
    except CommentRefused as refusal:
        response = answer(
            request,
            refused=refusal.message,
            status=refusal.status,
            retry_after=refusal.retry_after,
            notice=refusal.message,
            level=messages.ERROR,
            html=lambda: redirect(comment),
        )
    else:
        response = answer(
            request,
            data={
                "score": comment.score,
                "upvotes": comment.upvotes,
                "downvotes": comment.downvotes,
                "vote": value,
            },
            html=lambda: redirect(comment),
        )
    identity.remember(request, response)
    return response


@cross_origin_protected
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _published_comment(pk, visible=True)
    form = ReportForm(request.POST or None)
    refusal = None
    if request.method == "POST" and form.is_valid():
        reporter = identity.commenter(request, create_key=True)
        try:
            services.report(
                comment=comment,
                reporter=reporter,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except CommentRefused as error:
            refusal = error
            form.add_error(None, refusal.message)
        else:
            thanks = _("Thank you. Moderators will look at this comment.")
            response = answer(
                request,
                data={"message": thanks},
                notice=thanks,
                html=lambda: redirect(comment),
            )
            identity.remember(request, response)
            return response
    context = {"comment": comment, "form": form}
    if request.method == "GET":
        return render(request, "comments/report.html", context)
    status = refusal.status if refusal else 400
    return answer(
        request,
        refused=form,
        status=status,
        retry_after=refusal.retry_after if refusal else None,
        html=lambda: render(request, "comments/report.html", context, status=status),
    )
