"""Danish postal codes with coordinates, from countrystatecity-postal-codes (ODbL)."""

import json
from importlib import resources


def load_dk_postcodes() -> list[dict]:
    path = resources.files("countrystatecity_postal_codes") / "data" / "by-country" / "DK" / "postcodes.json"
    return [
        {"nr": row["code"], "by": row["localityName"], "lat": row["latitude"], "lng": row["longitude"]}
        for row in json.loads(path.read_text(encoding="utf-8"))
    ]
