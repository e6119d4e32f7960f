from django.urls import path

from comments import api, appeal_views, feeds, reader, views
from comments.notifications import urls as notifications

app_name = "comments"

urlpatterns = [
    # First: every open page asks for these, and each is resolved twice (the page cache's
    # middleware, then Django), one pattern after another.
    path("comments/reader/<int:article_id>/", reader.layer, name="reader"),
    path("comments/live/<slug:slug>/", reader.live, name="live"),
    path("comments/live/<slug:slug>/new/", reader.live_new, name="live_new"),
    path("comments/post/<int:article_id>/", views.post, name="post"),
    path("comments/more/<int:article_id>/", views.fragment, name="fragment"),
    path("comments/passage/<int:article_id>/", views.passage, name="passage"),
    path("comments/<int:pk>/", views.permalink, name="permalink"),
    path("comments/<int:pk>/reply/", views.reply, name="reply"),
    path("comments/<int:pk>/thread/", views.thread, name="thread"),
    path("comments/<int:pk>/replies/", views.replies, name="replies"),
    path("comments/<int:pk>/edit/", views.edit, name="edit"),
    path("comments/<int:pk>/delete/", views.delete, name="delete"),
    path("comments/<int:pk>/vote/", views.vote, name="vote"),
    path("comments/<int:pk>/report/", views.report, name="report"),
    path("comments/appeal/<str:token>/", appeal_views.appeal, name="appeal"),
    path("api/articles/<slug:slug>/comments/", api.article_comments, name="api"),
    path("articles/<slug:slug>/comments/feed/", feeds.ArticleCommentsFeed(), name="feed"),
]
urlpatterns += notifications.urlpatterns
