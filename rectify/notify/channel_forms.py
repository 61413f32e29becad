"""The form of a unit's group robot. The secret is write-only: it is never rendered back."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .channels import MAX_SECRET_LENGTH, validate_webhook_url
from .models import Channel, ChannelKind


class ChannelForm(forms.Form):
    """Add (``channel=None``) or change a robot; on change, blank address and secret keep theirs."""

    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Platform"), choices=ChannelKind.choices)
    url = forms.CharField(
        label=_("Webhook address"),
        max_length=2000,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("The robot's address, from the group's robot settings (https://…)."),
    )
    secret = forms.CharField(
        label=_("Signing secret"),
        required=False,
        max_length=MAX_SECRET_LENGTH,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "Only if the robot signs requests (DingTalk 加签, Feishu 签名校验). "
            "It is stored encrypted and never shown again."
        ),
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=settings.LANGUAGES, initial=settings.LANGUAGE_CODE
    )

    def __init__(self, *args, channel: Channel | None = None, **kwargs):
        self.channel = channel
        if channel is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": channel.name,
                    "kind": channel.kind,
                    "language": channel.language,
                    "is_active": channel.is_active,
                    "version": channel.version,
                },
            )
        super().__init__(*args, **kwargs)
        if channel is not None:
            self.fields["url"].required = False
            self.fields["url"].help_text = _(
                "Leave blank to keep the stored address (%(hint)s)."
            ) % {"hint": channel.url_hint}
            self.fields["secret"].help_text = (
                _("Leave blank to keep the stored secret.")
                if channel.has_secret
                else _("No secret is stored. Enter one if the robot signs requests.")
            )
            if channel.has_secret:
                self.fields["clear_secret"] = forms.BooleanField(
                    label=_("Remove the stored secret"), required=False
                )
            self.fields["is_active"] = forms.BooleanField(label=_("Active"), required=False)
            self.fields["version"] = forms.IntegerField(widget=forms.HiddenInput)

    def clean_url(self) -> str:
        url = self.cleaned_data.get("url", "").strip()
        if not url:
            return ""
        return validate_webhook_url(url)

    def clean(self):
        data = super().clean()
        if data.get("kind") == ChannelKind.WECOM and data.get("secret"):
            self.add_error("secret", ValidationError(_("WeCom group robots do not sign requests.")))
        return data
