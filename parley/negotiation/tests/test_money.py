"""Money: each case has a currency (ISO 4217, chosen at set-up); sums are read strictly and shown
with their currency in the reader's locale, the same way everywhere."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from django.test import Client
from django.utils import translation

from parley.cases.actions import do_create_case, do_set_currency
from parley.errors import BadInput, DomainError
from parley.money import check_currency, format_money, parse_money
from parley.negotiation.tests.helpers import base, side_ids
from parley.testing import ActiveCast, Api, build_case, make_cast


def test_a_sum_is_shown_with_its_currency_in_the_readers_locale() -> None:
    assert format_money(D("3300"), "EUR", "en-gb") == "€3,300.00"
    assert format_money(D("3300"), "USD", "en") == "$3,300.00"
    assert format_money(D("3300"), "USD", "en-gb") == "US$3,300.00"
    assert format_money(D("3300"), "EUR", "de") == "3.300,00\xa0€"
    assert format_money(D("3300"), "JPY", "en") == "¥3,300"
    with translation.override("en"):
        assert format_money(D("12.5"), "GBP") == "£12.50"


@pytest.mark.parametrize(
    ("raw", "currency", "locale", "value"),
    [
        ("3300", "EUR", "en", D("3300.00")),
        ("3,300.5", "EUR", "en", D("3300.50")),
        ("3.300,50", "EUR", "de", D("3300.50")),
        ("3300,5", "EUR", "de", D("3300.50")),
        ("12500", "JPY", "en", D("12500")),
    ],
)
def test_sums_are_read_in_the_writers_locale(
    raw: str, currency: str, locale: str, value: D
) -> None:
    assert parse_money(raw, currency, locale=locale) == value


@pytest.mark.parametrize(
    ("raw", "currency", "locale"),
    [
        ("3,30", "EUR", "en"),  # 3.30 or 330? Refused, not guessed.
        ("3.300,00", "EUR", "en"),
        ("3,300.00", "EUR", "de"),
        ("1e3", "EUR", "en"),
        ("-3", "EUR", "en"),
        ("+3", "EUR", "en"),
        ("€3", "EUR", "en"),
        ("3.", "EUR", "en"),
        (".5", "EUR", "en"),
        ("3.005", "EUR", "en"),
        ("12.5", "JPY", "en"),
        ("1.005", "BHD", "en"),
        ("", "EUR", "en"),
    ],
)
def test_sums_are_read_strictly(raw: str, currency: str, locale: str) -> None:
    with pytest.raises(BadInput) as caught:
        parse_money(raw, currency, locale=locale)
    assert caught.value.code == "bad_amount"


def test_a_currency_is_an_iso_4217_code_in_use() -> None:
    assert check_currency("chf") == "CHF"
    for bad in ("XYZ", "DEM", "EURO", ""):
        with pytest.raises(BadInput):
            check_currency(bad)


@pytest.mark.django_db
def test_the_mediator_chooses_the_currency_at_set_up_and_it_is_fixed_once_active() -> None:
    cast = make_cast()
    status, made = Api(cast.maya).post(
        "/cases", {"title": "Alvarez v. Brightline", "currency": "chf"}
    )
    assert (status, made["currency"]) == (201, "CHF")
    assert Api(cast.maya).post("/cases", {"title": "X", "currency": "XYZ"})[1]["code"] == (
        "bad_currency"
    )
    case = do_create_case(acting_user=cast.maya, title="Default")
    assert case.currency == "EUR"
    assert do_set_currency(acting_user=cast.maya, case_id=case.pk, currency="GBP").currency == "GBP"
    path = f"/cases/{case.pk}/currency"
    assert Api(cast.maya).post(path, {"currency": "JPY"})[1]["currency"] == "JPY"
    assert Api(cast.olga).post(path, {"currency": "USD"})[0] == 404
    cast = build_case(cast)
    with pytest.raises(DomainError) as caught:
        do_set_currency(acting_user=cast.maya, case_id=cast.case.pk, currency="USD")
    assert caught.value.code == "currency_fixed"
    status, body = Api(cast.maya).post(f"/cases/{cast.case.pk}/currency", {"currency": "USD"})
    assert (status, body["code"]) == (409, "currency_fixed")
    status, body = Api(cast.alice).post(f"/cases/{cast.case.pk}/currency", {"currency": "USD"})
    assert (status, body["code"]) == (403, "mediator_only")


@pytest.mark.django_db
def test_the_set_up_page_sets_the_currency() -> None:
    cast = make_cast()
    case = do_create_case(acting_user=cast.maya, title="Alvarez v. Brightline")
    maya = Client()
    maya.force_login(cast.maya)
    page = maya.get(f"/cases/{case.pk}/setup/").content.decode()
    assert 'id="case-currency"' in page and "Swiss Franc (CHF)" in page
    maya.post(f"/cases/{case.pk}/setup/currency/", {"currency": "CHF"})
    case.refresh_from_db()
    assert case.currency == "CHF"
    bob = Client()
    bob.force_login(cast.bob)
    assert bob.post(f"/cases/{case.pk}/setup/currency/", {"currency": "USD"}).status_code == 404


def test_every_sum_on_the_negotiation_page_is_written_one_way(active: ActiveCast) -> None:
    """An offer's terms, the bidding result and the settlement draft all show "€9,000.00";
    the API gives the plain figure and the currency."""
    alice_side, bob_side = side_ids(active)
    status, offer = Api(active.bob).post(
        f"{base(active)}/offers",
        {
            "room": active.room("joint").pk,
            "kind": "sum",
            "amount": "3300",
            "payer": bob_side,
            "payee": alice_side,
        },
    )
    assert status == 201, offer
    assert (offer["amount"], offer["currency"]) == ("3300.00", "EUR")
    Api(active.maya).post(f"{base(active)}/bidding", {"payer": bob_side, "claimant": alice_side})
    Api(active.bob).post(f"{base(active)}/bidding/bids", {"amount": "8000"})
    Api(active.alice).post(f"{base(active)}/bidding/bids", {"amount": "10,000"})
    page = Client()
    page.force_login(active.alice)
    html = page.get(f"/cases/{active.case.pk}/negotiate/").content.decode()
    assert "Bob pays Alice the sum of €3,300.00." in html
    assert "settled at €9,000.00" in html
    for plain in ("3300.00", "9000.00", "3,300.00<", " 9,000.00"):
        assert plain not in html


def test_r8_3_a_yen_midpoint_is_a_whole_yen() -> None:
    from parley.money import smallest_unit
    from parley.negotiation.policy import Margin, MarginKind, settle_round

    pct = Margin(MarginKind.PERCENT, D(30))
    assert settle_round(D(1000), D(1001), pct, smallest_unit("JPY")) == D(1001)
    assert settle_round(D(1000), D("1000.01"), pct, smallest_unit("EUR")) == D("1000.01")
    assert smallest_unit("BHD") == D("0.01")  # the columns keep two places
