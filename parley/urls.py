from django.urls import include, path

from parley.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("", include("parley.ops.urls")),
    path("", include("parley.negotiation.urls")),
    path("", include("parley.web.urls")),
]

handler500 = "parley.ops.views.server_error"
