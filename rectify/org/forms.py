"""Forms of the org pages. They parse and validate input; services write."""

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from rectify.core.forms import offer_choices

from .models import GuidanceGroup, Person, Role, Unit
from .scoping import is_system_admin, visible_to
from .selectors import login_for_grant, people_for_group_choice, units_for_choice


class ServiceModelForm(forms.ModelForm):
    """A model form used only to parse and validate: saving goes through a service."""

    def save(self, commit=True):
        raise NotImplementedError("Call the service function with form.cleaned_data.")


class UnitChoiceField(forms.ModelChoiceField):
    """A unit picker whose labels show the tree by indentation."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * obj.depth}{obj} ({obj.code})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple unit picker whose labels show the tree by indentation."""

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'　' * obj.depth}{obj} ({obj.code})"


def parse_codes(text: str) -> list[str]:
    """Unit codes typed into a text box, separated by commas, spaces or new lines."""
    return [c for c in text.replace(",", " ").replace("，", " ").replace("、", " ").split() if c]


class UnitForm(ServiceModelForm):
    """A unit's own fields (its place in the tree is fixed at creation)."""

    class Meta:
        model = Unit
        fields = ["name", "short_name", "code", "kind"]


class PersonForm(ServiceModelForm):
    """A person's details (the unit comes from the page)."""

    class Meta:
        model = Person
        fields = ["name", "position", "rank", "is_leadership_member", "phone", "email", "language"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Left out, the language stays as it is (a new person gets the site's).
        self.fields["language"].required = False


class LoginForm(forms.Form):
    """A username and password for a person's new login."""

    username = forms.CharField(
        label=_("Username"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        password1, password2 = data.get("password1"), data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1 and data.get("username"):
            candidate = get_user_model()(username=data["username"])
            try:
                password_validation.validate_password(password1, candidate)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data


class GrantForm(forms.Form):
    """A role to grant on a unit, and the login (by username) that receives it."""

    username = forms.CharField(label=_("Login (username)"), max_length=150)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        self.acting_user = acting_user
        choices = Role.choices
        if not is_system_admin(acting_user):
            choices = [(value, label) for value, label in choices if value != Role.SYSTEM_ADMIN]
        self.fields["role"].choices = choices

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        login = login_for_grant(self.acting_user, username)
        if login is None:
            raise ValidationError(
                _("No login with this username among the people of the units you administer."),
                code="unknown_login",
            )
        self.cleaned_data["login"] = login
        return username


class PersonChoiceField(forms.ModelChoiceField):
    """A person picker whose labels name the unit."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit}"


class PersonMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A multiple person picker whose labels name the unit."""

    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.name} · {obj.unit}"


class GuidanceGroupForm(ServiceModelForm):
    """A guidance group: name, home unit (when new), leader and members.

    Pickers list the people near the units the user administers; any person
    in the user's scope still validates (by id).
    """

    home_unit = UnitChoiceField(label=_("Home unit"), queryset=Unit.objects.none())
    leader = PersonChoiceField(label=_("Leader"), queryset=Person.objects.none(), required=False)
    members = PersonMultipleChoiceField(
        label=_("Members"),
        queryset=Person.objects.none(),
        required=False,
        help_text=_("People with logins; they read the assigned units and cannot change them."),
    )

    class Meta:
        model = GuidanceGroup
        fields = ["name", "home_unit", "leader", "members"]

    def __init__(self, *args, acting_user, **kwargs):
        super().__init__(*args, **kwargs)
        people = visible_to(Person.objects.select_related("unit"), acting_user)
        self.fields["leader"].queryset = people
        self.fields["members"].queryset = people.filter(user__isnull=False)
        if self.instance.pk:
            # The home unit decides who manages the group; it stays as set up.
            del self.fields["home_unit"]
            # Current people stay listed even when out of the picker's reach.
            self.fields["leader"].queryset = people | Person.objects.filter(
                pk=self.instance.leader_id or 0
            )
            self.fields["members"].queryset = (
                people.filter(user__isnull=False) | self.instance.members.all()
            )
        else:
            self.fields["home_unit"].queryset = units_for_choice(acting_user)
        offer_choices(self, "leader", people_for_group_choice(acting_user, with_login=False))
        offer_choices(self, "members", people_for_group_choice(acting_user, with_login=True))
