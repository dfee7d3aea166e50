"""Every translated string is one `makemessages` can find.

xgettext does not read inside f-strings: `f"<b>{_('Tager imod nye')}</b>"` translates at run time only
while the msgid is in the catalogue for another reason, and drops out of it at the next
`makemessages --no-obsolete`, leaving the English page in Danish."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ("borgere", "brobygning", "foreninger", "matching")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}


def _gettext_in_fstrings(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id in GETTEXT:
                    lines.append(inner.lineno)
    return lines


def test_the_check_finds_a_gettext_call_in_an_fstring():
    assert _gettext_in_fstrings(ast.parse('x = f"<b>{escape(_(\'Tager imod nye\'))}</b>"')) == [1]
    assert _gettext_in_fstrings(ast.parse('t = _("Tager imod nye")\nx = f"<b>{t}</b>"')) == []


def test_no_gettext_call_inside_an_fstring():
    found = [f"{path.relative_to(ROOT)}:{line}" for app in APPS for path in sorted((ROOT / app).rglob("*.py"))
             for line in _gettext_in_fstrings(ast.parse(path.read_text(), str(path)))]
    assert found == []
