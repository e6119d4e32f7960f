"""Invented reader discussions for the demo articles (no real people, no real comments).

``load_comments`` adds them once: an article that already has comments is left alone.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.db.models import Count

from articles.models import Article
from comments import passages, tree
from comments.models import Comment, Flag, Status, Vote
from newsroom import pagecache

# (name, text, extras, replies). extras: votes=(up, down), edited, deleted, status, flags,
# quote (words of the article the comment is about).
BARRIER = [
    (
        "Maud Pellow",
        "We were on Quay Row when the sirens went. Watching the gates swing shut was the "
        "strangest mix of fear and relief. Thank you to whoever keeps that thing oiled.",
        {"votes": (14, 0), "featured": True},
        [
            (
                "Tobias Wren",
                "My grandfather remembered the 1950s flood on the same street. He would "
                "not have believed a wall of steel could hold that much water back.",
                {"votes": (6, 0)},
                [
                    (
                        "Maud Pellow",
                        "Same here. My gran kept a pencil mark on the kitchen doorframe "
                        "showing where the water reached.",
                        {"votes": (4, 0)},
                        [
                            (
                                "Ines Caddick",
                                "Lots of houses in the old town still have those marks. Someone "
                                "should photograph them all before they are painted over.",
                                {"votes": (9, 0)},
                                [
                                    (
                                        "Harbourton Local History Group",
                                        "We have started doing exactly that. "
                                        "Send us a picture and the year if you have one.",
                                        {"votes": (5, 0)},
                                        [],
                                    ),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            (
                "Ravi Okafor",
                "> The barrier closed for the 212th time\n\nThat number is the story. It "
                "was designed for a handful of closures a year.",
                {"votes": (11, 1)},
                [
                    (
                        "Petra Lune",
                        "It was built for the sea of forty years ago. Nobody is saying it "
                        "failed, only that it is working far harder than planned.",
                        {"votes": (7, 0)},
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "Gordon Fisk",
        "Meanwhile the lower car park flooded again and nobody warned us to move our "
        "cars. The barrier is great; the text alerts are not.",
        {"votes": (8, 2), "edited": True},
        [
            (
                "Anya Brack",
                "You can sign up for the street-level alerts on the council site. They "
                "were sent at 6:40 that evening.",
                {"votes": (3, 1)},
                [],
            ),
        ],
    ),
    (
        "Rhiannon Vole",
        "Twenty centimetres is not a margin, it is a coin toss. Has anyone costed raising "
        "the gates before the next winter?",
        {"votes": (12, 1), "quote": "Overnight, the spare was closer to 20 centimetres"},
        [
            (
                "Tobias Wren",
                "The authority's last report put it at eleven million. Cheaper than one "
                "flooded town centre.",
                {"votes": (6, 0)},
                [],
            ),
        ],
    ),
    (
        "Derek Stoll",
        "Posted something I regret here. Sorry all.",
        {"deleted": True},
        [
            (
                "Lena Marsh",
                "For what it is worth, the stall holders on the quay were all saying the "
                "same thing on Saturday: well done to the barrier crew.",
                {"votes": (5, 0)},
                [],
            ),
        ],
    ),
    (
        "Win Carraway",
        "Does anyone know if the riverside path is open again? I walk the dog there every morning.",
        {"votes": (2, 0)},
        [],
    ),
    (
        "Best Deals 4U",
        "Cheap flood insurance!!! Click here www.example.com/deals now",
        {"status": Status.SPAM},
        [],
    ),
]

HOMES = [
    (
        "Priya Venn",
        "Four hundred homes is a start, but how many are actually affordable for "
        "people who work in the town?",
        {"votes": (10, 1)},
        [
            (
                "Colm Hartley",
                "The report says 120 are social rent and 40 shared ownership. Not "
                "enough, but more than the last scheme.",
                {"votes": (8, 0)},
                [
                    (
                        "Priya Venn",
                        "Thanks, I had missed that section. Still want to see the build timetable.",
                        {"votes": (3, 0)},
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "Stan Mowbray",
        "The ferry terminal should be a ferry terminal. Bring back the crossing!",
        {"votes": (4, 6)},
        [],
    ),
    (
        "Ellie Ruskin",
        "Worried about traffic on Ferry Lane. It is one lane in each direction and "
        "already jammed at school time.",
        {"status": Status.PENDING},
        [],
    ),
]

DERBY = [
    (
        "Josh Tamsin",
        "Ninety-fourth minute. I am still hoarse. Best night at the Dockside in years.",
        {"votes": (21, 1)},
        [
            (
                "Fenwick Rovers Fan",
                "Offside. Every replay shows it. Enjoy it while it lasts.",
                {"votes": (2, 12)},
                [
                    (
                        "Josh Tamsin",
                        "The assistant was level with play. Have a look at the wide angle.",
                        {"votes": (9, 0)},
                        [],
                    ),
                ],
            ),
        ],
    ),
    (
        "Kerry Abel",
        "Whoever scored should be ashamed, that celebration was a disgrace and so "
        "are the idiots cheering it",
        {"votes": (1, 7), "flags": 2},
        [],
    ),
]

ROPEWORKS = [
    (
        "Agnes Tull",
        "Walked the whole 300 metres on Sunday. The light through those old windows "
        "is something else.",
        {"votes": (6, 0)},
        [
            (
                "Marcus Ide",
                "Go on a weekday morning, it is almost empty and you can hear the river.",
                {"votes": (4, 0)},
                [],
            ),
        ],
    ),
]

DISCUSSIONS = {
    "tidal-barrier-holds-as-storm-drives-ambry-to-record-height": BARRIER,
    "council-approves-homes-on-old-ferry-terminal-site": HOMES,
    "mariners-snatch-the-derby-in-the-94th-minute": DERBY,
    "old-ropeworks-reopens-as-a-300-metre-gallery": ROPEWORKS,
}


def _key(name: str) -> str:
    return hashlib.sha256(f"demo:{name}".encode()).hexdigest()


def _add(article: Article, parent: Comment | None, entry, when, counter: list[int]) -> None:
    name, text, extras, replies = entry
    counter[0] += 1
    created = when + timedelta(minutes=17 * counter[0])
    slug = name.lower().replace(" ", ".")
    comment = Comment(
        article=article,
        parent=parent,
        guest_name=name,
        guest_email=f"{slug}@example.invalid",
        author_key=_key(name),
        body=text,
        status=extras.get("status", Status.APPROVED),
        is_deleted=extras.get("deleted", False),
        is_featured=extras.get("featured", False),
        created_at=created,
        edited_at=created + timedelta(minutes=4) if extras.get("edited") else None,
        ip_address=f"192.0.2.{counter[0] % 250 + 1}",  # TEST-NET-1: documentation addresses
    )
    if "quote" in extras:
        texts = passages.article_paragraphs(article)
        number = next(n for n, text in enumerate(texts, 1) if extras["quote"] in text)
        chosen = passages.choose(article, number, extras["quote"])
        comment.passage, comment.quote = chosen.number, chosen.quote
    comment.save()
    up, down = extras.get("votes", (0, 0))
    Vote.objects.bulk_create(
        [Vote(comment=comment, voter_key=_key(f"up{i}"), value=1) for i in range(up)]
        + [Vote(comment=comment, voter_key=_key(f"down{i}"), value=-1) for i in range(down)]
    )
    Flag.objects.bulk_create(
        [
            Flag(comment=comment, reporter_key=_key(f"flag{i}"), reason=Flag.Reason.ABUSE)
            for i in range(extras.get("flags", 0))
        ]
    )
    comment.upvotes, comment.downvotes, comment.score = up, down, up - down
    comment.flag_count = extras.get("flags", 0)
    comment.save(update_fields=["upvotes", "downvotes", "score", "flag_count"])
    for reply in replies:
        _add(article, comment, reply, when, counter)


def load_comments(stdout=None) -> int:
    """Add the demo discussions to the demo articles that have none yet; returns how many
    comments were added."""
    added = 0
    articles = Article.objects.filter(slug__in=DISCUSSIONS).annotate(n=Count("comments"))
    for article in articles:
        if article.n:
            continue
        counter = [0]
        for entry in DISCUSSIONS[article.slug]:
            _add(article, None, entry, article.published_at + timedelta(minutes=30), counter)
        # Saved one by one through django-mptt, which numbers without gaps: give the threads
        # room, as a thread posted on the site has, so a reader's first reply is one INSERT.
        for tree_id in sorted(set(article.comments.values_list("tree_id", flat=True))):
            tree.spread_out(tree_id)
        Comment.objects.recount(article.pk)
        pagecache.article_changed(article.pk, article.slug)
        added += counter[0]
    if stdout is not None:
        stdout.write(f"Comments: {added} added.")
    return added
