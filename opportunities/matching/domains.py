"""Normalisation of web domains, e-mail domains, VAT ids and country codes."""

from __future__ import annotations

import re

from .vocab import FREE_EMAIL_DOMAINS, FREE_EMAIL_LABELS, PUBLIC_SUFFIXES_2

_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://")
_PATH = re.compile(r"[/?#\s\\]")
_WWW = re.compile(r"^www\d*\.")
_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_NOT_VAT = re.compile(r"[^0-9A-Z]")
#: Longest text read as a URL, domain or e-mail address (a host has at most 253 characters).
MAX_HOST_INPUT = 2048
#: Longest text read as a VAT id (the longest real ones have 15 characters).
MAX_VAT_INPUT = 100


def _host(value: str) -> str | None:
    """Extract the lower-case ASCII host from a URL, bare domain or e-mail address, or None."""
    if len(value) > MAX_HOST_INPUT:
        return None
    text = value.strip().lower()
    if "@" in text:
        text = text.rsplit("@", 1)[1]
    text = _SCHEME.sub("", text)
    text = _PATH.split(text, maxsplit=1)[0]
    text = text.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    if not text.isascii():
        try:
            text = text.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    text = _WWW.sub("", text)
    labels = text.split(".")
    if len(labels) < 2 or labels[-1].isdigit() or not all(_LABEL.match(label) for label in labels):
        return None
    return None if text in PUBLIC_SUFFIXES_2 else text


def parse_host(value: str | None) -> str | None:
    """Return the host of a URL, domain or e-mail address (free e-mail domains included), or None if invalid."""
    return _host(value) if value else None


def registrable_domain(host: str) -> str:
    """Return the registrable part of a host ("shop.siemens.de" -> "siemens.de", "a.b.co.uk" -> "b.co.uk")."""
    labels = host.lower().split(".")
    keep = 3 if len(labels) >= 3 and ".".join(labels[-2:]) in PUBLIC_SUFFIXES_2 else 2
    return ".".join(labels[-keep:])


def is_free_email_domain(host: str) -> bool:
    """Tell whether a host belongs to a free e-mail provider (gmail.com, hotmail.fr, yahoo.co.jp...)."""
    reg = registrable_domain(host)
    return host in FREE_EMAIL_DOMAINS or reg in FREE_EMAIL_DOMAINS or reg.split(".")[0] in FREE_EMAIL_LABELS


def normalise_domain(value: str | None) -> str | None:
    """Return the host of a URL, domain or e-mail address without "www.", or None if free or invalid."""
    host = _host(value) if value else None
    if host is None or is_free_email_domain(host):
        return None
    return host


def normalise_vat(value: object) -> str | None:
    """Return a VAT id upper-cased without spaces or punctuation (country prefix kept), or None."""
    if value is None:
        return None
    text = str(value)
    if len(text) > MAX_VAT_INPUT:
        return None
    text = _NOT_VAT.sub("", text.upper())
    if len(text) < 4 or not any(ch.isdigit() for ch in text):
        return None
    return text


def normalise_country(value: str | None) -> str:
    """Return an upper-case country code, or "" when unknown."""
    return (value or "").strip().upper()
