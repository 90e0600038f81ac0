"""The notifications centre: the in-app list, opening one, and e-mail preferences per kind."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user

from portal.errors import NotFound
from portal.extensions import db
from portal.listing import Page, page_params
from portal.permissions import login_required
from portal.services import notifications

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


def _filters(args) -> tuple[str, str | None]:
    """`?state=all|unread|read` (the older `?unread=1` too) and `?kind=`; a state it does not know
    shows all, a kind the user has none of shows nothing."""
    state = args.get("state") or ("unread" if args.get("unread") == "1" else "all")
    kind = (args.get("kind") or "").strip()[:60] or None
    return (state if state in notifications.STATES else "all"), kind


@bp.get("/")
@login_required
def index():
    number, per_page = page_params(request.args, 25, 100)
    state, kind = _filters(request.args)
    counts = notifications.summary(current_user)
    g.unread_notifications = counts.unread  # the navigation badge, without another query
    total = counts.count(state, kind)
    stmt = notifications.for_user(current_user, state, kind).limit(per_page).offset((number - 1) * per_page)
    page = Page(items=list(db.session.scalars(stmt)), page=number, per_page=per_page, total=total)
    kinds = sorted(counts.by_kind, key=lambda k: notifications.kinds().get(k, k))
    return render_template("notifications/index.html", page=page, state=state, kind=kind, counts=counts,
                           kinds=kinds, labels=notifications.kinds())


@bp.get("/<id:notification_id>")
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
    state, kind = _filters(request.form)
    count = notifications.mark_all_read(current_user, kind)
    db.session.commit()
    flash(f"{count} notification{'s' if count != 1 else ''} marked as read.", "success")
    return redirect(url_for("notifications.index", kind=kind, state=None if state == "all" else state))


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    if request.method == "POST":
        notifications.set_email_preferences(
            current_user, [k for k in request.form.getlist("email") if k in notifications.kinds()])
        db.session.commit()
        flash("Your e-mail preferences are saved.", "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html",
                           prefs=notifications.email_preferences(current_user),
                           labels=notifications.kinds())
