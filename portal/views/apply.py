"""The public "become a partner" application form (no log-in), with its spam guard."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from portal import choices
from portal.errors import DomainError
from portal.extensions import db
from portal.forms import apply_domain_error, options
from portal.models import PARTNER_KINDS
from portal.services import onboarding
from portal.services import onboarding_guard as guard

bp = Blueprint("apply", __name__, url_prefix="/apply")
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "BRL")
KIND_LABELS = {"distributor": "Distributor: we buy and resell to resellers",
               "reseller": "Reseller: we sell to end customers",
               "agent": "Agent: we refer deals, the vendor sells"}


def currency_choices() -> list[tuple[str, str]]:
    """The supported currencies, the common ones first."""
    supported = choices.currency_options()
    return ([c for c in supported if c[0] in COMMON_CURRENCIES]
            + [c for c in supported if c[0] not in COMMON_CURRENCIES])


class ApplicationForm(FlaskForm):
    company_name = StringField("Company name", render_kw={"autocomplete": "organization"})
    kind = SelectField("Kind of partner", choices=[], validate_choice=False)
    country = SelectField("Country", choices=[], validate_choice=False,
                          description="Where your company is registered.")
    region = SelectField("Sales region", choices=[], validate_choice=False)
    currency = SelectField("Currency", choices=[], validate_choice=False,
                           description="The currency you would buy and be invoiced in.")
    website = StringField("Website", render_kw={"placeholder": "www.example.com", "autocomplete": "url"})
    contact_name = StringField("Your name", render_kw={"autocomplete": "name"})
    contact_email = StringField("Your e-mail", render_kw={"autocomplete": "email", "type": "email"},
                                description="We write to this address about your application.")
    message = TextAreaField("About your business (optional)", render_kw={"rows": 4},
                            description="Markets, customers, products you sell today.")
    form_token = HiddenField()
    # The honeypot: hidden from people (and screen readers); bots fill every field.
    company_fax = StringField("Leave this field empty",
                           render_kw={"autocomplete": "off", "tabindex": "-1"})

    def load_choices(self) -> None:
        self.kind.choices = [SelectChoice("", "Choose…")] + options(
            (k, KIND_LABELS[k]) for k in PARTNER_KINDS)
        self.country.choices = [SelectChoice("", "Choose a country")] + options(choices.country_options())
        self.region.choices = [SelectChoice("", "Choose a region")] + options(choices.region_options())
        self.currency.choices = [SelectChoice("", "Choose a currency")] + options(currency_choices())


def _page(form: ApplicationForm, status: int):
    form.form_token.data = guard.issue_form_token()  # every shown form starts its own clock
    form.company_fax.data = ""
    return render_template("apply/form.html", form=form,
                           min_seconds=current_app.config["APPLICATION_MIN_FILL_SECONDS"]), status


@bp.get("")
def form():
    application_form = ApplicationForm(formdata=None)
    application_form.load_choices()
    return _page(application_form, 200)


@bp.post("")
def submit():
    application_form = ApplicationForm()
    application_form.load_choices()
    if not application_form.validate_on_submit():  # only the CSRF token can fail here
        return _page(application_form, 400)
    data = {name: getattr(application_form, name).data for name in onboarding.FIELDS}
    try:
        onboarding.submit_application(data, ip=request.remote_addr or "unknown",
                                      form_token=application_form.form_token.data,
                                      honeypot=application_form.company_fax.data)
    except (guard.SpamSuspected, guard.TooFast) as exc:
        db.session.commit()  # keep the caught attempt: it counts towards the rate limit
        application_form.form_errors.append(exc.message)
        return _page(application_form, exc.status)
    except DomainError as exc:
        db.session.rollback()
        apply_domain_error(application_form, exc)
        return _page(application_form, exc.status)
    db.session.commit()
    return redirect(url_for("apply.thanks"))


@bp.get("/thanks")
def thanks():
    return render_template("apply/thanks.html")
