"""The form renderer writes select options itself: the markup must be Django's, byte for byte."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from rectify.core.forms import FormRenderer


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


@pytest.mark.parametrize("name", list(Everything.base_fields))
def test_widgets_render_exactly_as_django_renders_them(name):
    ours = Everything(renderer=FormRenderer())[name].as_widget()
    assert ours == Everything(renderer=DjangoTemplates())[name].as_widget()
    assert "<script" not in ours


def test_option_labels_and_attributes_are_escaped():
    html = Everything(renderer=FormRenderer())["plain"].as_widget()
    assert '<option value="x">X &lt;b&gt;&quot;&#x27;&amp;</option>' in html
    assert '<option value="y" selected>Y</option>' in html


def test_the_project_renders_forms_with_it(settings):
    assert settings.FORM_RENDERER == "rectify.core.forms.FormRenderer"
    assert isinstance(forms.Form().renderer or forms.renderers.get_default_renderer(), FormRenderer)
