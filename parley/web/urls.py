from allauth.account import views as account_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from parley.web import (
    account,
    calendar,
    casesetup,
    documents,
    guide,
    invitations,
    negotiation,
    operator,
    profile,
    sessions,
    signing,
    views,
    workspace,
)
from parley.web.pages import member_page

# The negotiation tab's pages keep their own URL namespace ("negotiation:home", ...).
negotiation_pages = [
    path("cases/<int:case_id>/negotiate/", negotiation.home, name="home"),
    path("cases/<int:case_id>/negotiate/engine/", negotiation.engine, name="engine"),
    path("cases/<int:case_id>/negotiate/live/", negotiation.live, name="live"),
    path(
        "cases/<int:case_id>/negotiate/engine/<int:job_id>/",
        negotiation.proposal_job,
        name="proposal_job",
    ),
    path(
        "cases/<int:case_id>/negotiate/settlement.pdf",
        negotiation.settlement_file,
        name="settlement_pdf",
    ),
    path("cases/<int:case_id>/negotiate/<slug:name>/", negotiation.act, name="act"),
]

urlpatterns = [
    path("", include((negotiation_pages, "negotiation"))),
    path("", views.dashboard, name="dashboard"),
    path("help/words/", views.words, name="words"),
    path("login/", account.SignInView.as_view(), name="login"),
    # The sign-in page's language switch (Django's set_language: a cookie, then back to `next`).
    path("i18n/", include("django.conf.urls.i18n")),
    # parley.js's visible words, in the reader's language (gettext() in the page's scripts).
    path(
        "i18n/catalogue.js",
        JavaScriptCatalog.as_view(packages=["parley.web"]),
        name="javascript_catalog",
    ),
    path("logout/", account_views.logout, name="logout"),
    path("accounts/", include("allauth.urls")),
    path("operator/", operator.accounts, name="operator_accounts"),
    path("operator/cases/", operator.cases, name="operator_cases"),
    path(
        "operator/accounts/<int:user_id>/reset-second-factor/",
        operator.reset_second_factor,
        name="operator_reset_factor",
    ),
    path(
        "operator/accounts/<int:user_id>/<str:decision>/",
        operator.decide,
        name="operator_decide",
    ),
    path("account/", profile.profile, name="profile"),
    path("account/tokens/", profile.tokens, name="tokens"),
    path("account/sign-out-everywhere/", profile.sign_out_everywhere, name="sign_out_everywhere"),
    path("account/tokens/<int:token_id>/revoke/", profile.revoke_token, name="revoke_token"),
    path("invitations/<str:token>/", invitations.invitation, name="invitation"),
    path("cases/<int:case_id>/record/", views.record, name="record"),
    path("cases/<int:case_id>/record/progress/", views.record_progress, name="record_progress"),
    path(
        "cases/<int:case_id>/record/<int:job_id>/download/",
        views.record_download,
        name="record_download",
    ),
    path("cases/new/", casesetup.new_case, name="new_case"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/regenerate/", calendar.regenerate, name="calendar_regenerate"),
    path("calendar/revoke/", calendar.revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", calendar.feed, name="calendar_feed"),
    path("cases/<int:case_id>/sessions/", sessions.sessions, name="sessions"),
    path("cases/<int:case_id>/sessions/new/", sessions.schedule, name="session_schedule"),
    path("cases/<int:case_id>/sessions/settings/", sessions.settings, name="session_settings"),
    path("cases/<int:case_id>/sessions/<int:session_id>/move/", sessions.move, name="session_move"),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/cancel/",
        sessions.cancel,
        name="session_cancel",
    ),
    path(
        "cases/<int:case_id>/sessions/<int:session_id>/attendance/",
        sessions.attendance,
        name="session_attendance",
    ),
    path("cases/<int:case_id>/polls/new/", sessions.poll_create, name="poll_create"),
    path(
        "cases/<int:case_id>/polls/<int:poll_id>/answer/", sessions.poll_answer, name="poll_answer"
    ),
    path("cases/<int:case_id>/polls/<int:poll_id>/pick/", sessions.poll_pick, name="poll_pick"),
    path("cases/<int:case_id>/report/", views.court_report, name="court_report"),
    path("cases/<int:case_id>/report.pdf", views.court_report_pdf, name="court_report_pdf"),
    path("cases/<int:case_id>/", signing.case_home, name="case"),
    path("cases/<int:case_id>/setup/", casesetup.setup, name="setup"),
    path("cases/<int:case_id>/setup/invite/", casesetup.invite, name="setup_invite"),
    path(
        "cases/<int:case_id>/setup/invitations/<int:invitation_id>/<str:what>/",
        casesetup.invitation_action,
        name="invitation_action",
    ),
    path("cases/<int:case_id>/setup/agreement/", casesetup.agreement, name="setup_agreement"),
    path("cases/<int:case_id>/setup/disclosure/", casesetup.disclosure, name="setup_disclosure"),
    path("cases/<int:case_id>/setup/issue/", casesetup.issue, name="setup_issue"),
    path("cases/<int:case_id>/setup/currency/", casesetup.currency, name="setup_currency"),
    path("cases/<int:case_id>/sign/", signing.sign, name="sign"),
    path(
        "cases/<int:case_id>/name-correction/",
        signing.request_name_correction,
        name="name_correction",
    ),
    path(
        "cases/<int:case_id>/name-corrections/<int:correction_id>/<str:decision>/",
        casesetup.decide_name_correction,
        name="name_correction_decide",
    ),
    path(
        "cases/<int:case_id>/disclosures/<int:disclosure_id>/acknowledge/",
        signing.acknowledge,
        name="acknowledge",
    ),
    path("cases/<int:case_id>/rooms/<int:room_id>/", workspace.room, name="room"),
    path(
        "cases/<int:case_id>/rooms/<int:room_id>/entries/",
        workspace.entries_after,
        name="entries_after",
    ),
    path("cases/<int:case_id>/rooms/<int:room_id>/post/", workspace.post, name="post"),
    path("cases/<int:case_id>/rooms/<int:room_id>/upload/", workspace.upload, name="upload"),
    path("cases/<int:case_id>/entries/<int:entry_id>/", workspace.entry_part, name="entry"),
    path(
        "cases/<int:case_id>/entries/<int:entry_id>/instruction/",
        workspace.instruction,
        name="instruction",
    ),
    path("cases/<int:case_id>/entries/<int:entry_id>/share/", workspace.share, name="share"),
    path("cases/<int:case_id>/people/", workspace.people, name="people"),
    path("cases/<int:case_id>/guide/", guide.guide, name="guide"),
    path("cases/<int:case_id>/end/", workspace.end, name="end"),
    path(
        "cases/<int:case_id>/documents/<int:document_id>/download/",
        member_page(documents.download),
        name="download",
    ),
]
