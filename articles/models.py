"""What editors publish: sections, tags, authors and articles."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import formatting, images


class Section(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Sections are listed in this order, lowest first.")
    )

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:section", args=[self.slug])


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=80, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:tag", args=[self.slug])


class Author(models.Model):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=600)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="author_profile",
        help_text=_("The account this author signs in with, if any (shows an author badge)."),
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("articles:author", args=[self.slug])


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self, now: datetime | None = None) -> ArticleQuerySet:
        """Articles readers can see: published, with a publication time that has passed."""
        return self.filter(status=Article.Status.PUBLISHED, published_at__lte=now or timezone.now())

    def for_listing(self) -> ArticleQuerySet:
        """What a list of article cards needs, in a fixed number of queries."""
        return self.select_related("section").prefetch_related("authors")

    def related_to(self, article: Article, limit: int = 4) -> list[Article]:
        """ "More on this topic": the editor's picks first, then by shared tags and section."""
        picks = list(article.related_picks.published().for_listing()[:limit])
        if len(picks) >= limit:
            return picks
        tag_ids = list(article.tags.values_list("pk", flat=True))
        others = (
            self.published()
            .exclude(pk=article.pk)
            .exclude(pk__in=[p.pk for p in picks])
            .annotate(shared_tags=Count("tags", filter=Q(tags__in=tag_ids), distinct=True))
            .filter(Q(shared_tags__gt=0) | Q(section_id=article.section_id))
            .order_by("-shared_tags", "-published_at")
            .for_listing()
        )
        return picks + list(others[: limit - len(picks)])


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    headline = models.CharField(_("headline"), max_length=200)
    slug = models.SlugField(
        _("slug"), max_length=200, unique=True, help_text=_("The article's address on the site.")
    )
    standfirst = models.TextField(
        _("standfirst"), max_length=400, help_text=_("One or two sentences under the headline.")
    )
    body = models.TextField(
        _("body"),
        help_text=_(
            "Plain text: a blank line starts a new paragraph; ## starts a subheading; "
            "> quotes; - starts a list item; **bold**, *italic* and [text](https://link) work."
        ),
    )
    body_html = models.TextField(editable=False, blank=True)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="articles")
    authors = models.ManyToManyField(Author, verbose_name=_("authors"), related_name="articles")
    related_picks = models.ManyToManyField(
        "self",
        verbose_name=_("more on this topic"),
        blank=True,
        symmetrical=False,
        help_text=_("Articles to show first under “More on this topic”."),
    )
    lead_image = models.ImageField(
        _("lead image"),
        upload_to="articles/%Y/%m/",
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
    )
    lead_image_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    lead_image_renditions = models.JSONField(default=dict, blank=True, editable=False)
    image_alt = models.CharField(
        _("image description"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    image_caption = models.CharField(_("caption"), max_length=300, blank=True)
    image_credit = models.CharField(
        _("credit"),
        max_length=120,
        blank=True,
        help_text=_("Shown as written, e.g. “Photograph: Ada Quill/Harbour Pictures”."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_(
            "For an article to be visible, it must be published and its publication time must "
            "have passed. A published article with a future time is scheduled: it appears by "
            "itself at that time."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_("Leave empty to publish now."),
    )
    updated_at = models.DateTimeField(
        _("last updated"),
        null=True,
        blank=True,
        help_text=_("Set when the story changes materially; readers then see “Updated”."),
    )
    modified_at = models.DateTimeField(_("modified"), auto_now=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    featured = models.BooleanField(
        _("lead story"),
        default=False,
        help_text=_("The newest featured article leads the home page."),
    )

    comments_open = models.BooleanField(
        _("comments open"), default=True, help_text=_("Untick to close the discussion now.")
    )
    comments_close_after_days = models.PositiveSmallIntegerField(
        _("close comments after (days)"),
        null=True,
        blank=True,
        help_text=_("Close the discussion this many days after publication. Empty: never."),
    )
    comment_count = models.PositiveIntegerField(
        _("comments"),
        default=0,
        editable=False,
        help_text=_("Visible comments (kept by comments)."),
    )
    comments_premoderated = models.BooleanField(
        _("pre-moderate comments"),
        default=False,
        help_text=_("Comments appear only after a moderator approves them."),
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        get_latest_by = "published_at"
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "-published_at"], name="article_pub_idx")]
        permissions = [("preview_article", _("Can preview unpublished articles"))]

    def __str__(self) -> str:
        return self.headline

    def save(self, *args, **kwargs) -> None:
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body_html = formatting.render_body(self.body)
        if not self._state.adding and kwargs.get("update_fields") is None:
            # The comment count is kept by the comments app: an editor's save (of an instance
            # loaded before the latest comments) must not write back a stale number.
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.name != "comment_count"
            ]
        super().save(*args, **kwargs)
        wanted = images.rendition_key(self.lead_image)
        if self.lead_image_renditions.get("key") != wanted:
            self.lead_image_renditions = images.make_renditions(self.lead_image)
            super().save(update_fields=["lead_image_renditions"])

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    @property
    def image_srcset(self) -> str:
        return images.srcset(self.lead_image_renditions)

    def image_url(self, width: int = 960) -> str:
        """The smallest rendition at least ``width`` pixels wide (or the largest there is)."""
        return images.url_for_width(self.lead_image, self.lead_image_renditions, width)

    @property
    def card_image_url(self) -> str:
        return self.image_url(480)

    @property
    def state(self) -> str:
        """Draft, Scheduled or Published, as editors think of it."""
        if self.status == self.Status.DRAFT:
            return _("Draft")
        if self.published_at and self.published_at > timezone.now():
            return _("Scheduled")
        return _("Published")

    @property
    def has_passages(self) -> bool:
        """True when the body has paragraphs, which readers can comment on one at a time."""
        return f'id="{formatting.paragraph_id(1)}"' in self.body_html

    def is_published(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at <= now
        )

    def comments_closing_at(self) -> datetime | None:
        if self.comments_close_after_days is None or self.published_at is None:
            return None
        return self.published_at + timedelta(days=self.comments_close_after_days)

    def accepts_comments(self, now: datetime | None = None) -> bool:
        """Open for comments: visible, not closed by an editor, not past its closing time."""
        now = now or timezone.now()
        closing = self.comments_closing_at()
        return self.is_published(now) and self.comments_open and (closing is None or now < closing)


class OldPermalink(models.Model):
    """An address an article had on the site it was imported from (a WordPress permalink).
    A request for it that would otherwise be a 404 gets a 301 to the article's address here,
    so links and search engines follow the story to its new home."""

    path = models.CharField(
        _("old address"),
        max_length=500,
        unique=True,
        help_text=_("The path (and query, if any) after the old host, e.g. /2019/05/bridge/."),
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="old_permalinks",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["path"]
        get_latest_by = "created_at"
        verbose_name = _("old permalink")
        verbose_name_plural = _("old permalinks")

    def __str__(self) -> str:
        return f"{self.path} → {self.article.slug}"

    def get_absolute_url(self) -> str:
        return self.article.get_absolute_url()
