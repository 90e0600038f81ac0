"""The admin blueprint, guarded once for every view it will ever have: staff only."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user

from portal.permissions import deny_anonymous, is_staff

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def _staff_only():
    if not current_user.is_authenticated:
        return deny_anonymous()
    if not is_staff(current_user):
        abort(403)
    return None
