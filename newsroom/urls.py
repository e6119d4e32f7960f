from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path, re_path

from articles.sitemaps import ArticleSitemap
from newsroom import accounts, media, views

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
    path("admin/", admin.site.urls),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("accounts/signup/sent/", accounts.signup_sent, name="signup_sent"),
    path("accounts/signup/confirm/<str:token>/", accounts.signup_confirm, name="signup_confirm"),
    path("accounts/password_reset/", accounts.PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("comments.urls")),
    path("", include("articles.urls")),
]

urlpatterns += [re_path(r"^media/(?P<path>.*)$", media.media, name="media")]

handler404 = "newsroom.views.page_not_found"
handler500 = "newsroom.views.server_error"
