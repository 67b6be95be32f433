from django.urls import path

from parley.realtime.consumers import CaseConsumer

websocket_urlpatterns = [path("ws/cases/<int:case_id>/", CaseConsumer.as_asgi())]
