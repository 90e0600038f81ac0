"""The quote PDF is rendered for real (WeasyPrint) and read back (pypdf)."""
from __future__ import annotations

from io import BytesIO

from pypdf import PdfReader

from orders.quotes import services
from orders.quotes.documents import waterfall_summary
from tests.orders.quotes.conftest import approved_quote, pending_quote


def pdf_text(data: bytes) -> str:
    reader = PdfReader(BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_an_approved_quote_pdf_has_everything_a_customer_needs(client, login, world):
    quote = approved_quote(world, "2")
    login(world.p.a_user)
    r = client.get(f"/quotes/{quote.id}/pdf")
    assert r.status_code == 200 and r.mimetype == "application/pdf" and r.data.startswith(b"%PDF")
    text = pdf_text(r.data)
    for expected in (
        "Partner Portal", "QUOTE", quote.number, "revision 1", "Alpha Partners", "Silver tier",
        "Server", "SRV", "Options: 8 cores, 32 GB", "Licence", "LIC",
        "List value", "Silver tier discount", "Extra discount 2%", "Net total", "€3,400.50",
        "Valid until", quote.valid_until.isoformat(), "Terms", "excluding taxes",
        "Payment terms: 30 days", "Approved",
    ):
        assert expected in text, expected
    assert "not a valid offer" not in text


def test_the_summary_adds_up_to_the_total(world):
    quote = approved_quote(world, "2")
    steps = waterfall_summary(quote)
    assert [s.step for s in steps] == ["list", "tier_discount", "quote_discount", "net"]
    assert sum(s.amount.amount_minor for s in steps[:-1]) == steps[-1].amount.amount_minor == quote.total_minor


def test_a_pending_quote_pdf_says_it_is_not_an_offer_yet(client, login, world):
    quote = pending_quote(world, "10")
    login(world.p.manager)
    r = client.get(f"/admin/quotes/{quote.id}/pdf")
    text = pdf_text(r.data)
    assert r.status_code == 200 and "PENDING APPROVAL" in text and "not a valid offer" in text
    assert "Extra discount 10% (requested)" in text and "set on approval" in text
    services.approve_quote(world.p.manager, quote.id, "4")
    text = pdf_text(client.get(f"/admin/quotes/{quote.id}/pdf").data)
    assert "Extra discount 4%" in text and "not a valid offer" not in text
