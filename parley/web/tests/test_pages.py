"""What every member page shares: a refusal becomes a message on the page the person came
from; a missing or forbidden object becomes the one 404."""

from __future__ import annotations

from django.contrib.messages import get_messages
from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from parley.errors import DomainError, NotFound
from parley.testing import Cast
from parley.web.pages import member_page


def request_from(cast: Cast, referer: str) -> HttpRequest:
    request = RequestFactory().post("/cases/1/anything/", HTTP_REFERER=referer)
    request.user = cast.alice
    request.session = SessionStore()
    MessageMiddleware(lambda r: HttpResponse()).process_request(request)
    return request


@member_page
def refusing(request: HttpRequest) -> HttpResponse:
    raise DomainError("case_terminated", "This mediation has ended.")


@member_page
def hiding(request: HttpRequest) -> HttpResponse:
    raise NotFound()


def test_a_refusal_goes_back_to_the_page_with_its_sentence(cast: Cast) -> None:
    request = request_from(cast, "http://testserver/cases/1/rooms/2/")
    response = refusing(request)
    assert (response.status_code, response["Location"]) == (
        302,
        "http://testserver/cases/1/rooms/2/",
    )
    assert [m.message for m in get_messages(request)] == ["This mediation has ended."]


def test_a_refusal_never_redirects_to_another_site(cast: Cast) -> None:
    response = refusing(request_from(cast, "https://evil.example/phish"))
    assert response["Location"] == "/"


def test_r3_6_missing_and_forbidden_are_the_one_404_page(cast: Cast) -> None:
    response = hiding(request_from(cast, ""))
    assert response.status_code == 404
