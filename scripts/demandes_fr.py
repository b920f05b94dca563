#!/usr/bin/env python3
"""Writes a tournee/1 problem's pickups and orders as a French coordinator's
sheet: `;`-separated, decimal commas, French column names, weekday windows
(`lun 9h-12h ; mer 14h-17h30`) and one column of counts per device type,
e.g. data/rouen/demandes-semaine.csv from data/rouen/week.json (the same
requests as data/rouen/week-requests.csv, written the way a spreadsheet
in France would hold them).

With --addresses, only the pickups, placed by their commune alone (no
coordinates: the geocoder places them), e.g. data/rouen/collectes-adresses.csv.
Two rows are written as a coordinator may well write them, for the
geocoder to stumble on: the first in Le Grand- or Le Petit-Quevilly as
just "Quevilly" (two places: the coordinator picks one), and the last but one
moved to Clères, outside the metropolis the local geocoder knows (not
found: the coordinator places the pin by hand)."""
import csv
import datetime
import json
import re
import sys

DAYS = ["lun", "mar", "mer", "jeu", "ven", "sam", "dim"]
COUNTS = [("laptop", "Portables"), ("desktop_tower", "Unités centrales"),
          ("desktop_sff", "Mini-ordinateurs"), ("monitor", "Écrans"),
          ("smartphone", "Smartphones"), ("tablet", "Tablettes")]
SKILLS = {"tail_lift": "hayon", "two_people": "2 personnes"}


def hour(t):
    h, m = int(t[11:13]), int(t[14:16])
    return f"{h}h{m:02d}" if m else f"{h}h"


def window(w):
    day = DAYS[datetime.date.fromisoformat(w["start"][:10]).weekday()]
    return f"{day} {hour(w['start'])}-{hour(w['end'])}"


def comma(x):
    return str(x).replace(".", ",")


def rows(problem):
    for kind, key in (("collecte", "pickups"), ("livraison", "orders")):
        for r in problem.get(key, []):
            contact = r.get("contact", {})
            row = {
                "Type": kind, "Référence": r["id"], "Nom": r.get("name", ""),
                "Adresse": r.get("address", ""),
                "Longitude": comma(r["location"][0]), "Latitude": comma(r["location"][1]),
                "Créneaux": " ; ".join(window(w) for w in r.get("time_windows", [])),
                "Durée sur place": comma(r.get("service_minutes", "")),
                "Besoins": ", ".join(SKILLS.get(s, s) for s in r.get("skills", [])),
                "Contact": contact.get("name", ""), "Téléphone": contact.get("phone", ""),
                "Remarques": r.get("notes", ""),
                "Priorité": f"facultatif:{comma(r['priority']['optional'])}"
                if isinstance(r.get("priority"), dict) else "",
            }
            for device, column in COUNTS:
                n = r["devices"].get(device, 0)
                row[column] = n if n else ""
            yield row


def by_address(problem):
    """The pickups with `Code postal` and `Commune` instead of coordinates."""
    out = []
    for row in rows({"pickups": problem.get("pickups", [])}):
        m = re.match(r"^(.*) (\d{5}) \(synthetic address\)$", row.pop("Adresse"))
        del row["Longitude"], row["Latitude"]
        row["Commune"], row["Code postal"] = (m.group(1), m.group(2)) if m else ("", "")
        out.append(row)
    quevilly = next(r for r in out if r["Commune"].endswith("-Quevilly"))
    quevilly["Commune"], quevilly["Code postal"] = "Quevilly", ""
    out[-2]["Commune"], out[-2]["Code postal"] = "Clères", "76690"
    out[-2]["Nom"] = re.sub(r"\(.*\)$", "(Clères)", out[-2]["Nom"])
    return out


def main():
    problem = json.load(open(sys.argv[-1], encoding="utf-8"))
    if "--addresses" in sys.argv:
        columns = ["Type", "Référence", "Nom", "Code postal", "Commune", "Créneaux",
                   "Durée sur place"] + [c for _, c in COUNTS] + ["Besoins", "Contact",
                                                                 "Téléphone", "Remarques"]
        out = csv.DictWriter(sys.stdout, fieldnames=columns, delimiter=";",
                             lineterminator="\r\n", extrasaction="ignore")
        out.writeheader()
        for row in by_address(problem):
            out.writerow(row)
        return
    columns = ["Type", "Référence", "Nom", "Adresse", "Longitude", "Latitude", "Créneaux",
               "Durée sur place"] + [c for _, c in COUNTS] + ["Besoins", "Contact",
                                                             "Téléphone", "Remarques", "Priorité"]
    out = csv.DictWriter(sys.stdout, fieldnames=columns, delimiter=";", lineterminator="\r\n")
    out.writeheader()
    for row in rows(problem):
        out.writerow(row)


if __name__ == "__main__":
    main()
