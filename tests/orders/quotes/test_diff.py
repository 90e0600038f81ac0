"""Revision diffs (pure): header fields, lines added, removed and changed, the same line twice."""
from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace as NS

from orders.quotes.diff import diff_revisions


def line(sku, qty, unit, options=(), name=None):
    return NS(sku=sku, name=name or sku.title(), options=list(options), option_names=[o.lower() for o in options],
              quantity=qty, unit_net_minor=unit, line_total_minor=unit * qty)


def rev(number, lines, **kw):
    base = dict(number=number, title="Acme", opportunity_id=None, requested_discount_percent=Decimal("5.00"),
                justification="", currency="EUR", lines=lines, total_minor=sum(l.line_total_minor for l in lines))
    base.update(kw)
    return NS(**base)


def test_nothing_changed():
    a = rev(1, [line("SRV", 2, 1000, ["CPU-8"]), line("LIC", 1, 500)])
    b = rev(2, [line("LIC", 1, 500), line("SRV", 2, 1000, ["CPU-8"])])
    diff = diff_revisions(a, b)
    assert diff.empty and diff.unchanged_lines == 2


def test_fields_and_lines_changes():
    a = rev(1, [line("SRV", 2, 1000, ["CPU-8", "RAM-32"]), line("LIC", 10, 500), line("OLD", 1, 100)])
    b = rev(2, [line("SRV", 3, 1000, ["RAM-32", "CPU-8"]), line("LIC", 10, 450), line("NEW", 4, 25)],
            requested_discount_percent=Decimal("7.50"), opportunity_id=12, title="Acme Corp")
    diff = diff_revisions(a, b)
    assert [(c.label, c.before, c.after) for c in diff.fields] == [
        ("Reference", "Acme", "Acme Corp"), ("Deal registration", "none", "registration #12"),
        ("Requested extra discount", "5%", "7.5%"), ("Total", "€71.00", "€76.00")]
    kinds = {(c.kind, c.sku) for c in diff.lines}
    assert kinds == {("changed", "SRV"), ("changed", "LIC"), ("added", "NEW"), ("removed", "OLD")}
    srv = next(c for c in diff.lines if c.sku == "SRV")
    assert (srv.quantity_before, srv.quantity_after) == (2, 3)  # options matched in any order
    lic = next(c for c in diff.lines if c.sku == "LIC")
    assert (lic.unit_before.as_str(), lic.unit_after.as_str()) == ("5.00", "4.50")
    data = diff.as_dict()
    assert data["from_revision"] == 1 and data["to_revision"] == 2
    assert {"change": "added", "sku": "NEW", "name": "New", "options": [], "quantity_before": None,
            "quantity_after": 4, "unit_net_before": None, "unit_net_after": "0.25",
            "line_total_before": None, "line_total_after": "1.00"} in data["lines"]


def test_a_new_configuration_is_a_removal_and_an_addition_and_repeats_match_in_order():
    a = rev(1, [line("SRV", 1, 1000, ["CPU-8"]), line("SRV", 1, 1000, ["CPU-8"])])
    b = rev(2, [line("SRV", 1, 1000, ["CPU-16"]), line("SRV", 1, 1000, ["CPU-8"])])
    diff = diff_revisions(a, b)
    assert sorted(c.kind for c in diff.lines) == ["added", "removed"]
    assert diff.unchanged_lines == 1
