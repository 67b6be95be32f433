from django.urls import include, path

from parley.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("parley.web.urls")),
]
