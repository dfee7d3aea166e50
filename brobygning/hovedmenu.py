"""What the main menu holds (`{% hovedmenu %}`, `partials/hovedmenu.html`; ARCHITECTURE.md,
"Templates and design"): per role, the top links and the dropdown groups, their targets and when
each is the open page. The template draws every group and every link the same way from this.

It is computed from the menu's few values only (the tag keeps the HTML per combination of them and
the language), so the URL names are reversed here, once per combination.
"""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Link:
    url: str
    titel: str
    aktuel: bool = False  # the open page (a top link)
    nye: str = ""  # a badge: new referrals ("99+" above 99)
    nye_tekst: str = ""  # what the badge counts, for screen readers


@dataclass(frozen=True)
class Gruppe:
    titel: str
    aktiv: bool  # the open page is one of the group's
    links: list[Link]
    nye: str = ""
    nye_tekst: str = ""


def _link(url_navn: str, titel: str, **kw) -> Link:
    return Link(reverse(url_navn), titel, **kw)


def _top(url_navn: str, titel: str, un: str, *, aktuel: bool | None = None) -> Link:
    """A top link, marked as the open page when its URL name is the page's (unless `aktuel` says)."""
    return _link(url_navn, titel, aktuel=un == url_navn.split(":")[1] if aktuel is None else aktuel)


def _koordinator(*, deler, netvaerk, nye, ns, un) -> list[Gruppe]:
    antal = ("99+" if nye > 99 else str(nye)) if nye else ""
    return [
        Gruppe(_("Borgere"), un in {"borger_list", "henvisning_list", "anmodning_list", "borger_detail"}, [
            _link("borgere:borger_list", _("Borgere")),
            _link("borgere:borger_create", _("Ny borger")),
            _link("borgere:henvisning_list", _("Henvisninger"), nye=antal, nye_tekst=_("nye") if nye else ""),
            _link("borgere:anmodning_list", _("Anmodninger fra brobyggere")),
        ], nye=antal, nye_tekst=_("nye henvisninger") if nye else ""),
        Gruppe(_("Fællesskaber"),
               (ns == "foreninger" and un not in {"import_start", "import_detail"})
               or un in {"frivilligrolle_list", "rollekandidat_list", "arrangement_list", "arrangement_detail"}
               or (un[:12] == "netvaerksrum" and not netvaerk), [
            _link("foreninger:faellesskab_list", _("Fællesskaber")),
            _link("foreninger:forening_list", _("Foreninger")),
            _link("foreninger:partnerskab_list", _("Partnerskab")),
            _link("matching:frivilligrolle_list", _("Frivilligroller")),
            _link("matching:rollekandidat_list", _("Frivilligkandidater")),
            _link("matching:arrangement_list", _("Arrangementer")),
            *([_link("matching:netvaerksrum", _("Netværket af centre"))] if deler and not netvaerk else []),
        ]),
        Gruppe(_("Forløb"), un in {"pipeline", "match_detail", "paamindelse_list", "raadgivning_list"}, [
            _link("matching:pipeline", _("Matches")),
            _link("brobygning:paamindelse_list", _("Påmindelser")),
            _link("matching:raadgivning_list", _("Rådgivning")),
        ]),
        Gruppe(_("Rapporter"), un in {"rapport", "projekt_list", "projekt_detail", "velkomst", "velkomst_kursus",
                                      "partnerskab_oversigt"}, [
            _link("matching:rapport", _("Rapporter")),
            _link("borgere:projekt_list", _("Projekter")),
            _link("matching:velkomst", _("Velkomst i fællesskaberne")),
            _link("matching:partnerskab_oversigt", _("Partnerskabet i tal")),
        ]),
        Gruppe(_("Administration"), un in {"medlem_list", "samtykketekst_list", "import_start", "adgangslog",
                                           "center_indstillinger"}, [
            _link("brobygning:medlem_list", _("Brugere")),
            _link("borgere:samtykketekst_list", _("Samtykketekster")),
            _link("foreninger:import_start", _("Import")),
            _link("brobygning:adgangslog", _("Adgangslog")),
            _link("brobygning:center_indstillinger", _("Centrets indstillinger")),
        ]),
    ]


def punkter(*, medlem, rolle, venteliste_synlig, deler, netvaerk, nye, ns, un) -> list[Link | Gruppe]:
    """The menu's entries in order: top links (`Link`) and dropdown groups (`Gruppe`)."""
    out: list[Link | Gruppe] = []
    if medlem:
        out.append(_top("matching:forside", _("Min dag") if rolle == "brobygger" else _("Overblik"), un,
                        aktuel=ns == "matching" and un == "forside"))
        if rolle == "koordinator":
            out += _koordinator(deler=deler, netvaerk=netvaerk, nye=nye, ns=ns, un=un)
        elif rolle == "brobygger":
            out += [_top("borgere:borger_list", _("Mine borgere"), un),
                    *([_top("borgere:venteliste", _("Venteliste"), un)] if venteliste_synlig else []),
                    _top("foreninger:faellesskab_list", _("Fællesskaber"), un),
                    _top("matching:arrangement_list", _("Arrangementer"), un)]
        elif rolle == "foreningskontakt":
            out += [_top("matching:nye_paa_vej", _("Nye på vej"), un),
                    _top("foreninger:forening_list", _("Min forening"), un),
                    _top("foreninger:faellesskab_list", _("Fællesskaber"), un),
                    _top("matching:frivilligrolle_list", _("Frivilligroller"), un),
                    _top("matching:velkomst", _("Jeres velkomst"), un),
                    _top("foreninger:partnerskab_list", _("Partnerskab"), un),
                    _top("matching:arrangement_list", _("Kurser og møder"), un)]
        else:
            out.append(_top("foreninger:faellesskab_list", _("Fællesskaber"), un, aktuel=False))
    if netvaerk:
        out += [_top("matching:netvaerk", _("Netværk"), un), _top("matching:netvaerksrum", _("Netværksmøder og metoder"), un)]
    return out
