"""No module of the apps reaches into another module's private names (`_name`): what is shared is
public, with a docstring (e.g. `matching.registrering`, shared by the centre's arrangementer and the
network space). The check reads the source, so it costs no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("brobygning", "borgere", "foreninger", "matching")


def _privat(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _egne(node: ast.ImportFrom) -> bool:
    return node.level > 0 or (node.module or "").split(".")[0] in APPS


def overtraedelser(source: str) -> list[str]:
    """The private names of other first-party modules that `source` imports or reaches through a
    module it imported."""
    tree = ast.parse(source)
    out, moduler = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _egne(node):
            for alias in node.names:
                if _privat(alias.name):
                    out.append(f"from {'.' * node.level}{node.module or ''} import {alias.name}")
                else:
                    navn = alias.asname or alias.name
                    if navn[:1].islower():  # a module (`from . import services`), not a class (`Borger._meta`)
                        moduler.add(navn)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in APPS:
                    moduler.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _privat(node.attr) and isinstance(node.value, ast.Name) \
                and node.value.id in moduler:
            out.append(f"{node.value.id}.{node.attr} (line {node.lineno})")
    return out


def _filer():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_module_uses_another_modules_private_names():
    fund = {str(p.relative_to(ROOT)): v for p in _filer() if (v := overtraedelser(p.read_text()))}
    assert fund == {}


@pytest.mark.parametrize("source", [
    "from . import services\nservices._laas(x)\n",
    "from .services import _laas\n",
    "from matching.services import _tilmeld\n",
    "import matching.services\nmatching._x\n",
])
def test_the_check_can_fail(source):
    assert overtraedelser(source)


def test_the_check_leaves_gettext_and_own_names_alone():
    assert overtraedelser("from django.utils.translation import gettext as _\n"
                          "from . import services\ndef _egen():\n    return services.tilmelding_opret\n"
                          "obj._meta\n") == []
