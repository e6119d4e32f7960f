"""Demo content: an invented week of news from Harbourton and the Ambry Valley.

Everything in ``articles/demo_content/`` is fiction written for this project: the city, its
people, organisations and events. ``site.toml`` holds the sections, tags and authors; each
article is a Markdown file whose TOML front matter (between ``+++`` lines) says where it
belongs, and whose body is in the format editors type in the admin. ``load_articles()`` fills
an empty site and is safe to run again: it only adds what is missing (matched by slug) and
never changes what an editor has since edited.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import TextIO, TypeVar

from django.core.files.base import ContentFile
from django.utils import timezone

from articles.demo_images import make_lead_image
from articles.models import Article, Author, Section, Tag

CONTENT = Path(__file__).resolve().parent / "demo_content"


@dataclass(frozen=True)
class DemoArticle:
    slug: str
    headline: str
    standfirst: str
    body: str
    section: str
    tags: tuple[str, ...]
    authors: tuple[str, ...]
    picture: str  # one of demo_images.COMPOSITIONS, painted in the section's palette
    image_alt: str
    image_caption: str
    # How long before "now" the article was published; negative: scheduled; None: a draft.
    age: timedelta | None
    updated_age: timedelta | None = None
    featured: bool = False
    comments_open: bool = True
    comments_premoderated: bool = False
    comments_close_after_days: int | None = None
    related: tuple[str, ...] = ()


def _hours(value: int | None) -> timedelta | None:
    return None if value is None else timedelta(hours=value)


def read_article(path: Path) -> DemoArticle:
    """One article file: ``NN-slug.md``, TOML front matter between ``+++`` lines, then the
    body. ``age_hours`` is how long before loading it was published (negative: scheduled);
    ``draft = true`` instead makes it a draft."""
    _, front, body = path.read_text(encoding="utf-8").split("+++\n", 2)
    meta = tomllib.loads(front)
    if meta.pop("draft", False) == ("age_hours" in meta):
        raise ValueError(f"{path.name}: give either age_hours or draft = true")
    return DemoArticle(
        slug=path.stem.split("-", 1)[1],
        body=body.strip(),
        age=_hours(meta.pop("age_hours", None)),
        updated_age=_hours(meta.pop("updated_age_hours", None)),
        tags=tuple(meta.pop("tags", ())),
        authors=tuple(meta.pop("authors")),
        related=tuple(meta.pop("related", ())),
        **meta,
    )


@cache
def site() -> dict:
    """Sections (in their listed order), tags, authors and the image credit."""
    return tomllib.loads((CONTENT / "site.toml").read_text(encoding="utf-8"))


@cache
def articles() -> tuple[DemoArticle, ...]:
    """Every demo article, in the order of their files' numbers."""
    return tuple(read_article(path) for path in sorted(CONTENT.glob("*.md")))


# --- Loading -----------------------------------------------------------------------------------


def _say(stdout: TextIO | None, message: str) -> None:
    if stdout is not None:
        stdout.write(message + "\n")


_Named = TypeVar("_Named", Section, Tag)


def _named(model: type[_Named], slug: str, name: str, **defaults: object) -> tuple[_Named, bool]:
    """The section or tag with this slug, or failing that this name; created if neither."""
    found = model.objects.filter(slug=slug).first() or model.objects.filter(name=name).first()
    if found is not None:
        return found, False
    return model.objects.create(slug=slug, name=name, **defaults), True


def load_articles(stdout: TextIO | None = None) -> int:
    """Add the demo sections, tags, authors and articles that are missing; return how many
    articles were created.

    Safe to run twice: everything is matched by slug, and an article that already exists is
    left exactly as it is (an editor may have changed it). Publication times are relative to
    now, so a fresh site always looks current.
    """
    now = timezone.now().replace(second=0, microsecond=0)
    data, demo_articles = site(), articles()
    counts = {"sections": 0, "tags": 0, "authors": 0}

    sections: dict[str, Section] = {}
    for position, entry in enumerate(data["sections"], start=1):
        sections[entry["slug"]], created = _named(
            Section,
            entry["slug"],
            entry["name"],
            description=entry["description"],
            position=position,
        )
        counts["sections"] += created
    tags: dict[str, Tag] = {}
    for entry in data["tags"]:
        tags[entry["slug"]], created = _named(Tag, entry["slug"], entry["name"])
        counts["tags"] += created
    authors: dict[str, Author] = {}
    for entry in data["authors"]:
        authors[entry["slug"]], created = Author.objects.get_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "bio": entry["bio"]}
        )
        counts["authors"] += created

    slugs = [demo.slug for demo in demo_articles]
    existing = set(Article.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    created_articles: dict[str, Article] = {}
    for demo in demo_articles:
        if demo.slug in existing:
            continue
        article = Article(
            headline=demo.headline,
            slug=demo.slug,
            standfirst=demo.standfirst,
            body=demo.body,
            section=sections[demo.section],
            image_alt=demo.image_alt,
            image_caption=demo.image_caption,
            image_credit=data["credit"],
            status=Article.Status.DRAFT if demo.age is None else Article.Status.PUBLISHED,
            published_at=None if demo.age is None else now - demo.age,
            updated_at=None if demo.updated_age is None else now - demo.updated_age,
            featured=demo.featured,
            comments_open=demo.comments_open,
            comments_premoderated=demo.comments_premoderated,
            comments_close_after_days=demo.comments_close_after_days,
        )
        jpeg = make_lead_image(demo.slug, demo.section, demo.picture)
        article.lead_image.save(f"{demo.slug}.jpg", ContentFile(jpeg), save=False)
        article.save()
        article.tags.set([tags[slug] for slug in demo.tags])
        article.authors.set([authors[slug] for slug in demo.authors])
        created_articles[demo.slug] = article
        _say(stdout, f"  {article.state}: {article.headline}")

    # Editors' picks for "More on this topic", only on articles made just now.
    by_slug = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
    for demo in demo_articles:
        article = created_articles.get(demo.slug)
        picks = [by_slug[slug] for slug in demo.related if slug in by_slug]
        if article is not None and picks:
            article.related_picks.add(*picks)

    _say(
        stdout,
        f"Articles: {len(created_articles)} created, {len(demo_articles) - len(created_articles)} "
        f"already there (sections +{counts['sections']}, tags +{counts['tags']}, "
        f"authors +{counts['authors']}).",
    )
    return len(created_articles)
