"""A coordinator reads the network map of the demo network: names readable on screen, zoom
and pan, a click on an organization shows it and its links; on a desktop and on a phone."""

import pytest
from playwright.sync_api import expect

from maillage.seeding.generator import DEMO_PASSWORD, SCALES, NetworkGenerator

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_network(transactional_db):
    return NetworkGenerator(SCALES["demo"], seed=1).run()


def log_in(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Adresse courriel").fill("practitioner@demo.maillage.test")
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/")


def view_width(page) -> float:
    return page.evaluate("document.getElementById('network-svg').viewBox.baseVal.width")


def smallest_visible_label_px(page) -> float:
    return page.evaluate(
        """() => Math.min(...[...document.querySelectorAll('#network-svg .map-label')]
            .filter((t) => getComputedStyle(t).display !== 'none')
            .map((t) => t.getBoundingClientRect().height))"""
    )


def empty_point(page, box) -> tuple[float, float]:
    """A point of the map, in its left half, where no organization, label or toolbar lies."""
    point = page.evaluate(
        """(box) => {
            for (let y = box.y + 10; y < box.y + box.height - 10; y += 7) {
                for (let x = box.x + 10; x < box.x + box.width / 2; x += 7) {
                    const hit = document.elementFromPoint(x, y);
                    if (hit && hit.closest('#network-svg') && !hit.closest('.map-node')) {
                        return [x, y];
                    }
                }
            }
            return null;
        }""",
        box,
    )
    assert point, "the map has no empty point to drag from"
    return point[0], point[1]


def point_on(node) -> tuple[float, float]:
    """A point of the screen where a press lands on this organization (its circle first, else
    its name), not on a neighbour drawn over it: where organizations lie, and which overlap,
    depends on the order the database returns them in. Playwright's own click aims at the
    middle of the node's box, which may be a neighbour's name or a bare link."""
    node.scroll_into_view_if_needed()
    point = node.evaluate(
        """(node) => {
            for (const part of [node.querySelector('circle'), node]) {
                const box = part.getBoundingClientRect();
                const centre = [box.left + box.width / 2, box.top + box.height / 2];
                const points = [centre];
                for (let y = box.top + 1; y < box.bottom; y += 3) {
                    for (let x = box.left + 1; x < box.right; x += 3) points.push([x, y]);
                }
                for (const [x, y] of points) {
                    const hit = document.elementFromPoint(x, y);
                    if (hit && hit.closest('.map-node') === node) return [x, y];
                }
            }
            return null;
        }"""
    )
    assert point, "no point of the organization can be pressed: it is hidden under others"
    return point[0], point[1]


@pytest.mark.parametrize(("width", "height", "name"), [(1366, 900, "desktop"), (375, 740, "phone")])
def test_the_map_zooms_pans_and_shows_an_organization_and_its_links(
    live_server, demo_network, new_context, output_dir, width, height, name
):
    page = new_context(viewport={"width": width, "height": height}).new_page()
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/directory/map/")
    svg = page.locator("#network-svg")
    svg.wait_for()
    toolbar = page.get_by_role("toolbar", name="Commandes de la carte")
    toolbar.wait_for()

    # Names are drawn whole or cut at a word, and read at 12 px or more on the screen.
    labels = page.locator("#network-svg .map-label").all_text_contents()
    assert labels and all(not t.endswith(("-", " ")) for t in labels)
    assert smallest_visible_label_px(page) >= 12
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.screenshot(path=output_dir / f"1-map-{name}.png", full_page=True)
    page.locator(".map-stage").screenshot(path=output_dir / f"1-map-only-{name}.png")

    # Zoom in with the button, then with the wheel; drag to pan; labels keep their size.
    whole = view_width(page)
    toolbar.get_by_role("button", name="Agrandir").click()
    assert view_width(page) < whole
    # The wheel and the drag act where the mouse is: the whole map on the screen first (on a
    # phone the filters above may push its middle below the fold, wherever the click on the
    # button left the page scrolled).
    svg.evaluate("(map) => map.scrollIntoView({block: 'center', inline: 'center'})")
    box = svg.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -300)
    # `mouse.wheel` returns without waiting for the page to handle the event: the zoom it
    # makes is waited for (Playwright's timeout), then read.
    page.wait_for_function(
        "(limit) => document.getElementById('network-svg').viewBox.baseVal.width < limit",
        arg=whole / 1.5,
    )
    zoomed = view_width(page)
    assert zoomed < whole / 1.5
    before = page.evaluate("document.getElementById('network-svg').viewBox.baseVal.x")
    # The drag starts on empty map: a press on an organization selects it instead of panning,
    # and where organizations lie depends on the order the database returns them in.
    start_x, start_y = empty_point(page, box)
    page.mouse.move(start_x, start_y)
    page.mouse.down()
    page.mouse.move(start_x + box["width"] / 4, start_y, steps=4)
    page.mouse.up()
    page.wait_for_function(
        "(before) => document.getElementById('network-svg').viewBox.baseVal.x !== before",
        arg=before,
    )
    after = page.evaluate("document.getElementById('network-svg').viewBox.baseVal.x")
    assert after != before
    assert smallest_visible_label_px(page) >= 12
    toolbar.get_by_role("button", name="Toute la carte").click()
    assert view_width(page) == whole

    # A click on the best-connected organization shows it and each of its links.
    hub = page.locator('#network-svg .map-node[data-rank="0"]')
    hub_name = hub.get_attribute("aria-label").split(" — ")[0]
    page.mouse.click(*point_on(hub))
    panel = page.locator("#map-panel")
    expect(panel.locator(".map-panel-name")).to_have_text(hub_name)
    partners = page.locator("#network-svg .map-node.partner").count() - 1
    assert partners > 0
    items = panel.locator(".map-panel-links li")
    assert items.count() >= partners
    assert page.locator("#network-svg .map-link.active").count() == items.count()
    page.screenshot(path=output_dir / f"2-organization-selected-{name}.png", full_page=True)
    page.locator(".network-map").screenshot(path=output_dir / f"2-map-and-panel-{name}.png")

    # Its name leads to the organization's page.
    panel.locator(".map-panel-name a").click()
    page.get_by_role("heading", level=1, name=hub_name).wait_for()


def test_the_map_filters_by_sector_and_kind_of_link(live_server, demo_network, page):
    base = live_server.url
    log_in(page, base)
    page.goto(f"{base}/directory/map/")
    everyone_links = page.locator("#network-svg .map-link").count()
    page.get_by_label("Secteur", exact=True).select_option("hospital")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**sector=hospital**")
    # Hospitals and their partners only: every link shown has a hospital at one end.
    assert page.locator('#network-svg .map-node[data-sector="hospital"]').count() > 0
    ends = page.locator("#network-svg .map-link").evaluate_all(
        """links => links.map(l => [l.dataset.a, l.dataset.b].map(id =>
            document.querySelector(`.map-node[data-id="${id}"]`).dataset.sector))"""
    )
    assert ends and all("hospital" in pair for pair in ends)
    assert len(ends) < everyone_links
    # One kind of link only.
    boxes = page.get_by_role("group", name="Liens affichés").get_by_role("checkbox")
    for index in range(1, boxes.count()):
        boxes.nth(index).uncheck()
    # The same address pattern as the page already shown (sector=hospital): the reloaded
    # page is waited for, not the one the click left.
    with page.expect_navigation():
        page.get_by_role("button", name="Afficher").click()
    colours = page.locator("#network-svg .map-link").evaluate_all(
        "links => links.map(l => l.getAttribute('stroke'))"
    )
    assert len(set(colours)) == 1
