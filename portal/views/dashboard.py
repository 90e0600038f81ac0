"""Each role's landing page."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import AuditEntry, Partner, User
from portal.permissions import login_required
from portal.tenancy import current_partner

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login"))


@bp.get("/dashboard")
@login_required
def index():
    role = current_user.role
    if role in ("partner_admin", "partner_user"):
        partner = current_partner()
        team = db.session.scalar(select(func.count(User.id)).where(User.partner_id == partner.id))
        return render_template("dashboard/partner.html", partner=partner, team_size=team)
    if role == "partner_manager":
        mine = db.session.scalars(
            select(Partner).where(Partner.manager_id == current_user.id).order_by(Partner.name)
        ).all()
        return render_template("dashboard/manager.html", partners=mine)
    by_tier = db.session.execute(
        select(Partner.tier, Partner.status, func.count(Partner.id)).group_by(Partner.tier, Partner.status)
    ).all()
    users_by_role = db.session.execute(select(User.role, func.count(User.id)).group_by(User.role)).all()
    recent = []
    if role == "admin":
        recent = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(10)).all()
    return render_template("dashboard/staff.html", by_tier=by_tier,
                           users_by_role=dict(users_by_role), recent=recent)
