"""Typed inputs of the registration services and their validation (field paths as in the API)."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from email_validator import EmailNotValidError, validate_email

from opportunities.matching import normalise_name, normalise_vat, parse_host
from portal.choices import check_country
from portal.errors import ValidationFailed
from portal.money import Money, MoneyError, is_currency
from portal.validation import parse_decimal

FAMILY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_AMOUNT_MINOR = 10**15
MAX_CLOSE_YEARS = 5
# Field bounds, checked before any other work on a field (the matching never sees a longer text).
MAX_NAME, MAX_DOMAIN, MAX_CITY, MAX_VAT = 400, 254, 100, 40  # the customer columns
MAX_CONTACT_NAME, MAX_EMAIL, MAX_NOTES = 200, 254, 5000
MAX_FAMILIES, MAX_SKUS, MAX_SKU = 50, 100, 64
MAX_NUMBER_TEXT = 30  # an amount or a percentage as typed


class RegistrationError(ValidationFailed):
    """A registration rule was broken (422 with field errors)."""

    code = "registration_invalid"


@dataclass(frozen=True)
class CustomerInput:
    """The end customer as entered: company name, web or e-mail domain, country, city, VAT id."""

    name: str
    country: str
    domain: str | None = None
    city: str | None = None
    vat_id: str | None = None


@dataclass(frozen=True)
class RegistrationInput:
    """What a partner registers. `source` says where it came from ("portal", "api", "lead")."""

    customer: CustomerInput
    families: Sequence[str] = ()
    skus: Sequence[str] = ()
    amount: Any = None  # decimal string in major units
    currency: str = ""
    expected_close: Any = None  # date or "YYYY-MM-DD"
    contact_name: str | None = None
    contact_email: str | None = None
    notes: str = ""
    source: str = "portal"
    lead_id: int | None = None


@dataclass
class CleanRegistration:
    """A validated registration input."""

    customer: CustomerInput
    families: list[str]
    skus: list[str]
    amount: Money
    expected_close: date
    contact_name: str | None
    contact_email: str | None
    notes: str
    source: str
    lead_id: int | None
    warnings: list[str] = field(default_factory=list)


def _text(value: Any, limit: int, path: str, errors: dict[str, str], required: bool = False) -> str | None:
    """The stripped text, or None when empty; a problem (required, too long, NUL) goes to `errors`."""
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            errors[path] = "This field is required."
        return None
    if len(text) > limit:
        errors[path] = f"At most {limit} characters."
    elif "\x00" in text:  # never text a person typed (and PostgreSQL refuses it)
        errors[path] = "Contains a NUL character."
    return text


def clean_customer(customer: CustomerInput, errors: dict[str, str], prefix: str = "customer.") -> CustomerInput:
    """Validate the customer fields; problems go to `errors` under `customer.<field>`.

    Every length is checked first: a field that is too long is never normalised.
    """
    name = _text(customer.name, MAX_NAME, f"{prefix}name", errors, required=True)
    if name and f"{prefix}name" not in errors and not normalise_name(name).compact:
        errors[f"{prefix}name"] = "The company name needs letters or digits."
    country = ""
    try:
        country = check_country(customer.country or "")
    except ValueError:
        errors[f"{prefix}country"] = "Give the ISO 3166 alpha-2 country code, e.g. DE or US."
    domain = _text(customer.domain, MAX_DOMAIN, f"{prefix}domain", errors)
    if domain and f"{prefix}domain" not in errors:
        host = parse_host(domain)  # an e-mail address gives its domain, a website its host (without www.)
        if host is None:
            errors[f"{prefix}domain"] = "Give a web domain (acme.com), a website address or an e-mail address."
        domain = host or domain
    vat = _text(customer.vat_id, MAX_VAT, f"{prefix}vat_id", errors)
    if vat and f"{prefix}vat_id" not in errors and normalise_vat(vat) is None:
        errors[f"{prefix}vat_id"] = "This is not a VAT id (country prefix and digits, e.g. DE129274202)."
    city = _text(customer.city, MAX_CITY, f"{prefix}city", errors)
    return CustomerInput(name or "", country, domain, city, vat)


def parse_date(value: Any, path: str, errors: dict[str, str]) -> date | None:
    """Return a date from a date or "YYYY-MM-DD", or record the problem."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        errors[path] = "Give a date as YYYY-MM-DD." if value not in (None, "") else "This field is required."
        return None


def clean_families(values: Sequence[str], errors: dict[str, str]) -> list[str]:
    """Return the lower-cased, de-duplicated product families, or record the problem."""
    out: list[str] = []
    if len(values) > MAX_FAMILIES:
        errors["families"] = f"Choose at most {MAX_FAMILIES} product families."
        return out
    for value in values:
        family = str(value).strip().lower()
        if len(family) > 64 or not FAMILY.match(family):
            shown = family if len(family) <= 64 else family[:61] + "..."
            errors["families"] = f"{shown!r} is not a product family name (letters, digits, - and _)."
        elif family not in out:
            out.append(family)
    return out


def clean_registration(data: RegistrationInput, today: date) -> CleanRegistration:
    """Validate a registration input (SKUs are resolved by the caller); raise RegistrationError with every problem."""
    errors: dict[str, str] = {}
    customer = clean_customer(data.customer, errors)
    families = clean_families(data.families, errors)
    skus: list[str] = []
    if len(data.skus) > MAX_SKUS:
        errors["skus"] = f"Give at most {MAX_SKUS} SKUs."
    else:
        skus = [str(s).strip() for s in data.skus if str(s).strip()]
    if any("\x00" in s or len(s) > MAX_SKU for s in skus):
        errors["skus"] = f"A SKU has at most {MAX_SKU} characters and no NUL character."
    if not families and not skus and "families" not in errors:
        errors["families"] = "Choose at least one product family (or give SKUs)."
    currency = (data.currency or "").strip().upper()
    amount = Money(0, "EUR")
    if not is_currency(currency):
        errors["currency"] = "Give an ISO 4217 currency code, e.g. EUR."
    elif len(str(data.amount or "")) > MAX_NUMBER_TEXT:
        errors["amount"] = f"At most {MAX_NUMBER_TEXT} characters."
    else:
        try:
            number = parse_decimal(data.amount)
            amount = Money.parse(str(number), currency)
            if amount.amount_minor <= 0:
                errors["amount"] = "The estimated amount must be more than zero."
            elif amount.amount_minor >= MAX_AMOUNT_MINOR:
                errors["amount"] = "The estimated amount is too large."
        except MoneyError as exc:  # e.g. "EUR amounts have at most 2 decimal places"
            errors["amount"] = f"{exc}."
        except ValueError as exc:  # e.g. "must be a decimal number"
            errors["amount"] = "This field is required." if data.amount in (None, "") else f"The amount {exc}."
    close = parse_date(data.expected_close, "expected_close", errors)
    if close is not None and close < today:
        errors["expected_close"] = "The expected close date cannot be in the past."
    elif close is not None and close > today + timedelta(days=366 * MAX_CLOSE_YEARS):
        errors["expected_close"] = f"The expected close date is more than {MAX_CLOSE_YEARS} years away."
    contact_name = _text(data.contact_name, MAX_CONTACT_NAME, "contact.name", errors)
    contact_email = _text(data.contact_email, MAX_EMAIL, "contact.email", errors)
    if contact_email and "contact.email" not in errors:
        try:
            contact_email = validate_email(contact_email, check_deliverability=False).normalized
        except EmailNotValidError:
            errors["contact.email"] = "This is not an e-mail address."
    notes = _text(data.notes, MAX_NOTES, "notes", errors) or ""
    if errors:
        raise RegistrationError("Some fields are invalid: see fields.", fields=errors)
    return CleanRegistration(customer, families, skus, amount, close, contact_name, contact_email, notes,  # type: ignore[arg-type]
                             data.source, data.lead_id)


def clean_percent(value: Any, path: str) -> Decimal | None:
    """Return a percentage 0..100 with at most 2 decimals, None when empty; raise RegistrationError otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if len(str(value)) > MAX_NUMBER_TEXT:
        raise RegistrationError("Some fields are invalid: see fields.",
                                fields={path: "Give a percentage, e.g. 5 or 7.5."})
    try:
        number = parse_decimal(value)
    except ValueError:
        raise RegistrationError("Some fields are invalid: see fields.",
                                fields={path: "Give a percentage, e.g. 5 or 7.5."}) from None
    if number < 0 or number > 100 or number != number.quantize(Decimal("0.01")):
        raise RegistrationError("Some fields are invalid: see fields.",
                                fields={path: "A percentage from 0 to 100 with at most 2 decimals."})
    return number.quantize(Decimal("0.01"))
