from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.sitemaps import ArticleSitemap
from newsroom import accounts, media, own_data_views, views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("no-script.gif", views.without_script, name="without_script"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": {"articles": ArticleSitemap}},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    # Before the admin and accounts: the readers' per-page requests (comments/urls.py) are
    # resolved twice each, one pattern after another.
    path("", include("comments.urls")),
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/sent/", accounts.signup_sent, name="signup_sent"),
    path("accounts/signup/confirm/<str:token>/", accounts.signup_confirm, name="signup_confirm"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/data/", own_data_views.account, name="own_data"),
    path("accounts/data/download/", own_data_views.download, name="own_data_download"),
    path(
        "accounts/data/delete/",
        own_data_views.request_deletion,
        name="own_data_request_deletion",
    ),
    path(
        "accounts/data/delete/<str:token>/",
        own_data_views.confirm_deletion,
        name="own_data_confirm_deletion",
    ),
    path("accounts/data/keep/", own_data_views.keep_account, name="own_data_keep"),
    path("accounts/data/guest/", own_data_views.guest, name="own_data_guest"),
    path("accounts/data/guest/<str:token>/", own_data_views.guest_link, name="own_data_guest_link"),
    path(
        "accounts/data/guest/<str:token>/download/",
        own_data_views.guest_download,
        name="own_data_guest_download",
    ),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("articles.urls")),
]

urlpatterns += [re_path(r"^media/(?P<path>.*)$", media.media, name="media")]

handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
