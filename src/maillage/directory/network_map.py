"""The network map: organizations as a graph, drawn as SVG by the app itself.

Nodes are organizations, sized by their number of teams. Organizations of one sector sit
together around their sector's label, so sector is read from position and label, not from
colour alone. Edges are of several kinds, one edge per kind and pair (a MultiGraph), each
kind with its colour and its dash pattern, thicker for more weight: practitioners shared
between organizations (here), and what other apps register with `register_edge_source` from
their AppConfig.ready(): referrals, joint follow-up, training together.

Two drawings. `render_svg` (the downloadable map, and the programme's before/after maps,
which must keep every organization in its place from one map to the other) computes its
layout: sectors on a circle, organizations on a sunflower spiral around their sector.
`interactive_map` is the page's map: a force-directed layout (networkx's spring layout,
fixed seed, started from the sector layout, links inside a sector pulling harder) that
separates the clusters the links actually make; every node carries its id, and the page's
script (static/directory/network-map.js) zooms, pans, and shows an organization and its
links on a click. The tables of the page are its accessible alternative.
"""

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from itertools import combinations
from xml.sax.saxutils import escape

import networkx as nx
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Membership, Organization, Sector

# Colour-blind-safe palette (Okabe–Ito and Tol), one per sector, in Sector order.
SECTOR_COLOURS = [
    "#E69F00",
    "#56B4E9",
    "#009E73",
    "#F0E442",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#AA4499",
]
EDGE_KINDS = {"shared_practitioners": "#5b6570", "trained_together": "#a3195b"}
# Kinds drawn dashed and nearly opaque: they are few and meaningful, and a pattern as well as
# a colour tells them apart. Widths scale within each kind.
EDGE_DASHES = {"trained_together": "10 6"}
EDGE_OPACITY = {"trained_together": 0.9}
EDGE_LABELS = {
    "shared_practitioners": gettext_lazy("Shared practitioners"),
    "trained_together": gettext_lazy("Trained together"),
}
# kind -> function returning {(organization id, organization id): weight}
EDGE_SOURCES: dict[str, Callable[[], dict]] = {}


def register_edge_source(
    kind: str, *, label, colour: str, dash: str, source: Callable[[], dict]
) -> None:
    """Adds a kind of link to the directory's map (called from an app's ready())."""
    EDGE_KINDS[kind] = colour
    EDGE_DASHES[kind] = dash
    EDGE_OPACITY.setdefault(kind, 0.6)
    EDGE_LABELS[kind] = label
    EDGE_SOURCES[kind] = source


def edge_legend(kinds) -> list[dict]:
    return [
        {
            "code": k,
            "label": EDGE_LABELS[k],
            "colour": EDGE_KINDS[k],
            "dash": EDGE_DASHES.get(k, ""),
            "shown": k in kinds,
        }
        for k in ["shared_practitioners", *EDGE_SOURCES]
    ]


WIDTH, HEIGHT = 1600, 1200
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def sector_colour(sector: str) -> str:
    return SECTOR_COLOURS[Sector.values.index(sector) % len(SECTOR_COLOURS)]


def legend() -> list[dict]:
    return [
        {"code": code, "label": label, "colour": sector_colour(code)}
        for code, label in Sector.choices
    ]


def organization_graph(*, fetched_by, kinds=("shared_practitioners",)) -> nx.MultiGraph:
    """Two queries, and one or two per extra kind asked, whatever the size of the network."""
    if not fetched_by.has_perm("directory.view_directory"):
        raise Http404
    graph = nx.MultiGraph()
    for org in Organization.objects.annotate(team_count=Count("teams")).values(
        "id", "name", "sector", "team_count"
    ):
        graph.add_node(org["id"], name=org["name"], sector=org["sector"], teams=org["team_count"])
    orgs_of_person: dict = defaultdict(set)
    for person_id, org_id in Membership.objects.values_list(
        "practitioner_id", "team__organization_id"
    ):
        orgs_of_person[person_id].add(org_id)
    shared: Counter = Counter()
    for orgs in orgs_of_person.values():
        for a, b in combinations(sorted(orgs, key=str), 2):
            shared[(a, b)] += 1
    if "shared_practitioners" in kinds:
        for (a, b), weight in shared.items():
            graph.add_edge(
                a, b, key="shared_practitioners", weight=weight, kind="shared_practitioners"
            )
    for kind, source in EDGE_SOURCES.items():
        if kind in kinds:
            for (a, b), weight in source().items():
                if a != b and a in graph and b in graph and weight:
                    graph.add_edge(a, b, key=kind, weight=weight, kind=kind)
    return graph


def layout(graph: nx.Graph) -> dict:
    by_sector: dict[str, list] = defaultdict(list)
    for node, data in graph.nodes(data=True):
        by_sector[data["sector"]].append(node)
    cx, cy = WIDTH / 2, HEIGHT / 2
    ring = HEIGHT * 0.34
    positions = {}
    hubs = {}
    sectors = [s for s in Sector.values if by_sector.get(s)]
    for i, sector in enumerate(sectors):
        angle = 2 * math.pi * i / max(len(sectors), 1) - math.pi / 2
        hx, hy = cx + ring * math.cos(angle), cy + ring * math.sin(angle)
        hubs[sector] = (hx, hy)
        # Best-connected organizations at the heart of their cluster.
        members = sorted(
            by_sector[sector], key=lambda n: (-graph.degree(n), graph.nodes[n]["name"])
        )
        # A cluster never spills over its neighbours: its radius stays under half the
        # distance between two sector hubs.
        chord = 2 * ring * math.sin(math.pi / max(len(sectors), 2))
        spacing = min(22.0, 0.45 * chord / math.sqrt(len(members) + 1))
        for k, node in enumerate(members):
            r = spacing * math.sqrt(k + 0.5)
            positions[node] = (
                hx + r * math.cos(k * GOLDEN_ANGLE),
                hy + r * math.sin(k * GOLDEN_ANGLE),
            )
    return {"nodes": positions, "hubs": hubs}


def summary(graph: nx.MultiGraph) -> dict:
    """The text alternative of the map: per sector, and the best-connected organizations."""
    per_sector = []
    for code, label in Sector.choices:
        nodes = [n for n, d in graph.nodes(data=True) if d["sector"] == code]
        if not nodes:
            continue
        links = sum(
            1 for a, b in graph.edges(nodes) if graph.nodes[a]["sector"] != graph.nodes[b]["sector"]
        )
        per_sector.append(
            {
                "label": label,
                "colour": sector_colour(code),
                "organizations": len(nodes),
                "teams": sum(graph.nodes[n]["teams"] for n in nodes),
                "cross_sector_links": links,
            }
        )
    # Best connected: linked to the most other organizations, by any kind of link.
    partners = {n: len(set(graph.neighbors(n))) for n in graph.nodes}
    hubs = sorted(partners.items(), key=lambda pair: -pair[1])[:10]
    by_kind = Counter(d["kind"] for _a, _b, d in graph.edges(data=True))
    return {
        "organizations": graph.number_of_nodes(),
        "links": graph.number_of_edges(),
        "links_by_kind": [
            {"label": EDGE_LABELS.get(kind, kind), "count": n} for kind, n in by_kind.items()
        ],
        "components": nx.number_connected_components(graph) if graph.number_of_nodes() else 0,
        "per_sector": per_sector,
        "best_connected": [
            {"id": n, "name": graph.nodes[n]["name"], "weight": w} for n, w in hubs if w
        ],
    }


def render_svg(graph: nx.Graph, highlight_sector: str = "") -> str:
    pos = layout(graph)
    nodes, hubs = pos["nodes"], pos["hubs"]
    max_weight: dict[str, float] = {}
    for _a, _b, d in graph.edges(data=True):
        max_weight[d["kind"]] = max(max_weight.get(d["kind"], 1), d["weight"])
    # Many links: each one lighter, so that the clusters stay readable.
    edge_opacity = 0.35 if graph.number_of_edges() < 150 else 0.12
    show_names = graph.number_of_nodes() <= 60
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-labelledby="map-title">',
        f'<title id="map-title">{escape(_("Map of the partner network"))}</title>',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        '<g stroke-linecap="round">',
    ]
    for a, b, data in graph.edges(data=True):
        (x1, y1), (x2, y2) = nodes[a], nodes[b]
        width = 0.6 + 3.4 * data["weight"] / max_weight[data["kind"]]
        opacity = EDGE_OPACITY.get(data["kind"], edge_opacity)
        dash = EDGE_DASHES.get(data["kind"])
        dim = highlight_sector and highlight_sector not in (
            graph.nodes[a]["sector"],
            graph.nodes[b]["sector"],
        )
        out.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
            f'stroke="{EDGE_KINDS[data["kind"]]}" stroke-opacity="{0.05 if dim else opacity}" '
            f'stroke-width="{width:.2f}"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
        )
    out.append("</g><g>")
    for node, data in graph.nodes(data=True):
        x, y = nodes[node]
        r = 3 + 2.2 * math.sqrt(max(data["teams"], 1))
        dim = highlight_sector and data["sector"] != highlight_sector
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{sector_colour(data["sector"])}" '
            f'fill-opacity="{0.25 if dim else 1}" stroke="#1b1f24" stroke-width="0.8">'
            f"<title>{escape(data['name'])} — {escape(str(Sector(data['sector']).label))} "
            f"({data['teams']})</title></circle>"
        )
        if show_names:
            out.append(
                f'<text x="{x + r + 2:.1f}" y="{y + 4:.1f}" font-size="11" fill="#1b1f24" '
                f'font-family="sans-serif">{escape(data["name"][:32])}</text>'
            )
    out.append('</g><g font-family="sans-serif" font-weight="700" font-size="17">')
    cx, cy = WIDTH / 2, HEIGHT / 2
    for sector, (hx, hy) in hubs.items():
        # Each label sits just outside its cluster, on the side away from the centre, and
        # is kept inside the canvas whatever its length.
        dx, dy = hx - cx, hy - cy
        norm = math.hypot(dx, dy) or 1
        spread = max(
            math.hypot(x - hx, y - hy)
            for x, y in (nodes[n] for n in graph.nodes if graph.nodes[n]["sector"] == sector)
        )
        lx = min(max(hx + dx / norm * (spread + 48), 260), WIDTH - 260)
        ly = min(max(hy + dy / norm * (spread + 48) + 6, 24), HEIGHT - 12)
        out.append(
            f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle" fill="#1b1f24" '
            f'stroke="#ffffff" stroke-width="4" paint-order="stroke">'
            f"{escape(str(Sector(sector).label))}</text>"
        )
    out.append("</g></svg>")
    return "\n".join(out)


# --- the page's interactive map -----------------------------------------------------------

MAP_WIDTH, MAP_HEIGHT = 1200, 900
MAP_MARGIN = 60
# Below this many organizations every name is drawn; above, the best-connected first, and the
# script shows more as one zooms in.
ALL_LABELS_UP_TO = 40
SPRING_UP_TO = 450


def short_label(name: str, limit: int = 28) -> str:
    """A name cut at a word boundary, never mid-word, with an ellipsis."""
    if len(name) <= limit:
        return name
    cut = name[:limit].rsplit(" ", 1)[0].rstrip(" -–—,")
    return (cut or name[:limit]) + "…"


def spring_positions(graph: nx.MultiGraph, *, seed: int = 7) -> dict:
    """Force-directed positions in the map's canvas; the same graph always gives the same
    map. Links within a sector pull twice as hard, so that sectors read as clusters."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for a, b, data in graph.edges(data=True):
        same = graph.nodes[a]["sector"] == graph.nodes[b]["sector"]
        weight = (2.0 if same else 1.0) * math.log1p(data["weight"])
        if simple.has_edge(a, b):
            simple[a][b]["weight"] += weight
        else:
            simple.add_edge(a, b, weight=weight)
    if not simple.number_of_nodes():
        return {}
    start = {n: (x / WIDTH, y / HEIGHT) for n, (x, y) in layout(graph)["nodes"].items()}
    count = simple.number_of_nodes()
    if count > SPRING_UP_TO:
        raw = start  # networkx would need scipy past 500 nodes; the sector layout stays.
    else:
        # Started from the sector layout, a few dozen steps settle it (≈0.5 s at 300).
        raw = nx.spring_layout(
            simple,
            pos=start,
            seed=seed,
            weight="weight",
            k=1.6 / math.sqrt(count),
            iterations=60 if count <= 100 else 30,
        )
    xs = [p[0] for p in raw.values()]
    ys = [p[1] for p in raw.values()]
    span_x, span_y = (max(xs) - min(xs)) or 1, (max(ys) - min(ys)) or 1
    width, height = MAP_WIDTH - 2 * MAP_MARGIN, MAP_HEIGHT - 2 * MAP_MARGIN
    return {
        n: (
            MAP_MARGIN + (x - min(xs)) / span_x * width,
            MAP_MARGIN + (y - min(ys)) / span_y * height,
        )
        for n, (x, y) in raw.items()
    }


def interactive_map(graph: nx.MultiGraph, *, sector: str = "") -> dict:
    """What the page draws: the SVG's nodes and links, and, per organization, what its panel
    says (name, sector, teams, links by partner and kind). With a sector chosen, the map
    keeps that sector's organizations, their direct partners and the links between them."""
    if sector:
        chosen = {n for n, d in graph.nodes(data=True) if d["sector"] == sector}
        keep = chosen | {m for n in chosen for m in graph.neighbors(n)}
        graph = nx.MultiGraph(graph.subgraph(keep))
        # Only the sector's own links: those between two of its partners are another story.
        graph.remove_edges_from(
            [(a, b, k) for a, b, k in graph.edges(keys=True) if a not in chosen and b not in chosen]
        )
    positions = spring_positions(graph)
    partners = {n: len(set(graph.neighbors(n))) for n in graph.nodes}
    ranked = sorted(graph.nodes, key=lambda n: (-partners[n], graph.nodes[n]["name"]))
    rank = {n: i for i, n in enumerate(ranked)}
    max_weight: dict[str, float] = {}
    for _a, _b, d in graph.edges(data=True):
        max_weight[d["kind"]] = max(max_weight.get(d["kind"], 1), d["weight"])
    nodes, links = [], []
    for n, d in graph.nodes(data=True):
        x, y = positions[n]
        nodes.append(
            {
                "id": str(n),
                "name": d["name"],
                "label": short_label(d["name"]),
                "sector": d["sector"],
                "sector_label": str(Sector(d["sector"]).label),
                "colour": sector_colour(d["sector"]),
                "teams": d["teams"],
                "x": round(x, 1),
                "y": round(y, 1),
                "r": round(6 + 2.5 * math.sqrt(max(d["teams"], 1)), 1),
                "rank": rank[n],
                "labelled": len(ranked) <= ALL_LABELS_UP_TO or rank[n] < ALL_LABELS_UP_TO // 2,
                # Names on the right half read leftwards, so that none runs off the map.
                "label_left": x > MAP_WIDTH * 0.6,
                "partners": partners[n],
            }
        )
    for a, b, d in graph.edges(data=True):
        (x1, y1), (x2, y2) = positions[a], positions[b]
        links.append(
            {
                "a": str(a),
                "b": str(b),
                "kind": d["kind"],
                "kind_label": str(EDGE_LABELS.get(d["kind"], d["kind"])),
                "weight": d["weight"],
                "colour": EDGE_KINDS[d["kind"]],
                "dash": EDGE_DASHES.get(d["kind"], ""),
                "width": round(1 + 3 * d["weight"] / max_weight[d["kind"]], 2),
                "x1": round(x1, 1),
                "y1": round(y1, 1),
                "x2": round(x2, 1),
                "y2": round(y2, 1),
            }
        )
    nodes.sort(key=lambda node: -node["rank"])  # the best connected drawn last, on top
    return {"width": MAP_WIDTH, "height": MAP_HEIGHT, "nodes": nodes, "links": links}


def panel_data(drawing: dict) -> dict:
    """Per organization, its links grouped by partner, for the panel the script fills."""
    names = {node["id"]: node["name"] for node in drawing["nodes"]}
    panel: dict[str, dict] = {
        node["id"]: {
            "name": node["name"],
            "sector": node["sector_label"],
            "teams": node["teams"],
            "links": [],
        }
        for node in drawing["nodes"]
    }
    for link in drawing["links"]:
        for here, there in ((link["a"], link["b"]), (link["b"], link["a"])):
            panel[here]["links"].append(
                {
                    "id": there,
                    "name": names[there],
                    "kind": link["kind_label"],
                    "weight": link["weight"],
                }
            )
    for item in panel.values():
        item["links"].sort(key=lambda link: (-link["weight"], link["name"]))
    return panel
