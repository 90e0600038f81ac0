"""The notifications centre: the in-app list, opening one, and e-mail preferences per kind."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import NotFound
from portal.extensions import db
from portal.listing import page_params, paginate
from portal.permissions import login_required
from portal.services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.get("/")
@login_required
def index():
    number, per_page = page_params(request.args, 25, 100)
    stmt = notifications.for_user(current_user)
    unread_only = request.args.get("unread") == "1"
    if unread_only:
        stmt = stmt.where(notifications.Notification.read_at.is_(None))
    page = paginate(stmt, number, per_page)
    return render_template("notifications/index.html", page=page, unread_only=unread_only)


@bp.get("/<int:notification_id>")
@login_required
def open_one(notification_id: int):
    note = notifications.open_notification(current_user, notification_id)
    if note is None:
        raise NotFound("There is no such notification.")
    db.session.commit()
    link = note.link if note.link and note.link.startswith("/") else None
    return redirect(link or url_for("notifications.index"))


@bp.post("/read-all")
@login_required
def read_all():
    count = notifications.mark_all_read(current_user)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.index"))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method == "POST":
        notifications.set_email_preferences(
            current_user, [k for k in request.form.getlist("email") if k in notifications.KINDS])
        db.session.commit()
        flash("Your e-mail preferences are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html",
                           prefs=notifications.email_preferences(current_user),
                           labels=notifications.KINDS)
