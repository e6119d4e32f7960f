"""Small WordPress (WXR) and Disqus exports written by the import tests."""

from __future__ import annotations

from xml.sax.saxutils import escape

WXR_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0"
  xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/"
  xmlns:dc="http://purl.org/dc/elements/1.1/"
  xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Harbour Gazette</title>
  <link>https://old.example.org</link>
  <wp:wxr_version>1.2</wp:wxr_version>
  <wp:author><wp:author_id>2</wp:author_id><wp:author_login><![CDATA[ada]]></wp:author_login>
    <wp:author_email><![CDATA[ada@old.example.org]]></wp:author_email>
    <wp:author_display_name><![CDATA[Ada Quill]]></wp:author_display_name></wp:author>
"""
WXR_TAIL = "</channel>\n</rss>\n"


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def wxr_comment(
    comment_id: int,
    body: str,
    *,
    parent: int = 0,
    approved: str = "1",
    name: str = "Reader",
    email: str = "",
    date: str = "2019-05-03 11:00:00",
    kind: str = "comment",
) -> str:
    return f"""
    <wp:comment>
      <wp:comment_id>{comment_id}</wp:comment_id>
      <wp:comment_author>{cdata(name)}</wp:comment_author>
      <wp:comment_author_email>{cdata(email)}</wp:comment_author_email>
      <wp:comment_author_IP>203.0.113.9</wp:comment_author_IP>
      <wp:comment_date>{date}</wp:comment_date>
      <wp:comment_date_gmt>{date}</wp:comment_date_gmt>
      <wp:comment_content>{cdata(body)}</wp:comment_content>
      <wp:comment_approved>{cdata(approved)}</wp:comment_approved>
      <wp:comment_type>{cdata(kind)}</wp:comment_type>
      <wp:comment_parent>{parent}</wp:comment_parent>
      <wp:comment_user_id>0</wp:comment_user_id>
    </wp:comment>"""


def wxr_item(
    post_id: int,
    title: str,
    *,
    slug: str = "",
    content: str = "<p>First paragraph.</p>\n\n<p>Second paragraph.</p>",
    excerpt: str = "",
    status: str = "publish",
    post_type: str = "post",
    date: str = "2019-05-03 10:00:00",
    link: str = "",
    category: tuple[str, str] = ("local-news", "Local news"),
    tags: tuple[tuple[str, str], ...] = (),
    comments: tuple[str, ...] = (),
    extra: str = "",
) -> str:
    slug = slug or f"post-{post_id}"
    link = link or f"https://old.example.org/2019/05/{slug}/"
    terms = f'<category domain="category" nicename="{category[0]}">{cdata(category[1])}</category>'
    terms += "".join(
        f'<category domain="post_tag" nicename="{t_slug}">{cdata(t_name)}</category>'
        for t_slug, t_name in tags
    )
    return f"""
  <item>
    <title>{escape(title)}</title>
    <link>{escape(link)}</link>
    <dc:creator>{cdata("ada")}</dc:creator>
    <content:encoded>{cdata(content)}</content:encoded>
    <excerpt:encoded>{cdata(excerpt)}</excerpt:encoded>
    <wp:post_id>{post_id}</wp:post_id>
    <wp:post_date>{date}</wp:post_date>
    <wp:post_date_gmt>{date}</wp:post_date_gmt>
    <wp:comment_status>open</wp:comment_status>
    <wp:post_name>{cdata(slug)}</wp:post_name>
    <wp:status>{status}</wp:status>
    <wp:post_type>{post_type}</wp:post_type>
    {terms}{extra}{"".join(comments)}
  </item>"""


def wxr(*items: str) -> str:
    return WXR_HEAD + "".join(items) + WXR_TAIL


DISQUS_HEAD = """<?xml version="1.0" encoding="utf-8"?>
<disqus xmlns="http://disqus.com" xmlns:dsq="http://disqus.com/disqus-internals"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <category dsq:id="1"><forum>gazette</forum><title>General</title>
    <isDefault>true</isDefault></category>
"""
DISQUS_TAIL = "</disqus>\n"


def disqus_thread(thread_id: str, *, link: str = "", identifier: str = "", title: str = "") -> str:
    return f"""
  <thread dsq:id="{thread_id}">
    <id>{escape(identifier)}</id><forum>gazette</forum><category dsq:id="1"/>
    <link>{escape(link)}</link><title>{escape(title)}</title>
    <createdAt>2019-05-03T10:00:00Z</createdAt>
    <author><name>Editor</name><isAnonymous>false</isAnonymous></author>
    <isClosed>false</isClosed><isDeleted>false</isDeleted>
  </thread>"""


def disqus_post(
    post_id: str,
    thread_id: str,
    body: str,
    *,
    parent: str = "",
    name: str = "Reader",
    email: str = "",
    deleted: bool = False,
    spam: bool = False,
    date: str = "2019-05-03T11:00:00Z",
) -> str:
    parent_xml = f'<parent dsq:id="{parent}"/>' if parent else ""
    return f"""
  <post dsq:id="{post_id}">
    <id/><message>{cdata(body)}</message>
    <createdAt>{date}</createdAt>
    <isDeleted>{str(deleted).lower()}</isDeleted><isSpam>{str(spam).lower()}</isSpam>
    <author><email>{escape(email)}</email><name>{escape(name)}</name>
      <isAnonymous>false</isAnonymous><username>{escape(name.lower())}</username></author>
    <ipAddress>198.51.100.4</ipAddress>
    <thread dsq:id="{thread_id}"/>{parent_xml}
  </post>"""


def disqus(*parts: str) -> str:
    return DISQUS_HEAD + "".join(parts) + DISQUS_TAIL


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
  <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
  <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
  <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
  <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
  <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
  <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss><channel><item><title>&lol9;</title></item></channel></rss>
"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&secret;</title></item></channel></rss>
"""
