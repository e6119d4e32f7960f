"""Read API: an article's comment tree as JSON, sorted and paginated like the page.

Emails and addresses are never included.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from articles.models import Article
from comments import formatting, identity, selectors
from comments.selectors import Node


def _node(node: Node, author_user_ids: set[int]) -> dict:
    comment = node.comment
    data: dict = {
        "id": comment.pk,
        "parent": comment.parent_id,
        "url": comment.get_absolute_url(),
        "created_at": comment.created_at.isoformat(),
        "replies": [_node(child, author_user_ids) for child in node.children],
    }
    if node.shown:
        data.update(
            # The reader's own removed comment is shown to them alone, with its state.
            state="pending" if node.pending else comment.status if node.removed else "visible",
            author={
                "name": comment.author_name,
                "is_article_author": bool(comment.user_id) and comment.user_id in author_user_ids,
                "is_staff": bool(comment.user_id) and comment.user.is_staff,
            },
            body=comment.body,
            body_html=str(formatting.render(comment.body)),
            edited_at=comment.edited_at.isoformat() if comment.edited_at else None,
            score=comment.score,
            upvotes=comment.upvotes,
            downvotes=comment.downvotes,
            editors_pick=comment.is_featured,
        )
        if comment.passage:
            data["passage"] = {"paragraph": comment.passage, "quote": comment.quote}
    else:
        data.update(state="deleted" if comment.is_deleted else "removed")
    if node.has_more:
        data["more_replies"] = node.more
        data["thread_url"] = reverse("comments:thread", args=[comment.pk])
    if node.hidden:  # replies past the page's budget: the comment's own page lists them all
        data["hidden_replies"] = node.hidden
        data["thread_url"] = reverse("comments:thread", args=[comment.pk])
    return data


@require_GET
def article_comments(request: HttpRequest, slug: str) -> JsonResponse:
    try:
        article = Article.objects.published().prefetch_related("authors").get(slug=slug)
    except Article.DoesNotExist:
        return JsonResponse({"error": "not_found", "message": "No such article."}, status=404)
    threads = selectors.thread_page(
        article,
        sort=request.GET.get("sort"),
        page=request.GET.get("page"),
        viewer=identity.commenter(request),
    )
    author_user_ids = selectors.article_author_user_ids(article)
    page = threads.page
    next_url = None
    if page.has_next():
        query = urlencode({"sort": threads.sort, "page": page.next_page_number()})
        next_url = f"{request.path}?{query}"
    return JsonResponse(
        {
            "article": {
                "id": article.pk,
                "slug": article.slug,
                "headline": article.headline,
                "url": article.get_absolute_url(),
                "comment_count": article.comment_count,
                "accepts_comments": article.accepts_comments(),
            },
            "sort": threads.sort,
            "page": page.number,
            "pages": page.paginator.num_pages,
            "threads": page.paginator.count,
            "next": next_url,
            "comments": [_node(node, author_user_ids) for node in threads.nodes],
        }
    )
