"""The JSON API under /api/v1. Views parse, access, call one action, and respond."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import DataError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from parley.accounts.auth import API_AUTH
from parley.apischema import BadBody, ObjectParser
from parley.errors import DomainError
from parley.ops.middleware import on_api_database_error

api = NinjaAPI(
    title="Parley API",
    version="1",
    description=(
        "Online mediation where the agreement to mediate is enforced. Authenticate with the "
        "browser session (CSRF header required) or `Authorization: Bearer <personal token>`. "
        'Every refusal is a 4xx with `{"code": ..., "detail": ...}`; asking for something you '
        "may not see looks exactly like asking for something that does not exist."
    ),
    auth=API_AUTH,
    urls_namespace="api",
    parser=ObjectParser(),
    # The docs page is parley.web.views.api_docs: vendored Swagger UI under the strict CSP.
    docs_url=None,
)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return api.create_response(request, {"code": exc.code, "detail": exc.detail}, status=exc.status)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = []
    for err in exc.errors[:5]:
        where = ".".join(
            str(part) for part in err.get("loc", ()) if part not in ("body", "payload")
        )
        problems.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return api.create_response(
        request,
        {"code": "bad_input", "detail": "; ".join(problems) or "Invalid input."},
        status=422,
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "not_authenticated", "detail": "Sign in, or send a valid API token."},
        status=401,
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, BadBody):
        return api.create_response(
            request, {"code": cause.code, "detail": cause.detail}, status=cause.status
        )
    code = "not_found" if exc.status_code == 404 else "bad_request"
    detail = "Not found." if exc.status_code == 404 else str(exc)
    return api.create_response(request, {"code": code, "detail": detail}, status=exc.status_code)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return api.create_response(
        request,
        {"code": "too_large", "detail": "The request is larger than Parley accepts."},
        status=413,
    )


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # A backstop: values the database cannot store are bad input, never a 500.
    return api.create_response(
        request, {"code": "bad_input", "detail": "A value cannot be stored as given."}, status=422
    )


# A database outage is a clear 503 on the API too, whatever DEBUG says.
api.add_exception_handler(OperationalError, on_api_database_error)
api.add_exception_handler(InterfaceError, on_api_database_error)


def _register() -> None:
    from parley.accounts.api import router as accounts_router
    from parley.agreements.api import router as agreements_router
    from parley.audit.api import router as audit_router
    from parley.cases.api import router as cases_router
    from parley.documents.api import router as documents_router
    from parley.meetings.api import router as meetings_router
    from parley.negotiation.api import router as negotiation_router
    from parley.notifications.api import router as exports_router
    from parley.ops.api import router as operator_router
    from parley.rooms.api import router as rooms_router

    api.add_router("/", accounts_router)
    api.add_router("/cases", cases_router)
    api.add_router("/cases", agreements_router)
    api.add_router("/cases", rooms_router)
    api.add_router("/cases", audit_router)
    api.add_router("/", exports_router)
    api.add_router("/cases", documents_router)
    api.add_router("/cases", negotiation_router)
    api.add_router("/cases", meetings_router)
    api.add_router("/operator", operator_router)


_register()
