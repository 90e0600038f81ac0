"""Campaign assets: documents and images uploaded by staff, downloaded by targeted partners."""
from __future__ import annotations

from pathlib import Path
from typing import BinaryIO

from flask import current_app

from opportunities.campaigns.models import Campaign, CampaignAsset
from portal import storage
from portal.errors import NotFound
from portal.extensions import db
from portal.models import User
from portal.services import audit

FOLDER = "campaigns/assets"


def allowed_types() -> tuple[str, ...]:
    return tuple(current_app.config["CAMPAIGN_ASSET_TYPES"])


def max_bytes() -> int:
    return int(current_app.config["CAMPAIGN_ASSET_MAX_BYTES"])


def limits_text() -> str:
    """'PDF, images or Office files (.pdf, .png ...), at most 20 MB' for forms and docs."""
    return f"{storage.types_text(allowed_types())}; at most {storage.size_text(max_bytes())}."


def check_file(filename: str | None, stream: BinaryIO) -> storage.CheckedUpload:
    """Check an asset file completely before anything is stored (UploadRejected, 422)."""
    return storage.check_upload(filename, stream, allowed=allowed_types(), max_bytes=max_bytes())


def add_asset(actor: User, campaign: Campaign, upload: storage.CheckedUpload, title: str = "") -> CampaignAsset:
    """Store a checked file and attach it to the campaign."""
    title = (title or "").strip()[:200] or Path(upload.filename).stem[:200]
    key = storage.save(upload, FOLDER)
    asset = CampaignAsset(campaign_id=campaign.id, title=title, filename=upload.filename, storage_key=key,
                          content_type=upload.content_type, size_bytes=upload.size, kind=upload.type.kind,
                          uploaded_by_id=getattr(actor, "id", None))
    db.session.add(asset)
    db.session.flush()
    audit.record(actor, "campaign.asset_add", campaign, summary=f"{upload.filename} added to {campaign.name}")
    return asset


def asset_of(campaign: Campaign, asset_id: int) -> CampaignAsset:
    """One of the campaign's assets (an asset id of another campaign is a 404)."""
    asset = db.session.get(CampaignAsset, asset_id)
    if asset is None or asset.campaign_id != campaign.id:
        raise NotFound("There is no such file.")
    return asset


def remove_asset(actor: User, campaign: Campaign, asset_id: int) -> CampaignAsset:
    """Detach an asset; its file is deleted once the change is committed."""
    asset = asset_of(campaign, asset_id)
    db.session.delete(asset)
    db.session.flush()
    storage.delete_after_commit(asset.storage_key)
    audit.record(actor, "campaign.asset_remove", campaign, summary=f"{asset.filename} removed from {campaign.name}")
    return asset


def open_file(key: str) -> BinaryIO:
    """The stored bytes of an asset or proof file (a 404 if the file has gone missing)."""
    try:
        return storage.storage().open(key)
    except (FileNotFoundError, ValueError):
        raise NotFound("The file is missing from the storage.") from None
