// The network map's zoom, pan and panel. Served as a static file (the CSP allows no inline
// script); the page works without it: the map is drawn, the tables say the same.
(function () {
  "use strict";
  const svg = document.getElementById("network-svg");
  const panel = document.getElementById("map-panel");
  const dataElement = document.getElementById("map-panel-data");
  if (!svg || !panel || !dataElement) return;
  const data = JSON.parse(dataElement.textContent);
  const full = svg.viewBox.baseVal;
  const home = { x: full.x, y: full.y, width: full.width, height: full.height };
  let view = { ...home };
  const nodes = Array.from(svg.querySelectorAll(".map-node"));
  const links = Array.from(svg.querySelectorAll(".map-link"));
  const labelLayer = svg.querySelector(".map-nodes");
  const byRank = [...nodes].sort((a, b) => Number(a.dataset.rank) - Number(b.dataset.rank));
  const LABEL_PX = 13; // labels keep this size on screen, whatever the zoom
  const MIN_WIDTH = home.width / 12;

  function apply() {
    svg.setAttribute("viewBox", `${view.x} ${view.y} ${view.width} ${view.height}`);
    const pixelsPerUnit = svg.clientWidth / view.width || 1;
    labelLayer.setAttribute("font-size", (LABEL_PX / pixelsPerUnit).toFixed(2));
    // As many names as fit: about one per 60 screen pixels of width, more when zoomed in,
    // the best connected first, and never one over another.
    const budget = Math.round((svg.clientWidth / 60) * (home.width / view.width));
    const placed = [];
    for (const node of byRank) {
      const wanted = Number(node.dataset.rank) < budget || node.classList.contains("selected");
      node.classList.toggle("named", wanted);
      if (!wanted) continue;
      const box = node.querySelector(".map-label").getBBox();
      const clash = placed.some(
        (other) =>
          box.x < other.x + other.width &&
          other.x < box.x + box.width &&
          box.y < other.y + other.height &&
          other.y < box.y + box.height,
      );
      if (clash && !node.classList.contains("selected")) node.classList.remove("named");
      else placed.push(box);
    }
  }

  function zoom(factor, cx, cy) {
    const width = Math.min(home.width, Math.max(MIN_WIDTH, view.width / factor));
    const height = width * (home.height / home.width);
    const centreX = cx ?? view.x + view.width / 2;
    const centreY = cy ?? view.y + view.height / 2;
    const ratio = width / view.width;
    view = {
      x: centreX - (centreX - view.x) * ratio,
      y: centreY - (centreY - view.y) * ratio,
      width,
      height,
    };
    clamp();
    apply();
  }

  function clamp() {
    view.x = Math.min(Math.max(view.x, home.x), home.x + home.width - view.width);
    view.y = Math.min(Math.max(view.y, home.y), home.y + home.height - view.height);
  }

  function toUnits(event) {
    const box = svg.getBoundingClientRect();
    return {
      x: view.x + ((event.clientX - box.left) / box.width) * view.width,
      y: view.y + ((event.clientY - box.top) / box.height) * view.height,
    };
  }

  svg.addEventListener(
    "wheel",
    (event) => {
      event.preventDefault();
      const at = toUnits(event);
      zoom(event.deltaY < 0 ? 1.25 : 0.8, at.x, at.y);
    },
    { passive: false },
  );

  let drag = null;
  svg.addEventListener("pointerdown", (event) => {
    if (event.target.closest(".map-node")) return;
    drag = { x: event.clientX, y: event.clientY, view: { ...view } };
    svg.setPointerCapture(event.pointerId);
    svg.classList.add("dragging");
  });
  svg.addEventListener("pointermove", (event) => {
    if (!drag) return;
    const box = svg.getBoundingClientRect();
    view.x = drag.view.x - ((event.clientX - drag.x) / box.width) * view.width;
    view.y = drag.view.y - ((event.clientY - drag.y) / box.height) * view.height;
    clamp();
    apply();
  });
  const endDrag = () => {
    drag = null;
    svg.classList.remove("dragging");
  };
  svg.addEventListener("pointerup", endDrag);
  svg.addEventListener("pointercancel", endDrag);

  const toolbar = document.querySelector(".map-toolbar");
  if (toolbar) {
    toolbar.hidden = false;
    toolbar.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-zoom]");
      if (!button) return;
      if (button.dataset.zoom === "in") zoom(1.5);
      else if (button.dataset.zoom === "out") zoom(1 / 1.5);
      else {
        view = { ...home };
        apply();
      }
    });
  }

  const urlPattern = panel.dataset.organizationUrl;
  const organizationUrl = (id) => urlPattern.replace("00000000-0000-0000-0000-000000000000", id);

  function select(id) {
    const item = data[id];
    if (!item) return;
    for (const node of nodes) node.classList.toggle("selected", node.dataset.id === id);
    const partners = new Set([id]);
    for (const link of links) {
      const on = link.dataset.a === id || link.dataset.b === id;
      link.classList.toggle("active", on);
      if (on) partners.add(link.dataset.a === id ? link.dataset.b : link.dataset.a);
    }
    for (const node of nodes) node.classList.toggle("partner", partners.has(node.dataset.id));
    svg.classList.add("has-selection");
    apply();

    panel.querySelector(".map-panel-empty").hidden = true;
    panel.querySelector(".map-panel-body").hidden = false;
    const name = panel.querySelector(".map-panel-name a");
    name.textContent = item.name;
    name.href = organizationUrl(id);
    panel.querySelector(".map-panel-sector").textContent = item.sector;
    panel.querySelector(".map-panel-teams").textContent = String(item.teams);
    const list = panel.querySelector(".map-panel-links");
    list.replaceChildren(
      ...item.links.map((link) => {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = organizationUrl(link.id);
        a.textContent = link.name;
        li.append(a, ` — ${link.kind} (${link.weight})`);
        return li;
      }),
    );
    panel.querySelector(".map-panel-none").hidden = item.links.length > 0;
  }

  for (const node of nodes) {
    node.addEventListener("click", () => select(node.dataset.id));
    node.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        select(node.dataset.id);
        panel.querySelector("#map-panel-title").focus();
      }
    });
  }

  window.addEventListener("resize", apply);
  apply();
})();
