"""Forms of the second-factor pages."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length


class ConfirmTotpForm(FlaskForm):
    code = StringField("Code from the app", validators=[DataRequired("Enter the 6-digit code your app shows."),
                                                        Length(max=20, message="A code has 6 digits.")],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
                       description="Six digits; a new code appears every 30 seconds.")


class VerifyForm(FlaskForm):
    code = StringField("Code from your authenticator app, or a recovery code",
                       validators=[DataRequired("Enter a code."), Length(max=40, message="That is too long for a code.")],
                       render_kw={"autocomplete": "one-time-code", "autofocus": True})


class PasswordForm(FlaskForm):
    password = PasswordField("Current password", validators=[DataRequired("Enter your current password.")],
                             render_kw={"autocomplete": "current-password"})
