"""No user-written text reaches the HTML part of an e-mail as markup (issue 11, finding 1).

Every e-mail the system sends is built here through the real code path (the påmindelser resolver,
the invitation, the referral receipt, "Er det stadig korrekt?", allauth's account mails) from rows
whose every user-written field is markup. The HTML parts must show it escaped; the plain-text parts
stay plain text. The e-mail templates are found by walking the templates folder, and the test fails
for an HTML e-mail template that none of the builders rendered, so a new one is covered at once.
"""

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from borgere.models import Formaal
from borgere.services import gaeldende_samtykketekst, henvisning_create
from brobygning.access import actor_for
from brobygning.models import Paamindelse, Rolle, TagType
from brobygning.services import invitation_create
from foreninger.services import bekraeft_send
from matching import arrangement_paamindelser as arr
from matching import paamindelser
from matching import services as matching_services
from matching.models import Fremmoede, LedsagelseStatus, OpfoelgningType

from . import factories as f
from . import journey_factories as rf

pytestmark = pytest.mark.django_db

MARKUP = "<b>x</b><script>alert(1)</script>"
RAW = ("<b>", "<script", "</script>")
ESCAPED = "&lt;b&gt;x&lt;/b&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
TEMPLATES = Path(settings.BASE_DIR) / "templates"


def email_templates() -> set[str]:
    """Every HTML e-mail template a message is built from (partials start with an underscore)."""
    return {
        path.relative_to(TEMPLATES).as_posix()
        for path in TEMPLATES.rglob("*.html")
        if "email" in path.relative_to(TEMPLATES).parts[:-1] and not path.name.startswith("_")
    }


@pytest.fixture
def rendered():
    names: set[str] = set()

    def receiver(sender, template, context, **kwargs):
        names.add(template.name)

    template_rendered.connect(receiver)
    yield names
    template_rendered.disconnect(receiver)


def _ledsagelse_messages():
    center = f.CenterFactory(navn=MARKUP, email="kontakt@center.test", telefon="66 11 22 33")
    ledsagelse = rf.planned_ledsagelse(center=center, kanal="email", velkomstnote=MARKUP, moedested=MARKUP)
    borger = ledsagelse.match.borger
    borger.fornavn = MARKUP
    borger.save(update_fields=["fornavn"])
    brobygger = ledsagelse.brobygger
    brobygger.first_name = MARKUP
    brobygger.save(update_fields=["first_name"])
    faellesskab = ledsagelse.match.faellesskab
    faellesskab.titel, faellesskab.vaert_navn, faellesskab.adresse = MARKUP, MARKUP, MARKUP
    faellesskab.save(update_fields=["titel", "vaert_navn", "adresse"])
    forening = faellesskab.forening
    forening.navn = MARKUP
    forening.save(update_fields=["navn"])
    paamindelser.sync_ledsagelse(ledsagelse)
    rows = list(Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=ledsagelse.pk))
    assert {r.art for r in rows} == {a.kode for a in paamindelser.LEDSAGELSE_ARTER} | set(paamindelser.ARTER_EFTER_MOEDET)
    opfoelgninger = [rf.OpfoelgningFactory(match=ledsagelse.match, center=center, type=t) for t in OpfoelgningType]
    for opfoelgning in opfoelgninger:
        rows.append(paamindelser.sync_opfoelgning(opfoelgning))
    messages = [paamindelser.resolve(row) for row in rows]
    # Short notice and a move, rendered from the planned meeting; then its cancellation.
    aendring = {kode: paamindelser.ARTER[kode] for kode in paamindelser.AENDRING}
    planned = paamindelser.KORT_VARSEL_ARTER + [a for a in aendring.values() if a.kode.startswith("flyttet")]
    messages += [paamindelser.resolve(row) for row in _unsaved_rows(ledsagelse, planned, sekvens=1)]
    ledsagelse.status = LedsagelseStatus.AFLYST
    ledsagelse.save(update_fields=["status"])
    cancelled = [a for a in aendring.values() if a.kode.startswith("aflyst")]
    messages += [paamindelser.resolve(row) for row in _unsaved_rows(ledsagelse, cancelled, sekvens=2)]
    return messages


def _arrangement_messages():
    """Every kind of an arrangement's messages (matching.arrangement_paamindelser), markup everywhere."""
    center = f.CenterFactory(navn=MARKUP, email="kontakt@center3.test", telefon="66 11 22 55")
    koordinator = f.UserFactory()
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    k = actor_for(koordinator, center.pk)
    arrangement = matching_services.arrangement_create(actor=k, data={
        "type": "workshop", "titel": MARKUP, "sted": MARKUP, "kapacitet": 1},
        datoer=[(timezone.now() + timedelta(days=3), 120)])
    came = matching_services.tilmelding_opret(actor=k, arrangement=arrangement, navn=MARKUP, email="a@example.org")
    waiting = matching_services.tilmelding_opret(actor=k, arrangement=arrangement, navn=MARKUP,
                                                 email="b@example.org")
    fremmoede = came.fremmoeder.get()
    matching_services.fremmoede_registrer(actor=k, fremmoede=fremmoede, moedt=True)

    def row(art, subject, sekvens=0):
        emne = arr.EMNE_FREMMOEDE if isinstance(subject, Fremmoede) else arr.EMNE_TILMELDING
        return Paamindelse(center=center, emne_type=emne, emne_id=subject.pk, art=art, kanal="email",
                           forfalder=timezone.now(), sekvens=sekvens)

    rows = [row("arr_bekraeftelse", came), row("arr_rykket_op", came), row("arr_evaluering", came),
            row("arr_venteliste", waiting), row("arr_24t", fremmoede), row("arr_flyttet", fremmoede, 1)]
    messages = [paamindelser.resolve(r) for r in rows]
    dato = arrangement.datoer.get()
    dato.aflyst = True
    dato.save(update_fields=["aflyst"])
    return messages + [paamindelser.resolve(row("arr_aflyst", fremmoede, 2))]


def _unsaved_rows(ledsagelse, arter, *, sekvens):
    return [Paamindelse(center=ledsagelse.center, emne_type="ledsagelse", emne_id=ledsagelse.pk, art=art.kode,
                        kanal="email", forfalder=timezone.now(), sekvens=sekvens) for art in arter]


def _outbox_parts():
    """(subject and text, html) of every message in the outbox; html is "" for a text-only message."""
    parts = []
    for message in mail.outbox:
        html = "".join(content for content, mimetype in getattr(message, "alternatives", []) if mimetype == "text/html")
        parts.append((f"{message.subject}\n{message.body}", html))
    return parts


def test_no_user_written_markup_reaches_an_html_part(rendered, django_capture_on_commit_callbacks, client):
    parts = [(f"{m.subject}\n{m.text}", m.html) for m in _ledsagelse_messages() + _arrangement_messages()]

    center = f.CenterFactory(navn=MARKUP, email="kontakt@center2.test", telefon="66 11 22 44")
    koordinator = f.UserFactory(first_name=MARKUP)
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    forening = f.ForeningFactory(center=center, navn=MARKUP, email="forening@example.org")
    f.FaellesskabFactory(forening=forening, titel=MARKUP)
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(actor=actor_for(koordinator, center), email="ny@example.org", fornavn=MARKUP,
                          efternavn=MARKUP, rolle=Rolle.BROBYGGER)
        henvisning_create(
            center=center,
            data={"kilde": f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse"), "fornavn": MARKUP,
                  "efternavn": MARKUP, "email": "selv@example.org", "foretrukken_kanal": "email",
                  "postnummer": f.postnummer("5000"), "oensker": MARKUP},
            samtykketekst=gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING),
        )
        assert bekraeft_send(forening=forening)
    # allauth's account mails (text only today; an HTML part added later is checked too)
    client.post(reverse("account_reset_password"), {"email": koordinator.email})
    client.post(reverse("account_reset_password"), {"email": "ukendt@example.org"})
    assert {"ny@example.org", "selv@example.org", "forening@example.org", koordinator.email} <= {
        to for message in mail.outbox for to in message.to}
    parts += _outbox_parts()

    missing = email_templates() - rendered
    assert not missing, f"HTML e-mail templates no builder in this test renders: {sorted(missing)}"
    htmls = [html for _text, html in parts if html]
    assert len(htmls) >= len(email_templates())
    for text, html in parts:
        assert not [raw for raw in RAW if raw in html], html
        assert "&lt;" not in text, text  # subject and plain-text part stay plain text
    # Every HTML part of ours showed some user-written field, escaped (so the check above is not vacuous).
    assert all(ESCAPED in html for html in htmls)
