"""Sums of money. Each case has one currency (ISO 4217, chosen at set-up); a sum is read
strictly in the writer's locale and shown with Babel in the reader's locale, with its currency.

A sum typed on a page is read in the reader's locale ("3,300.50" in English, "3.300,50" in
German); the API always reads the plain form ("3300.50" or "3,300.50"). Nothing here guesses:
a figure that could mean two things ("3,30") is refused with a sentence that says how to write
it.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.numbers import (
    NumberFormatError,
    format_currency,
    get_currency_name,
    get_currency_precision,
    get_decimal_symbol,
    get_group_symbol,
    get_territory_currencies,
    parse_decimal,
)
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from parley.errors import BadInput

# The most a sum may be (in the currency's units): fits the columns' 14 digits with 2 places.
MAX_AMOUNT = Decimal("999999999999.99")
# How the API (and any caller without a reader) writes a sum.
PLAIN_LOCALE = "en"
_SPACES = {" ", "\u00a0", "\u202f"}


@cache
def _locale(name: str) -> Locale:
    try:
        return Locale.parse(translation.to_locale(name))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(translation.to_locale(settings.LANGUAGE_CODE))


def reader_locale(name: str | None = None) -> Locale:
    """The Babel locale of `name` (a Django language code), or of the active language: the
    signed-in reader's (accounts.middleware activates it), else the site's."""
    return _locale(name or translation.get_language() or settings.LANGUAGE_CODE)


@cache
def currencies_in_use() -> frozenset[str]:
    """The ISO 4217 codes that are legal tender somewhere today (no withdrawn ones)."""
    today = date.today()
    codes: set[str] = set()
    for territory in get_global("territory_currencies"):
        codes.update(get_territory_currencies(territory, start_date=today, tender=True))
    return frozenset(codes)


def default_currency() -> str:
    return str(settings.PARLEY_DEFAULT_CURRENCY)


def check_currency(code: str) -> str:
    code = (code or "").strip().upper()
    if code not in currencies_in_use():
        raise BadInput(
            "bad_currency", _("Choose the currency as its three-letter ISO 4217 code, like EUR.")
        )
    return code


def currency_choices(locale: str | None = None) -> list[tuple[str, str]]:
    """Every currency in use, named in the reader's language, sorted by name."""
    loc = reader_locale(locale)
    rows = [(c, f"{get_currency_name(c, locale=loc)} ({c})") for c in currencies_in_use()]
    return sorted(rows, key=lambda row: row[1].casefold())


def decimals(currency: str) -> int:
    """The decimal places a sum in `currency` has here: the currency's own (0 for the yen),
    at most 2, the places of the sums' columns (3-place dinars are kept to the fils' tens)."""
    return min(int(get_currency_precision(currency)), 2)


def smallest_unit(currency: str) -> Decimal:
    """0.01 for the euro, 1 for the yen: what a midpoint is rounded to."""
    return Decimal(1).scaleb(-decimals(currency))


def format_money(amount: Decimal, currency: str, locale: str | None = None) -> str:
    """`amount` with its currency, written the reader's way ("€3,300.00", "3.300,00 €")."""
    return str(format_currency(amount, currency, locale=reader_locale(locale)))


def format_plain(amount: Decimal, currency: str) -> str:
    """The machine form: no grouping, the currency's number of places ("3300.00")."""
    places = decimals(currency)
    return f"{amount:.{places}f}"


def _how(loc: Locale, currency: str) -> str:
    places = decimals(currency)
    group, point = get_group_symbol(loc), get_decimal_symbol(loc)
    example = f"12{group}500" + (f"{point}{'5' * places}" if places else "")
    return _("Enter the sum as a number, like 12500 or %(example)s.") % {"example": example}


def parse_money(
    raw: str | Decimal | int,
    currency: str,
    *,
    locale: str | None = PLAIN_LOCALE,
    allow_zero: bool = False,
) -> Decimal:
    """A sum of 0 or more (more than 0 unless `allow_zero`), in whole minor units of
    `currency`, read in `locale` (None: the reader's). The messages never repeat the figure:
    it may be a sealed bid."""
    loc = reader_locale(locale)
    if isinstance(raw, Decimal | int) and not isinstance(raw, bool):
        value: Decimal | None = Decimal(raw)
    elif isinstance(raw, str):
        value = _read(raw.strip(), loc)
    else:
        value = None
    if value is None or not value.is_finite():
        raise BadInput("bad_amount", _how(loc, currency))
    if value < 0 or value > MAX_AMOUNT:
        raise BadInput("bad_amount", _("The sum must be 0 or more and less than a trillion."))
    if value == 0 and not allow_zero:
        raise BadInput("bad_amount", _("The sum must be more than 0 and less than a trillion."))
    places = decimals(currency)
    if value != value.quantize(smallest_unit(currency)):
        raise BadInput(
            "bad_amount",
            _("Give the sum in whole units of %(currency)s.") % {"currency": currency}
            if places == 0
            else _("Give the sum to at most %(places)s decimal places.") % {"places": places},
        )
    return value.quantize(Decimal("0.01"))


def _read(text: str, loc: Locale) -> Decimal | None:
    """Digits, the locale's grouping and decimal marks, nothing else (no sign, no exponent),
    and the grouping where the locale puts it (Babel's strict mode)."""
    group, point = get_group_symbol(loc), get_decimal_symbol(loc)
    allowed = set("0123456789") | {group, point}
    if group in _SPACES:
        allowed |= _SPACES
    if not text or not text[0].isdigit() or not text[-1].isdigit():
        return None
    if any(ch not in allowed for ch in text) or text.count(point) > 1:
        return None
    if group in _SPACES:
        text = "".join(group if ch in _SPACES else ch for ch in text)
    try:
        return Decimal(parse_decimal(text, locale=loc, strict=True))
    except (NumberFormatError, InvalidOperation, ValueError):
        return None
