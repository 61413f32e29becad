"""The form of the API tokens page."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from rectify.core.forms import date_input

from .models import ApiToken


class TokenForm(forms.Form):
    """A new token: what it is for, and optionally the last day it works."""

    name = forms.CharField(
        label=_("Name"),
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text=_("What the token is for, e.g. the system that uses it."),
    )
    expires_on = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=date_input(),
        help_text=_("The last day the token works; leave empty for no expiry."),
    )

    def expires_at(self) -> dt.datetime | None:
        """The last moment of the chosen day, in the local time zone (``None``: no expiry)."""
        day = self.cleaned_data.get("expires_on")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time.max))
