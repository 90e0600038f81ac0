"""Checking lead input (API bodies, forms, import rows): every problem named by its field."""
from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from email_validator import EmailNotValidError, validate_email

from opportunities.leads.rules import tiers_text
from opportunities.matching import is_free_email_domain, normalise_domain, normalise_name
from portal.models import PARTNER_TIERS
from portal.choices import check_country, check_region

FAMILY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # as deal registrations
MAX_FAMILIES = 20


def _text(value: Any, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise ValueError("must be text")
    text = " ".join(str(value).split())
    if required and not text:
        raise ValueError("This field is required.")
    if len(text) > limit:
        raise ValueError(f"at most {limit} characters")
    return text


def split_list(value: Any) -> list[str]:
    """A list, or text separated by commas, semicolons or '|' (forms and import files)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [p.strip() for p in re.split(r"[,;|]", value) if p.strip()]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    raise ValueError("must be a list of names")


def clean_families(value: Any) -> list[str]:
    families: list[str] = []
    for item in split_list(value):
        family = item.lower()
        if not FAMILY.match(family):
            raise ValueError(f"{item!r} is not a product family name (letters, digits, - and _)")
        if family not in families:
            families.append(family)
    if not families:
        raise ValueError("Name at least one product family, e.g. hardware.")
    if len(families) > MAX_FAMILIES:
        raise ValueError(f"at most {MAX_FAMILIES} product families")
    return families


def clean_tiers(value: Any) -> str:
    tiers = [t.lower() for t in split_list(value)]
    unknown = [t for t in tiers if t not in PARTNER_TIERS]
    if unknown:
        raise ValueError(f"unknown tier {unknown[0]!r}: use {', '.join(PARTNER_TIERS)}")
    return tiers_text(tiers)


def clean_domain(value: Any) -> str | None:
    text = _text(value, 253)
    if not text:
        return None
    host = normalise_domain(text)
    if host is None:
        rough = re.sub(r"^[a-z]+://|^www\.|[/?#].*$", "", text.lower().rsplit("@", 1)[-1])
        if "." in rough and is_free_email_domain(rough):
            raise ValueError(f"{rough} is a free e-mail provider, not the company's own domain")
        raise ValueError(f"{text!r} is not a web domain such as example.com")
    return host


def clean_email(value: Any) -> str:
    text = _text(value, 254)
    if not text:
        return ""
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address ({exc})") from None


def company_key(name: str) -> str:
    """The normalised company name used to find duplicates ("ACME Inc." -> "acme")."""
    key = normalise_name(name)
    return (key.compact or key.full or name.lower())[:200]


def _sub(data: Mapping[str, Any], key: str, errors: dict[str, str]) -> Mapping[str, Any]:
    value = data.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        errors[key] = "must be an object"
        return {}
    return value


def clean_lead(data: Mapping[str, Any]) -> dict[str, Any]:
    """Lead column values from nested input ({"company": {...}, "contact": {...}, "families",
    "region", "tiers", "notes"}); raises LeadError naming every bad field."""
    from opportunities.leads.services import LeadError

    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    company = _sub(data, "company", errors)
    contact = _sub(data, "contact", errors)

    def take(path: str, column: str, value: Any, fn: Any) -> None:
        try:
            out[column] = fn(value)
        except ValueError as exc:
            errors[path] = str(exc)

    if "company" not in errors and not company:
        errors["company"] = "Give the company: at least its name and country."
    take("company.name", "company_name", company.get("name"), lambda v: _text(v, 200, required=True))
    take("company.country", "company_country", company.get("country"),
         lambda v: check_country(_text(v, 64, required=True)))
    take("company.city", "company_city", company.get("city"), lambda v: _text(v, 120))
    take("company.domain", "company_domain", company.get("domain"), clean_domain)
    take("contact.name", "contact_name", contact.get("name"), lambda v: _text(v, 200))
    take("contact.email", "contact_email", contact.get("email"), clean_email)
    take("contact.phone", "contact_phone", contact.get("phone"), lambda v: _text(v, 50))
    take("families", "families", data.get("families"), clean_families)
    take("region", "region", data.get("region"), lambda v: check_region(_text(v, 64, required=True)))
    take("tiers", "tiers", data.get("tiers"), clean_tiers)
    take("notes", "notes", data.get("notes"), lambda v: str(v or "").strip()[:5000])
    if errors:
        raise LeadError("The lead could not be saved: check the highlighted fields.", fields=errors)
    out["company_key"] = company_key(out["company_name"])
    return out
