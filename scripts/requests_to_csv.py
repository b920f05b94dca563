#!/usr/bin/env python3
"""Writes a tournee/1 problem's pickups and orders as the coordinators'
request sheet (the columns of web/public/template/requests.csv), e.g.
data/rouen/week-requests.csv from data/rouen/week.json."""
import csv
import json
import sys


def rows(problem):
    for kind, key in (("pickup", "pickups"), ("order", "orders")):
        for r in problem.get(key, []):
            windows = "; ".join(
                f"{w['start'][:10]} {w['start'][11:16]}-{w['end'][11:16]}"
                for w in r.get("time_windows", [])
            )
            contact = r.get("contact", {})
            yield {
                "kind": kind, "id": r["id"], "name": r.get("name", ""),
                "address": r.get("address", ""),
                "longitude": r["location"][0], "latitude": r["location"][1],
                "windows": windows, "service_minutes": r.get("service_minutes", ""),
                "devices": "; ".join(f"{k}:{n}" for k, n in r["devices"].items()),
                "skills": "; ".join(r.get("skills", [])),
                "contact_name": contact.get("name", ""), "contact_phone": contact.get("phone", ""),
                "notes": r.get("notes", ""),
                "priority": f"optional:{r['priority']['optional']}" if isinstance(r.get("priority"), dict) else "",
            }


def main():
    problem = json.load(open(sys.argv[1], encoding="utf-8"))
    columns = ["kind", "id", "name", "address", "longitude", "latitude", "windows",
               "service_minutes", "devices", "skills", "contact_name", "contact_phone", "notes", "priority"]
    out = csv.DictWriter(sys.stdout, fieldnames=columns, lineterminator="\n")
    out.writeheader()
    for row in rows(problem):
        out.writerow(row)


if __name__ == "__main__":
    main()
