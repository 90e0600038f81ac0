"""Staff blueprints: a feature's back-office pages, under `/admin`, guarded once for every view.

`staff_blueprint("campaigns_staff", __name__)` is to staff pages what `api_blueprint` is to the
API: the guard comes with the blueprint, so no view can forget it (anonymous users are sent to
log in, partner users get a 403). The URLs of every staff page start with `/admin`, whichever
feature owns it.
"""
from __future__ import annotations

from flask import Blueprint, Flask, abort
from flask.blueprints import BlueprintSetupState
from flask_login import current_user

from portal.extension_points import registry
from portal.permissions import deny_anonymous, is_staff

URL_PREFIX = "/admin"


def _staff_only():
    if not current_user.is_authenticated:
        return deny_anonymous()
    if not is_staff(current_user):
        abort(403)
    return None


def staff_blueprint(name: str, import_name: str) -> Blueprint:
    """A blueprint of staff pages: `/admin/...`, staff only."""
    bp = Blueprint(name, import_name, url_prefix=URL_PREFIX)
    bp.before_request(_staff_only)

    def _remember(state: BlueprintSetupState) -> None:
        registry(state.app).staff_blueprints.add(state.blueprint.name)

    bp.record_once(_remember)
    return bp


def is_staff_endpoint(app: Flask, endpoint: str) -> bool:
    """Whether `endpoint` is a page of a staff blueprint."""
    return endpoint.partition(".")[0] in registry(app).staff_blueprints
