"""The quote PDF (rendered by portal.pdf, WeasyPrint): header, number and revision, partner,
lines with options, the price waterfall summary, totals, validity and terms."""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from flask import current_app

from orders.quotes import rules
from orders.quotes.models import Quote, QuoteRevision
from orders.quotes.services.queries import margin_effect
from portal.money import Money
from portal.pdf import render_pdf

OFFER_STATUSES = ("approved", "accepted")
TERMS = (
    "Prices are net, in {currency}, excluding taxes, duties and shipping; taxes are invoiced "
    "separately.",
    "This quote is valid until {valid_until}. Orders placed after that date are priced again.",
    "Payment terms: {terms} days from the invoice date, on account within the credit limit, or "
    "by card.",
    "Quantities and configurations are as listed; a change requires a new revision of this quote.",
    "Subject to the partner agreement between {vendor} and {partner}.",
)


@dataclass(frozen=True)
class SummaryStep:
    """One waterfall step summed over all lines (per-unit amount x quantity)."""

    step: str
    label: str
    amount: Money


def _extra_label(rev: QuoteRevision) -> str:
    if rev.approved_discount_percent is not None:
        return f"Extra discount {rules.format_percent(rev.approved_discount_percent)}%"
    return f"Extra discount {rules.format_percent(rev.requested_discount_percent)}% (requested)"


def waterfall_summary(quote: Quote) -> list[SummaryStep]:
    """The document's waterfall: list value, then each kind of adjustment, then the net total."""
    rev = quote.current
    totals: OrderedDict[str, int] = OrderedDict()
    labels = {"list": "List value", "contract_price": "Contract prices",
              "volume_tier": "Volume prices", "tier_discount": f"{quote.partner.tier.capitalize()} tier discount",
              "campaign": "Campaign discount", "deal_discount": "Deal registration discount",
              "quote_discount": _extra_label(rev),
              "net": "Net total"}
    for step in ("list", "contract_price", "volume_tier", "tier_discount", "campaign",
                 "deal_discount", "quote_discount", "net"):
        totals[step] = sum(line.step_minor(step) * line.quantity for line in rev.lines)
    return [SummaryStep(step, labels[step], Money(amount, rev.currency)) for step, amount in totals.items()
            if amount or step in ("list", "net")]


def pdf_filename(quote: Quote) -> str:
    return f"{quote.number}-rev{quote.revision}.pdf"


def quote_pdf(quote: Quote) -> bytes:
    """Render the quote's current revision to PDF bytes."""
    rev = quote.current
    partner = quote.partner
    vendor = current_app.config["PORTAL_NAME"]
    terms = [t.format(currency=rev.currency, terms=partner.payment_terms_days, vendor=vendor,
                      partner=partner.name,
                      valid_until=rev.valid_until.isoformat() if rev.valid_until else "its approval + "
                      f"{current_app.config['QUOTE_VALIDITY_DAYS']} days")
             for t in TERMS]
    return render_pdf("pdf/quote.html", quote=quote, rev=rev, partner=partner,
                      summary=waterfall_summary(quote), effect=margin_effect(rev), terms=terms,
                      is_offer=quote.status in OFFER_STATUSES, format_percent=rules.format_percent)
