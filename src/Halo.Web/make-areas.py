# Builds the app's outline base map from src/Halo.Api/Resources: municipalities and counties in one file,
# coordinates rounded to 4 decimals (~10 m, plenty for an outline), with a lowercased "area" key that matches
# the police feed's location names (a county's is "<name>s län" as in swedish_admin_areas.csv).
import json, csv, sys
res = sys.argv[1]; out = sys.argv[2]
rows = list(csv.DictReader(open(f"{res}/swedish_admin_areas.csv", encoding="utf-8")))
county_names = {r["county_code"]: r["county_name"] for r in rows}
def simplify(coords):
    if isinstance(coords[0], (int, float)):
        return [round(coords[0], 4), round(coords[1], 4)]
    if isinstance(coords[0][0], (int, float)):
        ring, last = [], None
        for c in coords:
            p = [round(c[0], 4), round(c[1], 4)]
            if p != last: ring.append(p); last = p
        if ring[0] != ring[-1]: ring.append(ring[0])
        return ring
    return [simplify(c) for c in coords]
feats = []
for f in json.load(open(f"{res}/sweden/swedish_regions.geojson", encoding="utf-8"))["features"]:
    code = "%02d" % f["properties"]["l_id"]
    name = county_names[code]
    feats.append({"type": "Feature", "properties": {"kind": "county", "name": name, "area": " ".join(name.lower().split())},
                  "geometry": {"type": f["geometry"]["type"], "coordinates": simplify(f["geometry"]["coordinates"])}})
for f in json.load(open(f"{res}/sweden/swedish_municipalities.geojson", encoding="utf-8"))["features"]:
    name = f["properties"]["kom_namn"]
    feats.append({"type": "Feature", "properties": {"kind": "municipality", "name": name, "area": " ".join(name.lower().split())},
                  "geometry": {"type": f["geometry"]["type"], "coordinates": simplify(f["geometry"]["coordinates"])}})
json.dump({"type": "FeatureCollection", "features": feats}, open(out, "w", encoding="utf-8"), ensure_ascii=False, separators=(",", ":"))
