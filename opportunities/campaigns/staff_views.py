"""Back office: campaign editor, assets, publishing, results with chart and CSV. The campaigns
feature's staff blueprint, `campaigns_staff` (`/admin/...`); the MDF review pages are on it too
(`mdf_staff_views`)."""
from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from catalog.models import Product
from catalog.services import products as product_service
from opportunities.campaigns import charts, files, richtext
from opportunities.campaigns.access import CAMPAIGN_EDITORS, MDF_REVIEWERS
from opportunities.campaigns.forms import ActionForm, AssetForm, CampaignForm, campaign_form_data
from opportunities.campaigns.models import Campaign, MdfRequest
from opportunities.campaigns.services import assets, campaigns, mdf, results
from portal.db import get_or_404
from portal.errors import DomainError
from portal.extension_points import NavItem
from portal.extensions import db
from portal.forms import apply_domain_error
from portal.listing import apply_sort, page_params, paginate
from portal.staff import staff_blueprint

bp = staff_blueprint("campaigns_staff", __name__)
SORTS = {"name": Campaign.name, "starts": Campaign.starts_on, "ends": Campaign.ends_on,
         "status": Campaign.status, "budget": Campaign.mdf_budget_minor}
NAV = (NavItem("Campaigns", "campaigns_staff.campaigns", "megaphone", CAMPAIGN_EDITORS, 50, menu="Marketing"),
       NavItem("MDF review", "campaigns_staff.mdf_queue", "cash-coin", MDF_REVIEWERS, 55, menu="Marketing"))


@bp.get("/campaigns", endpoint="campaigns")
def campaigns_list():
    args = request.args
    stmt = campaigns.staff_campaigns(args.get("status"), args.get("state"), args.get("q"))
    stmt, sort = apply_sort(stmt, args.get("sort"), SORTS, "-starts", tiebreak=Campaign.id.desc())
    number, per_page = page_params(args, 25, 100)
    page = paginate(stmt, number, per_page, sort=sort)
    counts = campaigns.enrolment_counts([c.id for c in page.items])
    return render_template("admin/campaigns/index.html", page=page, counts=counts, today=campaigns.today())


def _form_page(form: CampaignForm, campaign: Campaign | None, status: int = 200):
    products = [(p.sku, f"{p.sku} · {p.name}") for p in db.session.scalars(
        product_service.search(active_only=True).order_by(Product.sku))]
    if campaign is not None:  # keep promoted products that were retired since
        products += [(sku, f"{sku} (retired)") for sku in campaign.skus if sku not in {p for p, _ in products}]
    form.load_choices(products)
    return render_template("admin/campaigns/form.html", form=form, campaign=campaign), status


def _save(form: CampaignForm, campaign: Campaign | None) -> tuple[Campaign | None, int]:
    try:
        if campaign is None:
            campaign = campaigns.create_campaign(current_user, form.payload())
        else:
            campaigns.update_campaign(current_user, campaign, form.payload())
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(form, exc)
        return None, exc.status
    db.session.commit()
    return campaign, 200


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new_campaign():
    form = CampaignForm()
    if request.method == "GET":
        form.currency.data = current_app.config["CAMPAIGN_DEFAULT_CURRENCY"]
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 400)
    campaign, status = _save(form, None)
    if campaign is None:
        return _form_page(form, None, status)
    flash(f"The draft campaign {campaign.name} is saved: add assets, then publish it.", "success")
    return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign.id))


@bp.route("/campaigns/<id:campaign_id>/edit", methods=["GET", "POST"])
def edit_campaign(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    if request.method == "GET":
        return _form_page(CampaignForm(data=campaign_form_data(campaign)), campaign)
    form = CampaignForm()
    if not form.validate_on_submit():
        return _form_page(form, campaign, 400)
    saved, status = _save(form, campaign)
    if saved is None:
        return _form_page(form, get_or_404(Campaign, campaign_id), status)
    flash(f"Campaign {campaign.name} is saved.", "success")
    return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign.id))


def _detail_page(campaign: Campaign, asset_form: AssetForm | None = None, status: int = 200):
    requests = db.session.scalars(mdf.staff_requests(campaign_id=campaign.id)
                                  .order_by(MdfRequest.created_at.desc()).limit(20)).all()
    return render_template("admin/campaigns/detail.html", campaign=campaign, requests=requests,
                           asset_form=asset_form or AssetForm(formdata=None), action=ActionForm(),
                           enrolled=campaigns.enrolment_counts([campaign.id]).get(campaign.id, 0),
                           targeted=len(campaigns.targeted_partners(campaign)), limits=assets.limits_text(),
                           description=richtext.render(campaign.description), today=campaigns.today()), status


@bp.get("/campaigns/<id:campaign_id>")
def campaign_detail(campaign_id: int):
    return _detail_page(get_or_404(Campaign, campaign_id))


@bp.post("/campaigns/<id:campaign_id>/publish")
def publish_campaign(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        campaigns.publish_campaign(current_user, campaign)
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign_id))
    db.session.commit()
    flash(f"{campaign.name} is published: targeted partners see it and were notified.", "success")
    return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign.id))


@bp.post("/campaigns/<id:campaign_id>/assets")
def upload_asset(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    try:
        upload = files.uploaded_files(assets.max_bytes()).get("file")
        form = AssetForm()
        if not form.validate_on_submit():
            return _detail_page(campaign, form, 400)
        if upload is None or not upload.filename:
            form.file.errors = ["Choose a file."]
            return _detail_page(campaign, form, 400)
        asset = assets.add_asset(current_user, campaign, assets.check_file(upload.filename, upload.stream),
                                 form.title.data or "")
    except DomainError as exc:
        db.session.rollback()
        form = AssetForm(formdata=None) if exc.status == 413 else AssetForm()  # keep the title
        apply_domain_error(form, exc)
        return _detail_page(get_or_404(Campaign, campaign_id), form, exc.status)
    db.session.commit()
    flash(f"{asset.filename} is added.", "success")
    return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign.id) + "#assets")


@bp.post("/campaigns/<id:campaign_id>/assets/<id:asset_id>/delete")
def delete_asset(campaign_id: int, asset_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    asset = assets.remove_asset(current_user, campaign, asset_id)
    db.session.commit()
    flash(f"{asset.filename} is removed.", "success")
    return redirect(url_for("campaigns_staff.campaign_detail", campaign_id=campaign.id) + "#assets")


@bp.get("/campaigns/<id:campaign_id>/assets/<id:asset_id>")
def download_asset(campaign_id: int, asset_id: int):
    asset = assets.asset_of(get_or_404(Campaign, campaign_id), asset_id)
    inline = request.args.get("inline") == "1" and asset.kind == "image"
    return files.send_stored(asset.storage_key, asset.filename, asset.content_type, inline=inline)


@bp.get("/campaigns/<id:campaign_id>/results")
def campaign_results(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    res = results.campaign_results(campaign)
    figures = [("Budget", campaign.mdf_budget)] + [(label, res.mdf(key)) for key, label in (
        ("mdf_requested", "Requested"), ("mdf_approved", "Approved"), ("mdf_claimed", "Claimed"),
        ("mdf_paid", "Paid"))]
    mdf_chart = charts.bar_chart([charts.Bar(label, money.amount, money.format()) for label, money in figures],
                                 title=f"MDF of {campaign.name} in {campaign.currency}")
    tier_chart = charts.bar_chart([charts.Bar(tier.title(), n, str(n)) for tier, n in results.enrolled_by_tier(res)],
                                  title="Enrolled partners by tier", width=420, label_width=90)
    return render_template("admin/campaigns/results.html", campaign=campaign, res=res, mdf_chart=mdf_chart,
                           tier_chart=tier_chart, figures=figures)


@bp.get("/campaigns/<id:campaign_id>/results.csv")
def campaign_results_csv(campaign_id: int):
    campaign = get_or_404(Campaign, campaign_id)
    body = results.results_csv(results.campaign_results(campaign))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="campaign-{campaign.id}-results.csv"'})
