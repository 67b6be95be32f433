from django.urls import path

from parley.negotiation import views

app_name = "negotiation"

urlpatterns = [
    path("cases/<int:case_id>/negotiate/", views.home, name="home"),
    path("cases/<int:case_id>/negotiate/engine/", views.engine, name="engine"),
    path("cases/<int:case_id>/negotiate/live/", views.live, name="live"),
    path(
        "cases/<int:case_id>/negotiate/engine/<int:job_id>/",
        views.proposal_job,
        name="proposal_job",
    ),
    path(
        "cases/<int:case_id>/negotiate/settlement.pdf", views.settlement_file, name="settlement_pdf"
    ),
    path("cases/<int:case_id>/negotiate/<slug:name>/", views.act, name="act"),
]
