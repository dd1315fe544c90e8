"""The network map a coordinator reads: organizations placed by their links (the same graph
always gives the same map), names cut at a word, a sector filter that keeps the sector, its
partners and its own links, and a page whose every node is a button for the panel."""

import json
import re

import networkx as nx
import pytest
from django.urls import reverse

from maillage.directory import network_map

pytestmark = pytest.mark.django_db


def graph() -> nx.MultiGraph:
    g = nx.MultiGraph()
    for n, sector in enumerate(["hospital", "hospital", "school", "perinatal", "perinatal"]):
        g.add_node(
            n, name=f"Organisation numéro {n} de la Vallée-des-Saules", sector=sector, teams=2
        )
    for a, b, kind in [
        (0, 1, "shared_practitioners"),
        (0, 3, "shared_practitioners"),
        (3, 4, "trained_together"),
        (2, 4, "shared_practitioners"),
    ]:
        g.add_edge(a, b, key=kind, kind=kind, weight=2)
    return g


def test_the_same_graph_gives_the_same_map_inside_the_canvas():
    first, again = network_map.interactive_map(graph()), network_map.interactive_map(graph())
    assert [(n["id"], n["x"], n["y"]) for n in first["nodes"]] == [
        (n["id"], n["x"], n["y"]) for n in again["nodes"]
    ]
    for node in first["nodes"]:
        assert 0 <= node["x"] <= first["width"] and 0 <= node["y"] <= first["height"]


def test_names_are_cut_at_a_word_never_mid_word():
    assert network_map.short_label("Court") == "Court"
    cut = network_map.short_label("Direction de la protection de la jeunesse de Rivière")
    assert cut.endswith("…")
    assert "Direction de la protection de la jeunesse de Rivière".startswith(cut[:-1])
    assert cut[:-1].split()[-1] in {"protection", "la", "de"}


def test_a_sector_keeps_its_organizations_their_partners_and_its_own_links():
    drawing = network_map.interactive_map(graph(), sector="hospital")
    assert {n["id"] for n in drawing["nodes"]} == {"0", "1", "3"}
    assert {(link["a"], link["b"]) for link in drawing["links"]} == {("0", "1"), ("0", "3")}


def test_the_panel_lists_each_link_from_both_ends():
    panel = network_map.panel_data(network_map.interactive_map(graph()))
    assert {link["name"] for link in panel["4"]["links"]} == {
        "Organisation numéro 3 de la Vallée-des-Saules",
        "Organisation numéro 2 de la Vallée-des-Saules",
    }


def test_the_page_draws_every_organization_as_a_button_with_no_inline_script(client, network):
    client.force_login(network["users"]["nurse"])
    client.cookies["maillage_language"] = "fr"
    page = client.get(reverse("directory:network_map")).content.decode()
    nodes = re.findall(r'<g class="map-node[^"]*" data-id="([0-9a-f-]{36})"', page)
    assert sorted(nodes) == sorted(str(org.id) for org in network["orgs"].values())
    assert page.count('role="button"') == len(nodes)
    data = re.search(r'<script id="map-panel-data" type="application/json">(.*?)</script>', page)
    assert set(json.loads(data.group(1))) == set(nodes)
    scripts = re.findall(r"<script(?![^>]*(?:src=|application/json))[^>]*>", page)
    assert scripts == []
    assert re.search(r'x1="\d+\.?\d*"', page)  # numbers unlocalized, even in French
