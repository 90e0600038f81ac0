"""Back office: a partner's 360-degree page (users, credit, orders, quotes, registrations, leads,
campaigns, MDF, waiting approvals and the activity timeline). Read-only; partner managers see only
the partners they manage, admins and sales ops every partner."""
from __future__ import annotations

from flask import abort, render_template, request
from flask_login import current_user

from admin.backoffice import approvals, partner360, timeline
from admin.blueprint import bp
from portal.db import get_or_404
from portal.listing import page_params
from portal.models import Partner

TIMELINE_PER_PAGE = 20


@bp.app_template_global()
def can_view_partner_360(partner: Partner) -> bool:
    """Whether the logged-in user may open this partner's 360 page."""
    return bool(current_user.is_authenticated and partner is not None and partner360.can_view(current_user, partner))


@bp.get("/partners/<id:partner_id>/360")
def partner_360(partner_id: int):
    partner = get_or_404(Partner, partner_id)
    if not partner360.can_view(current_user, partner):
        abort(403)
    view = partner360.build(partner)
    number, per_page = page_params({"page": request.args.get("tpage", 1), "per_page": TIMELINE_PER_PAGE},
                                   TIMELINE_PER_PAGE, TIMELINE_PER_PAGE)
    events = timeline.timeline(partner, number, per_page)
    waiting = None
    if approvals.can_use(current_user):
        waiting = approvals.counts(approvals.Scope(current_user._get_current_object(), partner_id=partner.id))
    return render_template("admin/partner360/index.html", view=view, p=partner, events=events, waiting=waiting,
                           labels=approvals.KIND_LABELS)
