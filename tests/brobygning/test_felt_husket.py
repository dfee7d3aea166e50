"""`felt_husket`: a filter form's select remembered per process, its choices read once (issue 15)."""

import pytest
from django import forms

from brobygning.filters import choices_in_one_query
from brobygning.models import Tag, TagType
from brobygning.templatetags import brobygning_tags
from brobygning.templatetags.brobygning_tags import _FELTER_HUSKET, felt, felt_husket

pytestmark = pytest.mark.django_db


class Formular(forms.Form):
    interesse = forms.ModelChoiceField(queryset=Tag.objects.filter(type=TagType.INTERESSE, aktiv=True), required=False)
    q = forms.CharField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices_in_one_query(self)


@pytest.fixture
def tegnet(settings, monkeypatch):
    """The fields `felt` drew (not taken from memory), by name."""
    settings.DEBUG = False
    _FELTER_HUSKET.clear()
    navne = []

    def tegn(field):
        navne.append(field.name)
        return felt(field)

    monkeypatch.setattr(brobygning_tags, "felt", tegn)
    yield navne
    _FELTER_HUSKET.clear()


def test_a_querysets_choices_are_read_once_and_the_select_remembered_with_them(tegnet, django_assert_num_queries):
    strik = Tag.objects.get(type=TagType.INTERESSE, slug="strik")
    for _ in range(3):
        form = Formular({"interesse": str(strik.pk)})
        assert form.is_valid()  # as the views do first
        with django_assert_num_queries(1):  # the choices, whether drawn or remembered
            html = felt_husket(form["interesse"])
        assert html == felt(Formular({"interesse": str(strik.pk)})["interesse"])
    assert tegnet == ["interesse"]  # drawn once, then from memory
    Tag.objects.create(type=TagType.INTERESSE, slug="ny-hobby", navn="Ny hobby")  # the choices change
    assert "Ny hobby" in felt_husket(Formular({"interesse": str(strik.pk)})["interesse"])
    assert tegnet == ["interesse", "interesse"]


def test_a_text_box_is_drawn_anew_and_its_text_not_kept(tegnet):
    for _ in range(2):
        assert 'value="Hansen"' in felt_husket(Formular({"q": "Hansen"})["q"])
    assert tegnet == ["q", "q"]
    assert not _FELTER_HUSKET


def test_a_select_that_reads_its_queryset_itself_is_drawn_anew(tegnet):
    form = forms.Form()
    form.fields["interesse"] = forms.ModelChoiceField(queryset=Tag.objects.filter(type=TagType.INTERESSE))
    felt_husket(form["interesse"])
    assert tegnet == ["interesse"] and not _FELTER_HUSKET
