"""Thin views over comments.services and comments.selectors.

Every action works as a plain HTML form (POST, then redirect to the comment) and, when the
page's script asks for JSON (``Accept: application/json``), answers with JSON and the
comment rendered by the same partial the page uses.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from articles.models import Article
from comments import identity, selectors, services
from comments.forms import CommentForm, EditForm, ReportForm
from comments.models import Comment
from comments.notifications import subscriptions
from comments.services import CommentRefused


def heading(count: int) -> str:
    """The comment section's heading, "N Comments" (the template says the same)."""
    return ngettext("%(counter)s Comment", "%(counter)s Comments", count) % {"counter": count}


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _open_article(pk: int) -> Article:
    try:
        return Article.objects.published().get(pk=pk)
    except (Article.DoesNotExist, ValueError, OverflowError):
        raise Http404 from None


def _comment(pk: int) -> Comment:
    return get_object_or_404(Comment.objects.select_related("article", "user"), pk=pk)


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


@require_POST
def post(request: HttpRequest, article_id: int) -> HttpResponse:
    """Post a new comment or a reply."""
    article = _open_article(article_id)
    form = CommentForm(request.POST, article=article, user=request.user)
    reply_to = request.POST.get("parent") or None
    title = _("Reply") if reply_to else _("Post a comment")
    if not form.is_valid():
        if wants_json(request):
            return _refused_json(form, 400)
        return _form_page(request, article=article, form=form.refreshed, title=title, status=400)
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
        )
    except CommentRefused as refusal:
        if wants_json(request):
            response = _refused_json(refusal.message, refusal.status)
        else:
            response = _form_page(
                request,
                article=article,
                form=form.refreshed,
                title=title,
                status=refusal.status,
                message=refusal.message,
            )
        if getattr(refusal, "retry_after", None):
            response["Retry-After"] = str(int(refusal.retry_after))
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
    following = subscriptions.follow_from_comment_form(
        comment=comment, author=author, kind=form.cleaned_data.get("notify", "")
    )
    if wants_json(request):
        article.refresh_from_db(fields=["comment_count"])
        message = notice or _("Your comment has been posted.")
        data = {
            "ok": True,
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
        response = JsonResponse(data, status=201)
    else:
        if notice:
            messages.info(request, notice)
        if following:
            messages.info(request, following)
        if comment.status == Comment.Status.SPAM:
            response = redirect(f"{article.get_absolute_url()}#comments")
        else:
            response = redirect(comment)
    identity.remember(request, response, name=author.name, email=author.email)
    return response


@require_GET
def reply(request: HttpRequest, pk: int) -> HttpResponse:
    """A page with the reply form, for readers without JavaScript."""
    parent = _comment(pk)
    article = parent.article
    if not article.is_visible() or not parent.is_visible:
        raise Http404
    if not article.accepts_comments():
        return render(request, "comments/closed.html", {"article": article}, status=403)
    form = CommentForm(
        initial={"parent": parent.pk, **identity.remembered_details(request)},
        article=article,
        user=request.user,
    )
    return _form_page(request, article=article, form=form, title=_("Reply"), parent=parent)


def permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the article at the page that holds the comment, scrolled to it."""
    comment = _comment(pk)
    if not comment.article.is_visible():
        raise Http404
    anchor = selectors.thread_anchor(comment)
    if anchor is not None:
        thread_url = reverse("comments:thread", args=[anchor.pk])
        return redirect(f"{thread_url}?highlight={comment.pk}#{comment.anchor}")
    viewer = identity.commenter(request)
    sort = selectors.clean_sort(request.GET.get("sort"))
    page = selectors.page_of(comment, sort=sort, viewer=viewer)
    query = {"comments": sort} if sort != selectors.DEFAULT_SORT else {}
    if page > 1:
        query["cpage"] = page
    url = comment.article.get_absolute_url()
    if query:
        url += "?" + urlencode(query)
    query_hl = f"{url}{'&' if query else '?'}highlight={comment.pk}"
    return redirect(f"{query_hl}#{comment.anchor}")


@require_GET
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """Continue a deep thread on a page of its own."""
    comment = _comment(pk)
    if not comment.article.is_visible():
        raise Http404
    viewer = identity.commenter(request)
    context = {
        "article": comment.article,
        "anchor": comment,
        "nodes": selectors.subthread(comment, viewer),
        "viewer": viewer,
        "form": CommentForm(
            initial=identity.remembered_details(request), article=comment.article, user=request.user
        ),
    }
    return render(request, "comments/thread_page.html", context)


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
            if wants_json(request):
                return JsonResponse(
                    {"ok": True, "html": _render_comment(request, comment)}, status=200
                )
            messages.success(request, _("Your comment has been updated."))
            return redirect(comment)
    elif request.method == "GET" and not services.can_edit(comment, actor):
        refusal = CommentRefused(_("Comments can be edited for 15 minutes after posting."))
    if request.method == "POST" and wants_json(request):
        return _refused_json(
            refusal.message if refusal else form, refusal.status if refusal else 400
        )
    context = {"comment": comment, "form": form, "refusal": refusal and refusal.message}
    status = 200
    if request.method == "POST":
        status = refusal.status if refusal else 400
    return render(request, "comments/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    actor = identity.commenter(request)
    if not actor.owns(comment) or comment.is_deleted:
        raise Http404
    if request.method == "POST":
        article = comment.article
        services.delete_comment(comment=comment, actor=actor)
        if wants_json(request):
            return JsonResponse({"ok": True})
        messages.success(request, _("Your comment has been deleted."))
        return redirect(f"{article.get_absolute_url()}#comments")
    return render(request, "comments/delete.html", {"comment": comment})


@require_POST
def vote(request: HttpRequest, pk: int) -> HttpResponse:
    comment = Comment.objects.select_related("article").filter(pk=pk).first()
    if comment is None or not comment.article.is_visible():
        if wants_json(request):
            return _refused_json(_("This comment no longer exists."), 404)
        raise Http404
    value = {"up": 1, "down": -1, "clear": 0}.get(request.POST.get("value", ""))
    voter = identity.commenter(request, create_key=True)
    try:
        if value is None:
            raise CommentRefused(_("That is not a vote."))
        comment = services.vote(comment=comment, voter=voter, value=value)
    except CommentRefused as refusal:
        if wants_json(request):
            response = _refused_json(refusal.message, refusal.status)
        else:
            messages.error(request, refusal.message)
            response = redirect(comment)
    else:
        if wants_json(request):
            response = JsonResponse(
                {
                    "ok": True,
                    "score": comment.score,
                    "upvotes": comment.upvotes,
                    "downvotes": comment.downvotes,
                    "vote": value,
                }
            )
        else:
            response = redirect(comment)
    identity.remember(request, response)
    return response


@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment(pk)
    if not comment.article.is_visible() or not comment.is_visible:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reporter = identity.commenter(request, create_key=True)
        try:
            services.report(
                comment=comment,
                reporter=reporter,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except CommentRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            thanks = _("Thank you. Moderators will look at this comment.")
            response = (
                JsonResponse({"ok": True, "message": thanks})
                if wants_json(request)
                else redirect(comment)
            )
            if not wants_json(request):
                messages.success(request, thanks)
            identity.remember(request, response)
            return response
    if request.method == "POST" and wants_json(request):
        return _refused_json(form, 400)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "comments/report.html", {"comment": comment, "form": form}, status=status
    )


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A failed CSRF check (an old page, cookies blocked): say so, and keep the text."""
    message = _("Your session expired before the form was sent. Check your text and send it again.")
    if wants_json(request):
        return JsonResponse({"ok": False, "message": message}, status=403)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    if match and match.view_name == "comments:post":
        try:
            article = _open_article(match.kwargs["article_id"])
        except Http404:
            article = None
        if article is not None:
            form = CommentForm(request.POST, article=article, user=request.user).refreshed
            return _form_page(
                request, article=article, form=form, title=_("Post a comment"), status=403,
                message=message,
            )  # fmt: skip
    return render(request, "403_csrf.html", {"message": message}, status=403)
