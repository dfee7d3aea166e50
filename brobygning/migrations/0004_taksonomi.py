"""The Danish starting taxonomy (ARCHITECTURE.md, "Reference data"). Centres edit it in the admin afterwards."""

from django.db import migrations
from django.utils.text import slugify

TAXONOMY = {
    "kategori": {"": [
        "Bevægelse og sport", "Natur og friluftsliv", "Kreativitet og håndværk", "Musik og sang",
        "Kultur, kunst og litteratur", "Mad og spisefællesskaber", "Spil og hobby",
        "Samtale- og netværksgrupper", "Sprogcafé og læring", "Have og grønne fællesskaber", "Dyr",
        "Digital hjælp og IT", "Frivilligt arbejde", "Tro og livssyn",
    ]},
    "udfordring": {"": [
        "Ensomhed", "Angst", "Depression", "Stress", "Sorg", "Psykisk sårbarhed", "Fysisk handicap",
        "Kognitive udfordringer", "Autisme og ADHD", "Ny i Danmark", "Unge 16–30", "Seniorer",
        "Pårørende", "Familier", "Ledighed",
    ]},
    "barriere": {
        "socialt": ["Nervøs for nye steder", "Behov for fast kontaktperson",
                    "Ingen erfaring med foreningsliv", "Lav energi og træthed"],
        "praktisk": ["Transport og afstand", "Økonomi (kontingent)", "Sprog", "Tidspunkter"],
        "helbred": ["Fysisk funktionsnedsættelse", "Hørenedsættelse"],
    },
    "tilgaengelighed": {"": [
        "Kørestolsadgang", "Handicaptoilet", "Stille rum eller pauserum", "Små hold",
        "Fast vært tager imod", "Gratis eller lav pris", "Tolk eller engelsktalende",
        "Tæt på offentlig transport", "Teleslynge", "Man må tage en ledsager med",
        "Intet krav om fremmøde hver gang",
    ]},
    "henvisningskilde": {
        "egen": ["Egen henvendelse", "Pårørende", "Anden forening"],
        "kommune": ["Jobcenter", "Kommunal ungeindsats", "Socialpsykiatri og bostøtte",
                    "Boligsocial indsats", "Uddannelsessted"],
        "sundhed": ["Egen læge", "Sundhedscenter", "Hospital og psykiatri"],
    },
    "interesse": {"": [
        "Strik", "Natur", "Gåture", "Løb", "Fodbold", "Yoga", "Svømning", "Cykling", "Dans",
        "Madlavning", "Fællesspisning", "Brætspil", "Kortspil", "Sang og kor", "Musik", "Maling",
        "Keramik", "Træarbejde", "Syning", "Læsning", "Skrivning", "Historie", "Film", "Fotografi",
        "Havearbejde", "Hunde", "Fiskeri", "Computer", "Sprog", "Frivilligt arbejde",
    ]},
}


def seed(apps, schema_editor):
    Tag = apps.get_model("brobygning", "Tag")
    rows = []
    for tag_type, groups in TAXONOMY.items():
        order = 0
        for gruppe, names in groups.items():
            for navn in names:
                order += 1
                rows.append(Tag(type=tag_type, navn=navn, slug=slugify(navn.lower().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")),
                                gruppe=gruppe, sortering=order))
    Tag.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("brobygning", "0003_postnumre")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
