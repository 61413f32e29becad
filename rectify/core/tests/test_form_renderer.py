"""The form renderer writes select and input widgets itself: the markup must be Django's,
byte for byte."""

import datetime as dt
from decimal import Decimal

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.utils import translation
from django.utils.safestring import mark_safe

from rectify.core.forms import FormRenderer, date_input


class Everything(forms.Form):
    plain = forms.ChoiceField(choices=[("", "---"), ("x", "X <b>\"'&"), ("y", "Y")], initial="y")
    several = forms.MultipleChoiceField(choices=[("1", "一"), ("2", "二")], initial=["2"])
    grouped = forms.ChoiceField(
        choices=[("组<1>", [("p", "P"), ("q", "Q")]), ("z", "Z")],
        widget=forms.Select(attrs={"class": "k", "disabled": True, "data-x": 'a"b'}),
    )
    radio = forms.ChoiceField(choices=[("r", "R")], widget=forms.RadioSelect)
    yes_no = forms.NullBooleanField()
    typed = forms.TypedChoiceField(choices=[(1, "一"), (2, "二")], coerce=int, initial=2)
    text = forms.CharField(initial="<b>\"它\"</b> & 'x'", widget=forms.TextInput(attrs={"size": 3}))
    blank = forms.CharField(required=False)
    safe = forms.CharField(initial=mark_safe("<i>已转义</i>"))
    search = forms.CharField(widget=forms.TextInput(attrs={"type": "search", "autofocus": True}))
    day = forms.DateField(initial=dt.date(2026, 11, 30), widget=date_input())
    when = forms.DateTimeField(initial=dt.datetime(2026, 11, 30, 8, 5))
    number = forms.IntegerField(initial=1234567, min_value=0)
    decimal = forms.DecimalField(initial=Decimal("3.50"))
    email = forms.EmailField(initial="a@b.cn")
    url = forms.URLField(initial="http://127.0.0.1/?a=1&b=2", assume_scheme="https")
    secret = forms.CharField(widget=forms.PasswordInput(render_value=True), initial="s<>")
    hidden = forms.IntegerField(widget=forms.HiddenInput, initial=7)
    ticked = forms.BooleanField(initial=True)
    unticked = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"data-on": "y"})
    )


@pytest.mark.parametrize("name", list(Everything.base_fields))
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_widgets_render_exactly_as_django_renders_them(name, language):
    with translation.override(language):
        ours = Everything(renderer=FormRenderer())[name].as_widget()
        assert ours == Everything(renderer=DjangoTemplates())[name].as_widget()
    assert "<script" not in ours


def test_bound_widgets_render_exactly_as_django_renders_them():
    data = {"text": "<script>x</script>", "day": "2026-02-30", "number": "12a", "ticked": "on"}
    for name in ("text", "day", "number", "ticked", "plain", "several"):
        ours = Everything(data, renderer=FormRenderer())[name].as_widget()
        assert ours == Everything(data, renderer=DjangoTemplates())[name].as_widget()
        assert "<script" not in ours


def test_option_labels_and_attributes_are_escaped():
    html = Everything(renderer=FormRenderer())["plain"].as_widget()
    assert '<option value="x">X &lt;b&gt;&quot;&#x27;&amp;</option>' in html
    assert '<option value="y" selected>Y</option>' in html


def test_the_project_renders_forms_with_it(settings):
    assert settings.FORM_RENDERER == "rectify.core.forms.FormRenderer"
    assert isinstance(forms.Form().renderer or forms.renderers.get_default_renderer(), FormRenderer)
