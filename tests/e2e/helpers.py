"""Builders and reader's gestures shared by the browser tests."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from comments.domain import Commenter
from comments.models import Comment
from comments.services import post_comment, vote

BASE_DIR = Path(__file__).resolve().parents[2]
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
PASSWORD = "correct horse battery"  # what tests/helpers.py make_user gives every account
# Builders post as many guests: the rate limits (per author) apply to test data too.
_guests = itertools.count(1)


def comment(
    article, body: str, *, parent: Comment | None = None, name: str | None = None
) -> Comment:
    """A guest's comment, posted through the service as the form would post it."""
    name = name or f"Guest {next(_guests)}"
    email = f"{name.lower().replace(' ', '.')}@example.org"
    return post_comment(
        article=article, parent=parent, author=Commenter(name=name, email=email), body=body
    )


def upvote(target: Comment, times: int) -> None:
    for n in range(times):
        vote(comment=target, voter=Commenter(browser_key=f"voter-{n}"), value=1)


def chain(article, depth: int, *, prefix: str = "Level") -> list[Comment]:
    """A thread of ``depth`` comments, each replying to the one before."""
    comments: list[Comment] = []
    for level in range(depth):
        parent = comments[-1] if comments else None
        comments.append(comment(article, f"{prefix} {level} speaks.", parent=parent))
    return comments


# --- On the page ----------------------------------------------------------------------------


def comment_on_page(page: Page, target: Comment | int) -> Locator:
    pk = target if isinstance(target, int) else target.pk
    return page.locator(f"article.comment#c{pk}")


def comment_form(page: Page) -> Locator:
    return page.locator("form#comment-form")


def fill_guest_form(form: Locator, *, body: str, name: str, email: str) -> None:
    form.get_by_label("Your comment").fill(body)
    form.get_by_label("Name").fill(name)
    form.get_by_label("Email").fill(email)


def top_level_bodies(page: Page) -> list[str]:
    """The text of each thread's first comment, in page order."""
    bodies = page.locator(
        "#comment-threads > .comment-page > ol.comment-thread > li > article.comment .comment__body"
    )
    return [text.strip() for text in bodies.all_inner_texts()]


def expect_highlighted(page: Page, target: Comment) -> None:
    element = comment_on_page(page, target)
    expect(element).to_have_class(re.compile(r"\bcomment--highlight\b"))
    expect(element).to_be_in_viewport()


def sign_in(page: Page, username: str, *, path: str = "/accounts/login/") -> None:
    page.goto(path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name=re.compile(r"^(Sign in|Log in)$")).click()


# --- Accessibility ---------------------------------------------------------------------------

# axe-core's default rule set (every WCAG level and its best practices), plus target-size
# (WCAG 2.2 AA, touch targets at least 24px), which axe ships switched off.
AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"target-size": {"enabled": True}}}


def image_loaded(image: Locator) -> bool:
    """Whether ``image`` downloaded and decoded, once the browser has finished with it.

    After a click the new page's ``load`` event may not have fired yet, so reading
    ``img.complete`` at once races the download; ``decode()`` settles when the image is
    ready (or rejects when it is broken).
    """
    return image.evaluate("img => img.decode().then(() => img.naturalWidth > 0, () => false)")


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page with its default rules (and target-size); return every
    violation, whatever its impact."""
    page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    return results["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}")
        lines.append(f"    {violation['helpUrl']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    at {', '.join(map(str, node['target']))}")
            summary = " ".join(node.get("failureSummary", "").split())
            if summary:
                lines.append(f"       {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe-core found problems on {page.url}:\n" + format_violations(
        violations
    )
