"""Following discussions; included in ``comments.urls`` (names in the ``comments`` space)."""

from django.urls import path

from comments.notifications import views

urlpatterns = [
    path("comments/follow/<int:article_id>/", views.follow, name="follow"),
    path("comments/confirm/<str:token>/", views.confirm, name="confirm_subscription"),
    path("comments/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("accounts/subscriptions/", views.account, name="subscriptions"),
    path("accounts/subscriptions/<int:pk>/", views.change, name="change_subscription"),
]
