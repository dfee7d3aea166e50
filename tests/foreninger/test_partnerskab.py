"""Partnerskab: partners, agreements, contact log and sign-on fees; the fee cap (issue 14)."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse

from brobygning import access
from brobygning.models import AuditEntry
from foreninger import services
from foreninger.models import Partner, PartnerArt, Partnerkontakt, Partnerskab, Tilslutningsbeloeb


@pytest.fixture
def koordinator(koordinator_a, world):
    return access.actor_for(koordinator_a)


@pytest.fixture
def partnerskab(world):
    return Partnerskab.objects.create(center=world.center_a, navn="Odense-partnerskabet", budget=100000)


@pytest.fixture
def partner(koordinator, partnerskab, world):
    return services.partner_create(actor=koordinator, partnerskab=partnerskab,
                                   data={"art": PartnerArt.FORENING, "forening": world.forening_a})


def grant(actor, partner, beloeb, **extra):
    return services.tilslutning_create(actor=actor, partner=partner,
                                       data={"beloeb": Decimal(beloeb), "formaal": "Introforløb", **extra})


class TestFeeCap:
    def test_default_cap_is_30000(self, partnerskab):
        assert partnerskab.tilslutningsloft == 30000

    def test_cumulative_cap_enforced_with_a_danish_error(self, koordinator, partner):
        grant(koordinator, partner, "20000")
        grant(koordinator, partner, "10000")  # exactly the cap is fine
        with pytest.raises(ValidationError) as error:
            grant(koordinator, partner, "1")
        message = " ".join(error.value.messages)
        assert "højst få 30.000 kr. i alt" in message and "0 kr. mere" in message
        partner.refresh_from_db()
        assert partner.bevilget_i_alt == 30000 and Tilslutningsbeloeb.objects.count() == 2

    def test_rest_is_named(self, koordinator, partner):
        grant(koordinator, partner, "25000")
        with pytest.raises(ValidationError, match="højst bevilges 5.000 kr. mere"):
            grant(koordinator, partner, "6000")

    def test_update_counts_the_others_only(self, koordinator, partner):
        first = grant(koordinator, partner, "20000")
        grant(koordinator, partner, "5000")
        services.tilslutning_update(actor=koordinator, tilslutning=first, data={"beloeb": Decimal("25000")})
        with pytest.raises(ValidationError, match="for stort"):
            services.tilslutning_update(actor=koordinator, tilslutning=first, data={"beloeb": Decimal("25001")})
        partner.refresh_from_db()
        assert partner.bevilget_i_alt == 30000

    def test_cap_set_per_partnership(self, koordinator, partnerskab, partner):
        services.partnerskab_update(actor=koordinator, partnerskab=partnerskab, data={"tilslutningsloft": Decimal(10000)})
        with pytest.raises(ValidationError):
            grant(koordinator, partner, "10001")
        grant(koordinator, partner, "8000")
        with pytest.raises(ValidationError, match="under 8.000 kr."):
            services.partnerskab_update(actor=koordinator, partnerskab=partnerskab,
                                        data={"tilslutningsloft": Decimal(5000)})

    def test_database_refuses_a_total_over_the_cap(self, partner):
        with pytest.raises(IntegrityError), transaction.atomic():
            Partner.objects.filter(pk=partner.pk).update(bevilget_i_alt=30001)

    def test_form_shows_the_error(self, as_koordinator_a, koordinator, partner):
        grant(koordinator, partner, "30000")
        response = as_koordinator_a.post(reverse("foreninger:tilslutning_create", args=[partner.pk]),
                                         {"beloeb": "100", "bevilget": "2026-01-05", "formaal": "Mere"})
        assert response.status_code == 200
        assert "højst få 30.000 kr." in " ".join(response.context["form"].errors["beloeb"])
        assert Tilslutningsbeloeb.objects.count() == 1

    def test_audited(self, koordinator, partner):
        grant(koordinator, partner, "1000")
        assert AuditEntry.objects.filter(handling="tilslutningsbeloeb.bevilget").count() == 1


class TestPartner:
    def test_other_organisation_needs_a_name(self, koordinator, partnerskab):
        with pytest.raises(ValidationError):
            services.partner_create(actor=koordinator, partnerskab=partnerskab, data={"art": PartnerArt.KOMMUNE})
        partner = services.partner_create(actor=koordinator, partnerskab=partnerskab,
                                          data={"art": PartnerArt.KOMMUNE, "navn": "Odense Kommune"})
        assert str(partner) == "Odense Kommune"

    def test_forening_once(self, koordinator, partnerskab, partner, world):
        with pytest.raises(ValidationError, match="allerede partner"):
            services.partner_create(actor=koordinator, partnerskab=partnerskab,
                                    data={"art": PartnerArt.FORENING, "forening": world.forening_a})

    def test_agreement_upload_checked(self, koordinator, partner, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        fake = SimpleUploadedFile("aftale.pdf", b"MZ\x90\x00 not a pdf")
        with pytest.raises(ValidationError, match="passer ikke"):
            services.partner_update(actor=koordinator, partner=partner, data={"aftale_fil": fake})
        with pytest.raises(ValidationError, match="PDF-"):
            services.partner_update(actor=koordinator, partner=partner,
                                    data={"aftale_fil": SimpleUploadedFile("x.exe", b"%PDF-1.4")})
        services.partner_update(actor=koordinator, partner=partner,
                                data={"aftale_fil": SimpleUploadedFile("Aftale Lis Jensen.pdf", b"%PDF-1.4 ok")})
        partner.refresh_from_db()
        assert partner.aftale_fil.name.startswith("partnerskab/aftaler/") and "Jensen" not in partner.aftale_fil.name

    def test_contact_log_refuses_cpr(self, koordinator, partner):
        with pytest.raises(ValidationError, match="CPR-numre"):
            services.partnerkontakt_create(actor=koordinator, partner=partner,
                                           data={"note": "Talte om borger 010190-1234"})
        services.partnerkontakt_create(actor=koordinator, partner=partner, data={"note": "Møde om aftalen"})
        assert Partnerkontakt.objects.count() == 1

    def test_a_refused_contact_note_keeps_its_text_and_shows_the_error_by_the_field(self, as_koordinator_a, partner):
        url = reverse("foreninger:partnerkontakt_create", args=[partner.pk])
        response = as_koordinator_a.post(url, {"dato": "2026-11-30", "note": "Aftale med 010190-1234 om tilskud"})
        assert response.status_code == 200
        page = response.content.decode()
        assert "Skriv ikke CPR-numre her." in page and "Aftale med 010190-1234 om tilskud" in page
        assert not Partnerkontakt.objects.exists()
        assert as_koordinator_a.post(url, {"dato": "2026-11-30", "note": "Møde om aftalen"}).status_code == 302


class TestAccess:
    def test_foreningskontakt_reads_own_record_only(self, client, foreningskontakt_a, koordinator, partner,
                                                    partnerskab, world):
        other = services.partner_create(actor=koordinator, partnerskab=partnerskab,
                                        data={"art": PartnerArt.FORENING, "forening": world.forening_a2})
        services.partnerkontakt_create(actor=koordinator, partner=partner, data={"note": "Intern note"})
        client.force_login(foreningskontakt_a)
        response = client.get(reverse("foreninger:partner_detail", args=[partner.pk]))
        assert response.status_code == 200 and "Intern note" not in response.content.decode()
        assert client.get(reverse("foreninger:partner_detail", args=[other.pk])).status_code == 403
        assert client.get(reverse("foreninger:partner_update", args=[partner.pk])).status_code == 403
        listing = client.get(reverse("foreninger:partnerskab_list"))
        assert list(listing.context["page"]) == [partner]

    def test_koordinator_pages(self, as_koordinator_a, partner, partnerskab):
        for url in (reverse("foreninger:partnerskab_list"), reverse("foreninger:partnerskab_detail", args=[partnerskab.pk]),
                    reverse("foreninger:partner_detail", args=[partner.pk])):
            assert as_koordinator_a.get(url).status_code == 200
