"""Back office: the end-customer 360. Search a company by name or web domain and see, across every
partner, the registrations, leads, house accounts and orders naming it, grouped by company with the
conflict-detection matcher (its reasons and scores shown)."""
from __future__ import annotations

from flask import render_template, request
from flask_login import current_user

from admin.backoffice import customers
from admin.backoffice.company_groups import REASON_LABELS
from admin.blueprint import bp
from opportunities.matching import MATCH_THRESHOLD
from portal.extension_points import NavItem

NAV = (NavItem("Customers", "admin.customers", "search", ("admin", "partner_manager", "sales_ops"), 47, menu="Deals"),)


@bp.get("/customers", endpoint="customers")
def customers_page():
    search = customers.parse_search(request.args.get("q"), request.args.get("country"))
    result = customers.find_customer(search)
    mine = {p.id for p in result.partners.values() if p.manager_id == current_user.id}
    return render_template("admin/customers/index.html", result=result, search=search, mine=mine,
                           reasons=REASON_LABELS, threshold=MATCH_THRESHOLD)
