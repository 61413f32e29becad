"""Forms of the import pages: the upload, and the preview's options read from a POST."""

from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from rectify.campaigns.selectors import campaigns_visible_to
from rectify.core.forms import add_service_error, offer_choices
from rectify.org.scoping import CHANGE, units_visible_to
from rectify.org.selectors import units_for_choice

from .importer.header import choices as field_choices
from .importer.jobs import require_importer
from .importer.plan import Options

#: The widest sheet whose mapping a page may post.
MAX_COLUMNS = 200


class ImportUploadForm(forms.Form):
    """Which campaign and unit a ledger file goes into, and the file."""

    campaign = forms.ModelChoiceField(
        label=_("Campaign"), queryset=None, to_field_name="slug", empty_label=None
    )
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=None,
        help_text=_(
            "Rows land in this unit. With a 单位 column, each row lands in the unit it names "
            "(by name, short name or code) within this one."
        ),
    )
    file = forms.FileField(label=_("Ledger file"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["campaign"].queryset = campaigns_visible_to(user)
        self.fields["unit"].queryset = units_visible_to(user, CHANGE)
        offer_choices(self, "unit", units_for_choice(user))
        self.fields["file"].help_text = _(".xlsx, .xls, .ods or .csv, up to %(size)s.") % {
            "size": filesizeformat(settings.RECTIFY_IMPORT_MAX_BYTES)
        }
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.xls,.ods,.csv"

    def clean(self):
        data = super().clean()
        if data.get("campaign") and data.get("unit"):
            try:
                require_importer(self.user, data["campaign"], data["unit"])
            except PermissionDenied as exc:
                self.add_error("unit", str(exc))
            except ValidationError as exc:
                add_service_error(self, exc)
        return data


def _number(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def options_from_post(data, previous: Options) -> Options:
    """The preview's options as posted; another sheet or header row maps columns afresh."""
    options = Options(
        sheet=_number(data.get("sheet")),
        header_row=_number(data.get("header_row")),
        default_target=_number(data.get("default_target")),
        people=dict(previous.people),
        columns=previous.columns,
    )
    moved = data.get("sheet") != data.get("shown_sheet") or (
        data.get("header_row") != data.get("shown_header")
    )
    if moved:
        # Another sheet or header row: its columns are mapped afresh.
        options.columns = None
    if data.get("sheet") != data.get("shown_sheet"):
        options.header_row = None
    elif data.get("mapping"):
        keys = {key for key, _label in field_choices()}
        width = min(_number(data.get("width")) or 0, MAX_COLUMNS)
        options.columns = {
            column: data.get(f"col-{column}")
            for column in range(width)
            if data.get(f"col-{column}") in keys
        }
    for index in range(min(_number(data.get("questions")) or 0, 1000)):
        name = data.get(f"name-{index}")
        if not name:
            continue
        decision = data.get(f"person-{index}", "")
        if decision:
            options.people[name] = decision
        else:
            options.people.pop(name, None)
    return options
