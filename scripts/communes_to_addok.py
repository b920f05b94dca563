#!/usr/bin/env python3
"""Writes the Métropole Rouen Normandie's communes (../shared/data/rouen-communes.csv
as copied in data/rouen/communes.csv) as addok documents, one JSON object a line:
each commune a `municipality` at its town hall, with its INSEE code and postcode, so
that a local addok (scripts/addok-test-server.sh) geocodes the metropolis's communes
as the national address base's service does at that level."""
import csv
import json
import math
import sys

src = sys.argv[1] if len(sys.argv) > 1 else "data/rouen/communes.csv"
rows = list(csv.DictReader(open(src, encoding="utf-8")))
top = max(float(r["population"]) for r in rows)
for r in rows:
    print(json.dumps({
        "id": r["insee_code"], "type": "municipality", "name": r["name"],
        "postcode": r["postal_codes"].split("|")[0].split(";")[0].strip(),
        "citycode": r["insee_code"], "city": r["name"],
        "lat": float(r["latitude"]), "lon": float(r["longitude"]),
        # Bigger communes first when names tie, as in the national base.
        "importance": round(math.log1p(float(r["population"])) / math.log1p(top), 4),
    }, ensure_ascii=False))
