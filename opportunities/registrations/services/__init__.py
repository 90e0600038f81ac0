"""Deal registration services: register and check, decide, extend and close, expire, house accounts, files.

`register_opportunity(partner, actor, RegistrationInput(...))` is the entry point for other features
(a lead converted into a registration passes `source="lead"` and its `lead_id`).
"""
from opportunities.registrations.services.inputs import CustomerInput, RegistrationError, RegistrationInput
from opportunities.registrations.services.registrations import check_availability, register_opportunity

__all__ = ["CustomerInput", "RegistrationError", "RegistrationInput", "check_availability", "register_opportunity"]
