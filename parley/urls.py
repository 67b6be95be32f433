from django.urls import include, path

from parley.api import api
from parley.web.views import api_docs

urlpatterns = [
    path("api/v1/docs", api_docs, name="api_docs"),
    path("api/v1/", api.urls),
    path("", include("parley.ops.urls")),
    path("", include("parley.web.urls")),
]

handler404 = "parley.ops.views.not_found"
handler500 = "parley.ops.views.server_error"
