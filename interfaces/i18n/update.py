"""Brings both catalogs up to the code: `python -m interfaces.i18n.update`.

Extracts every message from the templates (`_()`, `{% trans %}`), the Python code
(`_()`, `pgettext()`, `N_()`) and the scripts (`t()`, `tp()`), adds every code of
`codes.py`, and merges them into `locale/{id,en}/LC_MESSAGES/messages.po`: new
messages arrive with an empty translation (English sentences get their msgid), ones
no longer used are dropped. Then write the Indonesian (and any English label) and
run `pytest tests/unit/test_catalog.py`.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from interfaces.i18n import LANGUAGES, po_path
from interfaces.i18n.codes import all_codes

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("interfaces", "application")
METHODS = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**/static/**.js", "javascript"),
    ("**.py", "python"),
]
KEYWORDS = {**DEFAULT_KEYWORDS, "t": None, "tp": ((1, "c"), 2), "N_": None}
# Contexts whose English is a word of its own, not the msgid (codes, not sentences).
CODED = {context for context, _code in all_codes()}


def template() -> Catalog:
    catalog = Catalog(project="Jaga")
    for folder in SOURCES:
        for _file, _line, message, _comments, context in extract_from_dir(
            ROOT / folder,
            METHODS,
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
            keywords=KEYWORDS,
        ):
            if message:
                catalog.add(message, context=context)
    for context, code in all_codes():
        catalog.add(code, context=context)
    return catalog


def update() -> dict[str, int]:
    fresh = template()
    counts: dict[str, int] = {}
    for language in LANGUAGES:
        path = po_path(language)
        if path.exists():
            with path.open("rb") as source:
                catalog = read_po(source, locale=language)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            catalog = Catalog(locale=language, project="Jaga", fuzzy=False)
        created = catalog.creation_date
        catalog.update(fresh, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        catalog.creation_date = created  # the header stays put between runs
        catalog.revision_date = created
        catalog.fuzzy = False
        missing = 0
        for message in catalog:
            if not message.id:
                continue
            message.flags.discard("fuzzy")
            if language == "en" and not message.string:
                if message.context not in CODED:
                    message.string = message.id
            if not message.string:
                missing += 1
        with path.open("wb") as out:
            write_po(
                out,
                catalog,
                width=88,
                omit_header=False,
                sort_output=True,
                no_location=True,
                ignore_obsolete=True,
            )
        counts[language] = missing
    return counts


if __name__ == "__main__":
    for language, missing in update().items():
        print(f"{po_path(language).relative_to(ROOT)}: {missing} without a translation")
