"""Hand-written Danish demo content for `manage.py seed_demo`.

Everything here is invented. Names of people are common Danish (and a few common newcomer) first and last
names put together at random; addresses are plausible street names with made-up numbers; emails use
`example.org` or the `.demo` top-level domain. Tags are referred to by their Danish name as seeded by
migration brobygning/0004_taksonomi.py; a name the taxonomy no longer has is skipped.
"""

# --- Users -----------------------------------------------------------------------------------------

DEMO_PASSWORD = "brobygning-demo"  # noqa: S105 -- published on purpose (ARCHITECTURE.md, "Demo data"); DEBUG only

# Per centre: role -> (first name, last name). Logins are <role-login>@<slug>.demo.
CENTRES = [
    {
        "slug": "odense",
        "navn": "Frivilligcenter Odense",
        "email": "kontakt@odense.demo",
        "telefon": "+4566112233",
        "users": {
            "koordinator": ("Mette", "Rasmussen"),
            "brobygger": ("Jonas", "Holm"),
            "foreningskontakt": ("Birgitte", "Lund"),
        },
    },
    {
        "slug": "silkeborg",
        "navn": "Frivilligcenter Silkeborg",
        "email": "kontakt@silkeborg.demo",
        "telefon": "+4586445566",
        "users": {
            "koordinator": ("Anne", "Kjær"),
            "brobygger": ("Søren", "Dahl"),
            "foreningskontakt": ("Lone", "Bach"),
        },
    },
]

# The network user (FriSe as national coordinator; SECURITY.md, "Netværket"): no centre. Both demo
# centres share their reports with the network.
NETVAERK_USER = ("netvaerk@frise.demo", "Frida", "Nørgaard")

# Role -> the local part of the login email.
LOGIN_LOCAL_PART = {"koordinator": "koordinator", "brobygger": "brobygger", "foreningskontakt": "forening"}


# --- Places ----------------------------------------------------------------------------------------

# Venue flags: physical accessibility a fællesskab held there can offer.
K = "Kørestolsadgang"
H = "Handicaptoilet"
T = "Tæt på offentlig transport"
L = "Teleslynge"

# Per centre: postal codes (the main town first, weighted) and venues (postnr, address, flags).
PLACES = {
    "odense": {
        "postnumre": ["5000", "5200", "5210", "5220", "5230", "5240", "5250", "5260", "5270", "5300", "5320"],
        "venues": [
            ("5000", "Kongensgade 71", (K, H, T, L)),
            ("5000", "Overgade 45", (T,)),
            ("5000", "Vindegade 65", (K, H, T)),
            ("5000", "Østre Stationsvej 15", (K, H, T, L)),
            ("5000", "Nørregade 30", (T,)),
            ("5200", "Middelfartvej 105", (K, T)),
            ("5200", "Stenløsevej 20", (K, H)),
            ("5210", "Rugårdsvej 210", (K, H, T)),
            ("5220", "Ørbækvej 280", (K, H, T)),
            ("5230", "Munkebjergvej 130", (K, H, T, L)),
            ("5230", "Hunderupvej 40", ()),
            ("5240", "Vollsmose Allé 16", (K, H, T)),
            ("5250", "Dalumvej 55", (K, T)),
            ("5260", "Hjallesevej 100", (K, H, T)),
            ("5270", "Bogensevej 50", (K, T)),
            ("5300", "Langegade 20", (T,)),
            ("5320", "Agedrupvej 12", ()),
        ],
    },
    "silkeborg": {
        "postnumre": ["8600", "8620", "8632", "8641", "8643", "8653", "8654", "8660", "8670", "8680", "8850",
                      "8882"],
        "venues": [
            ("8600", "Vestergade 20", (K, H, T, L)),
            ("8600", "Papirfabrikken 10", (K, H, T)),
            ("8600", "Drewsensvej 40", (K, T)),
            ("8600", "Hostrupsgade 41", (K, H, T, L)),
            ("8600", "Christian 8.s Vej 4", (T,)),
            ("8600", "Nylandsvej 2", ()),
            ("8620", "Søndergade 15", (K, H)),
            ("8632", "Lemmingvej 5", ()),
            ("8641", "Sorringvej 10", (K,)),
            ("8643", "Vestergade 3", (K, H)),
            ("8653", "Silkeborgvej 20", (K, H)),
            ("8654", "Hovedgaden 14", (T,)),
            ("8660", "Adelgade 80", (K, H, T, L)),
            ("8670", "Låsby Bygade 9", ()),
            ("8680", "Klostervej 20", (K, H, T)),
            ("8850", "Storegade 12", (K, T)),
            ("8882", "Fårvang Bygade 7", ()),
        ],
    },
}


# --- Fællesskaber: templates -----------------------------------------------------------------------

FORMIDDAG = [("09:30", "11:30"), ("10:00", "12:00"), ("10:00", "11:30")]
EFTERMIDDAG = [("13:00", "15:00"), ("14:00", "16:00"), ("15:30", "17:00")]
AFTEN = [("17:30", "19:30"), ("19:00", "21:00"), ("18:30", "20:30")]
HVERDAG = [0, 1, 2, 3, 4]
WEEKEND = [5, 6]

# Each template: titler (variants), beskrivelse, kategori, interesser, maalgrupper, tilgaengelighed,
# tider (from–to pairs), dage (weekdays), alder (min, max), roller (deltagere, frivillige), and optionally
# pris (kr., note) and ude (held outdoors, so a venue's indoor accessibility does not apply).
ACTIVITIES = {
    "strik": {
        "titler": ["Strik og snak", "Strikkecafé", "Hækle- og strikkeklub"],
        "beskrivelse": "Vi strikker, hækler og snakker over en kop kaffe. Tag dit eget projekt med, eller lær "
                       "det fra bunden – vi har garn og pinde, du kan låne.",
        "kategori": "Kreativitet og håndværk",
        "interesser": ["Strik", "Syning"],
        "maalgrupper": ["Ensomhed", "Seniorer"],
        "tilgaengelighed": ["Små hold", "Fast vært tager imod", "Gratis eller lav pris"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": HVERDAG, "alder": (None, None), "roller": (True, False),
    },
    "gaatur": {
        "ude": True,
        "titler": ["Gå-fællesskab", "Morgengåtur", "Gåtur i naturen", "Gå og snak"],
        "beskrivelse": "Vi går en tur på 3–5 km i roligt tempo, så alle kan være med, og slutter af med en "
                       "kop kaffe. Det handler mere om snakken end om skridtene.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Gåture", "Natur"],
        "maalgrupper": ["Ensomhed", "Seniorer", "Stress"],
        "tilgaengelighed": ["Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG, "dage": HVERDAG + WEEKEND, "alder": (None, None), "roller": (True, False),
    },
    "sprogcafe": {
        "titler": ["Sprogcafé", "Dansk over en kop kaffe", "Snak dansk"],
        "beskrivelse": "Øv dit danske i en hyggelig stemning sammen med frivillige. Vi snakker om hverdagen, "
                       "læser breve højt og hjælper med det, du har brug for.",
        "kategori": "Sprogcafé og læring",
        "interesser": ["Sprog"],
        "maalgrupper": ["Ny i Danmark"],
        "tilgaengelighed": ["Tolk eller engelsktalende", "Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": EFTERMIDDAG + AFTEN, "dage": HVERDAG, "alder": (16, None), "roller": (True, True),
    },
    "lektiecafe": {
        "titler": ["Lektiecafé", "Lektiehjælp for unge"],
        "beskrivelse": "Frivillige hjælper med lektier, opgaver og ansøgninger. Der er frugt og te, og "
                       "plads til at spørge om alt.",
        "kategori": "Sprogcafé og læring",
        "interesser": ["Sprog", "Læsning"],
        "maalgrupper": ["Unge 16–30", "Ny i Danmark"],
        "tilgaengelighed": ["Gratis eller lav pris", "Små hold"],
        "tider": EFTERMIDDAG, "dage": [0, 1, 2, 3], "alder": (13, 25), "roller": (True, True),
    },
    "natur_unge": {
        "ude": True,
        "titler": ["Naturture for unge", "Bål og friluftsliv", "Ud i naturen"],
        "beskrivelse": "Vi tager ud i skoven eller ned til vandet, laver mad over bål og lærer om dyr og "
                       "planter. Ingen forkundskaber – bare tøj, der kan tåle lidt mudder.",
        "kategori": "Natur og friluftsliv",
        "interesser": ["Natur", "Madlavning"],
        "maalgrupper": ["Unge 16–30", "Ensomhed"],
        "tilgaengelighed": ["Små hold", "Gratis eller lav pris"],
        "tider": EFTERMIDDAG + AFTEN, "dage": [2, 3, 5, 6], "alder": (15, 30), "roller": (True, True),
    },
    "digital": {
        "titler": ["IT-hjælp for seniorer", "Hjælp til MitID og telefonen", "Digital café"],
        "beskrivelse": "Tag din telefon, tablet eller computer med. Frivillige hjælper med MitID, e-Boks, "
                       "billeder og videoopkald til familien – i dit eget tempo.",
        "kategori": "Digital hjælp og IT",
        "interesser": ["Computer"],
        "maalgrupper": ["Seniorer", "Ensomhed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Små hold", "Fast vært tager imod"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": HVERDAG, "alder": (55, None), "roller": (True, True),
    },
    "faellesspisning": {
        "titler": ["Fællesspisning", "Spis sammen", "Torsdagsmad"],
        "beskrivelse": "Vi laver mad sammen og spiser ved langbordet. Du kan hjælpe i køkkenet eller bare "
                       "komme og spise med. Der er altid en vegetarisk ret.",
        "kategori": "Mad og spisefællesskaber",
        "interesser": ["Fællesspisning", "Madlavning"],
        "maalgrupper": ["Ensomhed", "Seniorer", "Familier"],
        "tilgaengelighed": ["Fast vært tager imod", "Gratis eller lav pris"],
        "tider": [("17:30", "19:30"), ("17:00", "19:00")], "dage": [1, 2, 3], "alder": (None, None),
        "roller": (True, True), "pris": (30, "pr. gang, inkl. mad"),
    },
    "braetspil": {
        "titler": ["Brætspilsaften", "Spilcafé", "Kortspil og kaffe"],
        "beskrivelse": "Vi spiller alt fra klassikere til nye brætspil og lærer gerne nye spillere op. "
                       "Kom alene – der er altid et bord, du kan sætte dig ved.",
        "kategori": "Spil og hobby",
        "interesser": ["Brætspil", "Kortspil"],
        "maalgrupper": ["Ensomhed", "Unge 16–30", "Autisme og ADHD"],
        "tilgaengelighed": ["Små hold", "Intet krav om fremmøde hver gang"],
        "tider": AFTEN + EFTERMIDDAG, "dage": HVERDAG + [5], "alder": (16, None), "roller": (True, False),
    },
    "kor": {
        "titler": ["Kor for alle", "Fællessang", "Syng med"],
        "beskrivelse": "Vi synger højskolesange, pop og gamle slagere. Du behøver ikke kunne noder eller "
                       "synge rent – det vigtigste er glæden ved at synge sammen.",
        "kategori": "Musik og sang",
        "interesser": ["Sang og kor", "Musik"],
        "maalgrupper": ["Ensomhed", "Seniorer", "Depression"],
        "tilgaengelighed": ["Intet krav om fremmøde hver gang", "Gratis eller lav pris"],
        "tider": AFTEN + FORMIDDAG, "dage": HVERDAG, "alder": (None, None), "roller": (True, False),
        "pris": (150, "kontingent pr. halvår"),
    },
    "have": {
        "titler": ["Fælleshaven", "Have og grøntsager", "Byhaven"],
        "beskrivelse": "Vi dyrker grøntsager, krydderurter og blomster i fælleshaven og deler høsten. "
                       "Handsker og redskaber er der – du skal bare møde op.",
        "kategori": "Have og grønne fællesskaber",
        "interesser": ["Havearbejde", "Natur"],
        "maalgrupper": ["Stress", "Psykisk sårbarhed", "Ensomhed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": [1, 3, 5], "alder": (None, None), "roller": (True, True),
    },
    "samtale": {
        "titler": ["Netværkscafé", "Samtalegruppe", "Mødested for psykisk sårbare"],
        "beskrivelse": "Et trygt sted at mødes med andre, der kender til psykisk sårbarhed. Vi drikker kaffe, "
                       "snakker om løst og fast, og man bestemmer selv, hvor meget man vil sige.",
        "kategori": "Samtale- og netværksgrupper",
        "interesser": [],
        "maalgrupper": ["Psykisk sårbarhed", "Angst", "Depression", "Ensomhed"],
        "tilgaengelighed": ["Stille rum eller pauserum", "Små hold", "Fast vært tager imod",
                            "Man må tage en ledsager med"],
        "tider": EFTERMIDDAG, "dage": HVERDAG, "alder": (18, None), "roller": (True, False),
    },
    "sorg": {
        "titler": ["Sorggruppe", "Netværk efter tab"],
        "beskrivelse": "For dig, der har mistet en ægtefælle, et familiemedlem eller en ven. Vi mødes i en "
                       "lille, fast gruppe med en uddannet frivillig.",
        "kategori": "Samtale- og netværksgrupper",
        "interesser": [],
        "maalgrupper": ["Sorg", "Pårørende", "Ensomhed"],
        "tilgaengelighed": ["Små hold", "Stille rum eller pauserum", "Fast vært tager imod"],
        "tider": EFTERMIDDAG + AFTEN, "dage": HVERDAG, "alder": (18, None), "roller": (True, False),
    },
    "foto": {
        "titler": ["Fotovandring", "Fotoklub for begyndere"],
        "beskrivelse": "Vi går ture med kameraet eller mobilen og deler billederne bagefter. Vi lærer af "
                       "hinanden – ingen dyrt udstyr nødvendigt.",
        "kategori": "Kultur, kunst og litteratur",
        "interesser": ["Fotografi", "Gåture"],
        "maalgrupper": ["Ensomhed", "Stress"],
        "tilgaengelighed": ["Små hold"],
        "tider": FORMIDDAG + AFTEN, "dage": [2, 5, 6], "alder": (16, None), "roller": (True, False),
    },
    "loeb": {
        "ude": True,
        "titler": ["Løb for begyndere", "Løbefællesskab", "Fra sofa til 5 km"],
        "beskrivelse": "Vi løber og går på skift, så alle kan følge med. Vi venter på den sidste, og der er "
                       "altid én, der løber bagerst.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Løb"],
        "maalgrupper": ["Stress", "Depression", "Ledighed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": [("17:00", "18:00"), ("07:00", "08:00"), ("09:00", "10:00")], "dage": [0, 2, 5],
        "alder": (18, None), "roller": (True, False),
    },
    "kunst": {
        "titler": ["Maleværksted", "Keramik for alle", "Kreativt værksted"],
        "beskrivelse": "Vi maler, tegner og arbejder med ler i et roligt værksted. Materialer er der, og "
                       "der er altid én, der kan vise dig i gang.",
        "kategori": "Kreativitet og håndværk",
        "interesser": ["Maling", "Keramik"],
        "maalgrupper": ["Psykisk sårbarhed", "Stress", "Ensomhed"],
        "tilgaengelighed": ["Små hold", "Stille rum eller pauserum"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": HVERDAG, "alder": (18, None), "roller": (True, False),
        "pris": (20, "pr. gang til materialer"),
    },
    "vaerksted": {
        "titler": ["Værkstedet", "Træværksted", "Reparationscafé"],
        "beskrivelse": "Et værksted, hvor vi laver træarbejde, reparerer cykler og små møbler og drikker "
                       "formiddagskaffe. Kom med et projekt, eller hjælp med fællesprojekterne.",
        "kategori": "Kreativitet og håndværk",
        "interesser": ["Træarbejde"],
        "maalgrupper": ["Ensomhed", "Seniorer", "Ledighed"],
        "tilgaengelighed": ["Fast vært tager imod", "Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG, "dage": HVERDAG, "alder": (None, None), "roller": (True, True),
    },
    "genbrug": {
        "titler": ["Frivillig i genbrugsbutikken", "Sortering og butik"],
        "beskrivelse": "Hjælp til i butikken med at sortere tøj, sætte varer på plads og tage imod kunder. "
                       "Du får en fast makker de første gange.",
        "kategori": "Frivilligt arbejde",
        "interesser": ["Frivilligt arbejde"],
        "maalgrupper": ["Ledighed", "Ensomhed", "Ny i Danmark"],
        "tilgaengelighed": ["Fast vært tager imod", "Gratis eller lav pris"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": HVERDAG + [5], "alder": (16, None), "roller": (False, True),
    },
    "hund": {
        "ude": True,
        "titler": ["Hundeluftning og snak", "Gåtur med hunde"],
        "beskrivelse": "Vi går tur med vores egne hunde – og med hunde fra naboer, der ikke selv kan. Har du "
                       "ikke en hund, kan du låne en.",
        "kategori": "Dyr",
        "interesser": ["Hunde", "Gåture"],
        "maalgrupper": ["Ensomhed", "Psykisk sårbarhed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": [0, 2, 4, 6], "alder": (None, None), "roller": (True, True),
    },
    "yoga": {
        "titler": ["Blid yoga", "Stolegymnastik og yoga"],
        "beskrivelse": "Rolige øvelser, vejrtrækning og afspænding. Alt kan laves på en stol, og der er "
                       "ingen præstation – bare ro.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Yoga"],
        "maalgrupper": ["Stress", "Angst", "Fysisk handicap", "Seniorer"],
        "tilgaengelighed": ["Små hold", "Stille rum eller pauserum"],
        "tider": FORMIDDAG + AFTEN, "dage": HVERDAG, "alder": (18, None), "roller": (True, False),
        "pris": (25, "pr. gang"),
    },
    "cykling": {
        "ude": True,
        "titler": ["Cykelpilot på rickshaw", "Cykelture med ældre"],
        "beskrivelse": "Som cykelpilot tager du beboere fra plejecentret med på tur i rickshaw. Du får en "
                       "introduktion og kører selv, når det passer dig.",
        "kategori": "Frivilligt arbejde",
        "interesser": ["Cykling", "Frivilligt arbejde"],
        "maalgrupper": ["Ledighed", "Ensomhed"],
        "tilgaengelighed": ["Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": HVERDAG + WEEKEND, "alder": (18, None), "roller": (False, True),
    },
    "kajak": {
        "ude": True,
        "titler": ["Kajak på søerne", "Kano- og kajaktur"],
        "beskrivelse": "Vi padler i rolige kajakker og kanoer på søerne. Redningsveste og udstyr er der, og "
                       "du kommer altid ud med en erfaren makker.",
        "kategori": "Natur og friluftsliv",
        "interesser": ["Natur"],
        "maalgrupper": ["Unge 16–30", "Stress"],
        "tilgaengelighed": ["Små hold"],
        "tider": AFTEN + FORMIDDAG, "dage": [1, 3, 6], "alder": (14, None), "roller": (True, True),
        "pris": (200, "kontingent pr. år"),
    },
    "fiskeri": {
        "ude": True,
        "titler": ["Fiskeklub", "Lystfiskeri for alle"],
        "beskrivelse": "Vi fisker fra bredden og lærer hinanden at binde fluer og kaste. Stænger kan lånes.",
        "kategori": "Natur og friluftsliv",
        "interesser": ["Fiskeri", "Natur"],
        "maalgrupper": ["Ensomhed", "Autisme og ADHD"],
        "tilgaengelighed": ["Små hold", "Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG + AFTEN, "dage": [2, 5, 6], "alder": (12, None), "roller": (True, False),
    },
    "laeseklub": {
        "titler": ["Læseklub", "Højtlæsning og kaffe"],
        "beskrivelse": "Vi læser en bog om måneden og mødes for at snakke om den. Nogle gange læser vi højt "
                       "for hinanden – lyt med, eller læs selv.",
        "kategori": "Kultur, kunst og litteratur",
        "interesser": ["Læsning", "Historie"],
        "maalgrupper": ["Ensomhed", "Seniorer"],
        "tilgaengelighed": ["Små hold", "Teleslynge"],
        "tider": EFTERMIDDAG + AFTEN, "dage": HVERDAG, "alder": (None, None), "roller": (True, False),
    },
    "dans": {
        "titler": ["Linedance", "Dans for alle", "Seniordans"],
        "beskrivelse": "Vi danser i roligt tempo og lærer trinene fra bunden. Du behøver ikke en partner.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Dans", "Musik"],
        "maalgrupper": ["Seniorer", "Ensomhed"],
        "tilgaengelighed": ["Intet krav om fremmøde hver gang"],
        "tider": FORMIDDAG + AFTEN, "dage": HVERDAG, "alder": (None, None), "roller": (True, False),
        "pris": (20, "pr. gang"),
    },
    "ungecafe": {
        "titler": ["Ungecafé", "Fredagshygge for unge", "Ungefællesskabet"],
        "beskrivelse": "Et frirum for unge mellem 16 og 30. Vi spiller, laver mad, ser film og snakker – "
                       "og der er voksne frivillige, hvis man har brug for en snak.",
        "kategori": "Samtale- og netværksgrupper",
        "interesser": ["Brætspil", "Film", "Madlavning"],
        "maalgrupper": ["Unge 16–30", "Ensomhed", "Angst", "Autisme og ADHD"],
        "tilgaengelighed": ["Stille rum eller pauserum", "Gratis eller lav pris", "Man må tage en ledsager med"],
        "tider": AFTEN, "dage": [2, 3, 4], "alder": (16, 30), "roller": (True, True),
    },
    "familie": {
        "titler": ["Familiecafé", "Legestue og forældrenetværk"],
        "beskrivelse": "Børnene leger, og de voksne får en kop kaffe og en snak. For familier med børn i "
                       "alle aldre – også jer, der er nye i byen.",
        "kategori": "Samtale- og netværksgrupper",
        "interesser": ["Fællesspisning"],
        "maalgrupper": ["Familier", "Ny i Danmark", "Ensomhed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Tolk eller engelsktalende"],
        "tider": FORMIDDAG + EFTERMIDDAG, "dage": [2, 5, 6], "alder": (None, None), "roller": (True, True),
    },
    "besoegsven": {
        "titler": ["Bliv besøgsven", "Besøgstjenesten"],
        "beskrivelse": "Som besøgsven kommer du hos en ældre eller ensom person en gang om ugen til kaffe, "
                       "en gåtur eller et spil kort. Vi finder et godt match og følger op.",
        "kategori": "Frivilligt arbejde",
        "interesser": ["Frivilligt arbejde"],
        "maalgrupper": ["Ensomhed", "Seniorer"],
        "tilgaengelighed": ["Intet krav om fremmøde hver gang"],
        "tider": EFTERMIDDAG, "dage": HVERDAG, "alder": (18, None), "roller": (False, True),
    },
    "madklub": {
        "titler": ["Madklub for mænd", "Madlavning for begyndere"],
        "beskrivelse": "Vi laver en ret sammen fra bunden, spiser den og tager opskriften med hjem. "
                       "Ingen erfaring nødvendig.",
        "kategori": "Mad og spisefællesskaber",
        "interesser": ["Madlavning", "Fællesspisning"],
        "maalgrupper": ["Seniorer", "Ensomhed", "Sorg"],
        "tilgaengelighed": ["Små hold", "Fast vært tager imod"],
        "tider": [("16:00", "19:00"), ("17:00", "20:00")], "dage": [0, 1, 3], "alder": (None, None),
        "roller": (True, False), "pris": (40, "pr. gang, inkl. råvarer"),
    },
    "svoemning": {
        "titler": ["Morgensvømning", "Varmtvandssvømning"],
        "beskrivelse": "Stille svømning og vandgymnastik i varmt vand. Skånsomt for led og muskler.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Svømning"],
        "maalgrupper": ["Fysisk handicap", "Seniorer"],
        "tilgaengelighed": ["Kørestolsadgang", "Handicaptoilet"],
        "tider": [("07:30", "08:30"), ("10:00", "11:00")], "dage": HVERDAG, "alder": (18, None),
        "roller": (True, False), "pris": (25, "pr. gang"),
    },
    "skriv": {
        "titler": ["Skriveværksted", "Skriv dit liv"],
        "beskrivelse": "Vi skriver små tekster ud fra et fælles oplæg og læser højt, hvis vi har lyst. Der "
                       "er ingen rigtige eller forkerte tekster.",
        "kategori": "Kultur, kunst og litteratur",
        "interesser": ["Skrivning", "Læsning"],
        "maalgrupper": ["Psykisk sårbarhed", "Sorg", "Ensomhed"],
        "tilgaengelighed": ["Små hold", "Stille rum eller pauserum"],
        "tider": EFTERMIDDAG + AFTEN, "dage": HVERDAG, "alder": (16, None), "roller": (True, False),
    },
    "film": {
        "titler": ["Filmklub", "Film og snak"],
        "beskrivelse": "Vi ser en film sammen og snakker om den bagefter over kaffe og kage.",
        "kategori": "Kultur, kunst og litteratur",
        "interesser": ["Film"],
        "maalgrupper": ["Ensomhed", "Seniorer", "Unge 16–30"],
        "tilgaengelighed": ["Teleslynge", "Intet krav om fremmøde hver gang"],
        "tider": EFTERMIDDAG + AFTEN, "dage": HVERDAG, "alder": (15, None), "roller": (True, False),
    },
    "fodbold": {
        "ude": True,
        "titler": ["Street-fodbold", "Fodbold for alle"],
        "beskrivelse": "Uformel fodbold, hvor alle kan være med, uanset niveau. Vi blander holdene hver gang.",
        "kategori": "Bevægelse og sport",
        "interesser": ["Fodbold"],
        "maalgrupper": ["Unge 16–30", "Ny i Danmark", "Ledighed"],
        "tilgaengelighed": ["Gratis eller lav pris", "Intet krav om fremmøde hver gang"],
        "tider": AFTEN, "dage": [1, 3], "alder": (16, 40), "roller": (True, True),
    },
    "kirke": {
        "titler": ["Sogneeftermiddag", "Kirkekaffe og fællessang"],
        "beskrivelse": "Foredrag, fællessang og kaffe i sognegården. Alle er velkomne – også dig, der ikke "
                       "kommer i kirken til daglig.",
        "kategori": "Tro og livssyn",
        "interesser": ["Sang og kor", "Historie"],
        "maalgrupper": ["Seniorer", "Ensomhed"],
        "tilgaengelighed": ["Teleslynge", "Gratis eller lav pris"],
        "tider": EFTERMIDDAG, "dage": [1, 2, 3], "alder": (None, None), "roller": (True, True),
    },
}

VELKOMST = [
    "Vi tager imod ved døren og viser dig rundt. Du behøver ikke at kunne noget på forhånd.",
    "Vi tager imod ved døren fra et kvarter før. Spørg efter {vaert}, der sørger for, at du kommer godt i gang.",
    "{vaert} står ved indgangen med et navneskilt og sætter dig ved et bord med nogle af de faste.",
    "Vi tager imod ved døren. Du må gerne have en ledsager med første gang, og du må gå, når du vil.",
    "Skriv eller ring til {vaert} dagen før, så venter vi på dig ved indgangen og har kaffen klar.",
    "Vi tager imod ved døren og har altid en 'makker' klar til nye, så du ikke står alene.",
]
# For fællesskaber held outdoors (template flag "ude").
VELKOMST_UDE = [
    "Vi mødes ved adressen her, og {vaert} tager imod og præsenterer dig for de andre, inden vi går i gang.",
    "Kig efter den gule vest – det er {vaert}, der tager imod nye og holder sig ved din side første gang.",
    "Vi tager imod ved mødestedet et kvarter før. Ring til {vaert}, hvis du ikke kan finde os.",
]


# --- Foreninger ------------------------------------------------------------------------------------

# Per centre: (navn, aktiviteter). 15 foreninger with 40 fællesskaber each.
FORENINGER = {
    "odense": [
        ("Odense Strikkecafé", ["strik", "strik", "skriv"]),
        ("DGI Gå-fællesskab Odense", ["gaatur", "gaatur", "loeb"]),
        ("Røde Kors Sprogcafé Odense", ["sprogcafe", "lektiecafe", "familie"]),
        ("Natur og Ungdom Fyn", ["natur_unge", "fiskeri"]),
        ("Ældre Sagen Odense", ["digital", "besoegsven", "dans"]),
        ("Havefællesskabet Vollsmose", ["have", "faellesspisning", "have"]),
        ("Kor for Alle Odense", ["kor", "kor"]),
        ("Odense Brætspilsforening", ["braetspil", "braetspil", "film"]),
        ("Café Hjerterummet", ["samtale", "sorg", "kunst"]),
        ("Fyns Fotoklub", ["foto", "foto"]),
        ("Mændenes Hus Odense", ["vaerksted", "madklub", "vaerksted"]),
        ("Dansk Folkehjælp Odense", ["genbrug", "faellesspisning"]),
        ("Ungdomshuset Odense Syd", ["ungecafe", "fodbold", "ungecafe"]),
        ("Odense Hundevenner", ["hund", "hund"]),
        ("Skt. Hans Sogns Frivillige", ["kirke", "laeseklub", "yoga"]),
    ],
    "silkeborg": [
        ("DGI Gå-fællesskab Silkeborg", ["gaatur", "gaatur", "loeb"]),
        ("Røde Kors Sprogcafé Silkeborg", ["sprogcafe", "lektiecafe", "familie"]),
        ("Silkeborg Strikkecafé", ["strik", "strik"]),
        ("Ældre Sagen Silkeborg", ["digital", "besoegsven", "dans"]),
        ("Natur og Ungdom Silkeborg", ["natur_unge", "natur_unge", "fiskeri"]),
        ("Mændenes Hus Silkeborg", ["vaerksted", "madklub", "vaerksted"]),
        ("Silkeborg Kajakklub", ["kajak", "kajak"]),
        ("Fællessang Silkeborg", ["kor", "kirke"]),
        ("Silkeborg Byhave", ["have", "have", "faellesspisning"]),
        ("Spis Sammen Silkeborg", ["faellesspisning", "madklub"]),
        ("Silkeborg Spilleklub", ["braetspil", "braetspil", "film"]),
        ("Det Kreative Værksted Silkeborg", ["kunst", "kunst", "skriv"]),
        ("Ung i Silkeborg", ["ungecafe", "fodbold", "ungecafe"]),
        ("Netværket Silkeborg", ["samtale", "sorg", "yoga"]),
        ("Cykling uden alder Silkeborg", ["cykling", "svoemning"]),
    ],
}


# --- People ----------------------------------------------------------------------------------------

FORNAVNE = [
    "Anna", "Karen", "Kirsten", "Hanne", "Susanne", "Lene", "Marianne", "Inge", "Camilla", "Louise",
    "Julie", "Emma", "Ida", "Sofie", "Freja", "Maja", "Lars", "Jens", "Peter", "Henrik", "Michael",
    "Søren", "Niels", "Thomas", "Jesper", "Bent", "Poul", "Erik", "Mads", "Frederik", "Mathias", "Emil",
    "Oliver", "Kasper", "Rasmus", "Grethe", "Birthe", "Ole", "Jørgen", "Tove",
]
EFTERNAVNE = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen", "Christiansen",
    "Poulsen", "Johansen", "Møller", "Mortensen", "Knudsen", "Jakobsen", "Mikkelsen", "Frederiksen",
]
# Newcomers: (first name, last name, languages).
NYE_I_DANMARK = [
    ("Ahmad", "Hassan", ["ar", "en"]),
    ("Fatima", "Ali", ["ar"]),
    ("Olena", "Kovalenko", ["uk", "en"]),
    ("Dmytro", "Shevchenko", ["uk"]),
    ("Yonas", "Tesfay", ["ti", "en"]),
    ("Leyla", "Ahmadi", ["fa", "en"]),
    ("Hamid", "Rahimi", ["fa"]),
    ("Amina", "Mohamud", ["so", "da"]),
    ("Mehmet", "Yilmaz", ["tr", "da"]),
    ("Agnieszka", "Nowak", ["pl", "en"]),
    ("Rojin", "Kaya", ["ku", "da"]),
    ("Imran", "Malik", ["ur", "en"]),
]

# Borger profiles, cycled so each centre gets a realistic mix. Ages are birth-year ranges.
PROFILER = [
    {
        "navn": "ensom senior",
        "udfordringer": ["Ensomhed", "Seniorer"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1945, 1960),
        "sprog": [["da"]],
        "interesser": ["Strik", "Gåture", "Sang og kor", "Kortspil", "Fællesspisning", "Historie", "Læsning",
                       "Havearbejde", "Computer"],
        "barrierer": ["Nervøs for nye steder", "Transport og afstand", "Hørenedsættelse",
                      "Ingen erfaring med foreningsliv"],
        "behov": ["Tæt på offentlig transport", "Teleslynge", "Fast vært tager imod"],
        "slots": ["formiddag", "eftermiddag"], "dage": [0, 1, 2, 3, 4],
        "kilder": ["Egen læge", "Pårørende", "Egen henvendelse", "Sundhedscenter"],
        "roller": ["deltager", "deltager", "begge"], "kanaler": ["telefon", "sms"],
    },
    {
        "navn": "ung på kanten",
        "udfordringer": ["Unge 16–30", "Ensomhed"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1997, 2008),
        "sprog": [["da"], ["da", "en"]],
        "interesser": ["Fodbold", "Brætspil", "Film", "Musik", "Computer", "Løb", "Natur", "Madlavning"],
        "barrierer": ["Ingen erfaring med foreningsliv", "Lav energi og træthed", "Nervøs for nye steder",
                      "Økonomi (kontingent)"],
        "behov": ["Man må tage en ledsager med", "Gratis eller lav pris", "Stille rum eller pauserum"],
        "slots": ["eftermiddag", "aften"], "dage": [0, 1, 2, 3, 4, 5, 6],
        "kilder": ["Kommunal ungeindsats", "Uddannelsessted", "Jobcenter", "Pårørende"],
        "roller": ["deltager", "begge"], "kanaler": ["sms", "sms", "email"],
    },
    {
        "navn": "ny i Danmark",
        "udfordringer": ["Ny i Danmark"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1970, 2002),
        "sprog": None,  # from NYE_I_DANMARK
        "interesser": ["Sprog", "Fodbold", "Madlavning", "Syning", "Havearbejde", "Frivilligt arbejde",
                       "Fællesspisning"],
        "barrierer": ["Sprog", "Økonomi (kontingent)", "Ingen erfaring med foreningsliv"],
        "behov": ["Tolk eller engelsktalende", "Gratis eller lav pris"],
        "slots": ["formiddag", "eftermiddag", "aften"], "dage": [0, 1, 2, 3, 4, 5],
        "kilder": ["Jobcenter", "Boligsocial indsats", "Anden forening", "Egen henvendelse"],
        "roller": ["deltager", "begge", "frivillig"], "kanaler": ["sms", "telefon"],
    },
    {
        "navn": "psykisk sårbar",
        "udfordringer": ["Angst", "Psykisk sårbarhed"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1965, 1998),
        "sprog": [["da"], ["da", "en"]],
        "interesser": ["Maling", "Keramik", "Havearbejde", "Yoga", "Gåture", "Hunde", "Skrivning", "Læsning"],
        "barrierer": ["Nervøs for nye steder", "Behov for fast kontaktperson", "Lav energi og træthed",
                      "Tidspunkter"],
        "behov": ["Stille rum eller pauserum", "Små hold", "Intet krav om fremmøde hver gang",
                  "Fast vært tager imod"],
        "slots": ["formiddag", "eftermiddag"], "dage": [0, 1, 2, 3, 4],
        "kilder": ["Socialpsykiatri og bostøtte", "Hospital og psykiatri", "Egen læge", "Egen henvendelse"],
        "roller": ["deltager", "deltager", "begge"], "kanaler": ["sms", "email"],
    },
    {
        "navn": "fysisk funktionsnedsættelse",
        "udfordringer": ["Fysisk handicap"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1950, 1990),
        "sprog": [["da"]],
        "interesser": ["Svømning", "Brætspil", "Musik", "Læsning", "Fotografi", "Computer"],
        "barrierer": ["Fysisk funktionsnedsættelse", "Transport og afstand"],
        "behov": ["Kørestolsadgang", "Handicaptoilet", "Tæt på offentlig transport"],
        "slots": ["formiddag", "eftermiddag"], "dage": [0, 1, 2, 3, 4],
        "kilder": ["Sundhedscenter", "Egen læge", "Hospital og psykiatri"],
        "roller": ["deltager"], "kanaler": ["telefon", "email", "sms"],
    },
    {
        "navn": "ledig, vil være frivillig",
        "udfordringer": ["Ledighed"],  # challenges / target groups; seed_demo gives each borger the first 1–2
        "foedselsaar": (1960, 1995),
        "sprog": [["da"], ["da", "en"], ["da", "de"]],
        "interesser": ["Frivilligt arbejde", "Cykling", "Træarbejde", "Madlavning", "Havearbejde", "Hunde"],
        "barrierer": ["Ingen erfaring med foreningsliv", "Lav energi og træthed"],
        "behov": ["Intet krav om fremmøde hver gang"],
        "slots": ["formiddag", "eftermiddag", "aften"], "dage": [0, 1, 2, 3, 4],
        "kilder": ["Jobcenter", "Egen henvendelse", "Anden forening"],
        "roller": ["frivillig", "begge"], "kanaler": ["email", "sms"],
    },
]

# Safe internal notes: practical, no health details.
BORGER_NOTER = [
    "",
    "",
    "",
    "Vil helst ringes op om formiddagen.",
    "Ønsker at brobyggeren går med første gang.",
    "Har ikke været i en forening før. Tag den stille og roligt.",
    "Kan bedst lide små hold.",
]


# Arrangementer (issue 14): one inclusion course for the foreninger and one public workshop for borgere,
# created by the koordinator. (days ahead, hour, number of weekly dates)
ARRANGEMENTER = [
    {"type": "inklusionskursus", "titel": "Inklusionskursus: sådan tager I godt imod nye",
     "beskrivelse": "To aftener for værter og foreningskontakter om den første kontakt, om at sige velkommen "
                    "og om at holde fast i nye deltagere.",
     "maalgruppe": "Foreningskontakter og værter", "sted": "Frivilligcentret, mødelokale 1", "kapacitet": 3,
     "offentlig": False, "dage": 7, "klokken": 19, "antal": 2},
    {"type": "workshop", "titel": "Workshop: vejen ind i frivilligt arbejde",
     "beskrivelse": "En hyggelig eftermiddag om, hvordan man finder et fællesskab eller en frivillig opgave, "
                    "der passer til én. Kaffe og kage.",
     "maalgruppe": "Borgere, der gerne vil i gang", "sted": "Frivilligcentret, salen", "kapacitet": 12,
     "offentlig": True, "dage": 10, "klokken": 14, "antal": 1},
]

# The network of centres (issue 14, point 5): a meeting held in Aarhus two months ago, with its notes,
# the next one online, and two shared tools. No borger appears in any of it.
NETVAERKSMOEDER = [
    {"titel": "Netværksmøde i Aarhus: brobygning i praksis", "sted": "Frivillighedens Hus, Aarhus",
     "online_link": "", "kapacitet": 30, "dage": -60, "klokken": 10,
     "beskrivelse": "Årets fysiske møde. Centrene fortæller om det, der virker, og vi ser på de fælles tal.",
     "referat": "Til stede: seks centre og netværket.\n\n1. Runde: hvert center fortalte om en god "
                "overgang til en forening og om det, der drillede.\n2. Velkomst i foreningerne: flere "
                "centre bruger inklusionskurset; vi deler materialet i biblioteket.\n3. Næste møde holdes "
                "online; dagsordenen lægges her senest en uge før."},
    {"titel": "Online netværksmøde: opfølgning efter tre måneder", "sted": "",
     "online_link": "https://meet.example.org/brobygning-netvaerk", "kapacitet": 2, "dage": 21, "klokken": 13,
     "beskrivelse": "Hvordan følger vi op, så nye bliver i fællesskabet? Kom med ét eksempel fra jeres center.",
     "referat": ""},
]
NETVAERKSMATERIALER = [
    {"titel": "Samtaleguide til den første samtale", "tags": "samtale, metode",
     "beskrivelse": "Spørgsmål, der åbner for interesser og drømme i stedet for problemer. Fra inklusionskurset.",
     "fil": ("samtaleguide.txt", "Samtaleguide\n\n1. Hvad kan du lide at lave?\n2. Hvem vil du gerne lære at "
                                 "kende?\n3. Hvad skal der til, for at du har lyst at komme igen?\n")},
    {"titel": "FriSe: Frivilligcentre og Selvhjælp Danmark", "tags": "netværk, viden",
     "beskrivelse": "Landsorganisationens side om brobygning, med rapporter og værktøjer.",
     "link": "https://frise.dk"},
]
