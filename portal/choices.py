"""The portal's choice lists: ISO 3166-1 alpha-2 countries, the ISO 4217 currencies the portal
supports and the configured sales regions; checks for each, and pydantic types for API schemas.

HTML forms show these as select fields (`*_options()`: sorted by name); APIs take the code,
case-insensitive, normalised to upper case; an unknown code is a value error (a 422 on the field).
"""
from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Any

import pycountry
from babel.numbers import get_currency_name
from flask import current_app
from pydantic import AfterValidator, Field

from portal.money import known_currencies

DEFAULT_REGIONS = ("APAC", "EMEA", "LATAM", "NA")
# ISO 4217 codes that are not money a partner is invoiced in: precious metals, units of account,
# the testing and "no currency" codes, and the fund codes (BOV, CHE, ... ; their country's
# currency is in the list).
NOT_TENDER = frozenset({"XAD", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XDR", "XPD", "XPT", "XSU",
                        "XTS", "XUA", "XXX", "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI",
                        "UYW"})


@lru_cache(maxsize=1)
def _countries() -> tuple[tuple[str, str], ...]:
    """(alpha-2 code, common English name), sorted by name."""
    pairs = ((c.alpha_2, getattr(c, "common_name", None) or c.name) for c in pycountry.countries)
    return tuple(sorted(pairs, key=lambda pair: pair[1]))


def countries() -> frozenset[str]:
    """Every ISO 3166-1 alpha-2 country code."""
    return frozenset(code for code, _ in _countries())


def country_options() -> list[tuple[str, str]]:
    """Select choices: ("DE", "Germany (DE)"), sorted by country name."""
    return [(code, f"{name} ({code})") for code, name in _countries()]


@lru_cache(maxsize=1)
def _iso_currencies() -> frozenset[str]:
    """ISO 4217's current codes that Money can handle, without the non-tender ones."""
    current = {c.alpha_3 for c in pycountry.currencies}
    return frozenset(current & known_currencies()) - NOT_TENDER


def currencies() -> frozenset[str]:
    """The currencies the portal supports: the `CURRENCIES` setting when given (a narrower
    list), otherwise every current ISO 4217 currency."""
    configured = current_app.config.get("CURRENCIES")
    if configured:
        return frozenset(str(c).upper() for c in configured) & _iso_currencies()
    return _iso_currencies()


def currency_options() -> list[tuple[str, str]]:
    """Select choices: ("EUR", "EUR · Euro"), sorted by code."""
    return [(c, f"{c} · {get_currency_name(c, locale='en')}") for c in sorted(currencies())]


def regions() -> tuple[str, ...]:
    """The configured sales regions (`REGIONS`; `APPLICATION_REGIONS` is its older name)."""
    cfg = current_app.config
    configured = cfg.get("REGIONS") or cfg.get("APPLICATION_REGIONS") or DEFAULT_REGIONS
    return tuple(str(r).strip().upper() for r in configured)


def region_options() -> list[tuple[str, str]]:
    return [(r, r) for r in regions()]


def _code(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be {what} as text")
    return value.strip().upper()


def check_country(value: Any) -> str:
    code = _code(value, "an ISO 3166 alpha-2 country code")
    if code not in countries():
        raise ValueError(f"{str(value)[:20]!r} is not an ISO 3166 alpha-2 country code (e.g. DE, US, JP).")
    return code


def check_currency(value: Any) -> str:
    code = _code(value, "an ISO 4217 currency code")
    if code not in currencies():
        raise ValueError(f"{str(value)[:20]!r} is not a supported ISO 4217 currency code (e.g. EUR, USD, JPY).")
    return code


def check_region(value: Any) -> str:
    code = " ".join(_code(value, "a region").split())
    allowed = regions()
    if code not in allowed:
        raise ValueError(f"{str(value)[:20]!r} is not a sales region: choose one of {', '.join(allowed)}.")
    return code


# Field descriptions; the service checks these fields together with the others (every problem
# in one 422), so schemas whose service checks them keep `str` with these descriptions.
COUNTRY = "ISO 3166-1 alpha-2 country code, e.g. DE (any case; stored upper case)"
CURRENCY = "ISO 4217 currency code the portal supports, e.g. EUR (any case; stored upper case)"
REGION = "a configured sales region (setting REGIONS, by default APAC, EMEA, LATAM, NA; any case)"

RegionCode = Annotated[str, AfterValidator(check_region), Field(description=REGION)]
