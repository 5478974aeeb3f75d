// Jaga dashboard map: every site as a pin coloured by its status, live like the board.
// Tiles come from the server's setting; with none, or none reachable, the pins still
// draw on a plain background with the province and regency names. Leaflet, vendored.
(function () {
  "use strict";
  var holder = document.getElementById("map");
  if (!holder || !window.L) { return; }
  var COLORS = { red: "#b00020", amber: "#e69500", green: "#1b5e20" };
  var url = holder.getAttribute("data-pins-url");
  var tiles = holder.getAttribute("data-tiles");
  var map = L.map(holder, { zoomSnap: 0.5, attributionControl: !!tiles, zoomControl: false });
  L.control.zoom({ zoomInTitle: holder.getAttribute("data-zoom-in"),
                   zoomOutTitle: holder.getAttribute("data-zoom-out") }).addTo(map);
  if (tiles) {
    L.tileLayer(tiles, { maxZoom: 18, attribution: holder.getAttribute("data-attribution") || "" }).addTo(map);
  }
  var pins = {};
  var labels = L.layerGroup().addTo(map);
  var fitted = false;

  function centre(points) {
    var lat = 0, lon = 0;
    points.forEach(function (p) { lat += p.lat; lon += p.lon; });
    return [lat / points.length, lon / points.length];
  }

  function regionLabels(items) {
    labels.clearLayers();
    var regencies = {}, provinces = {};
    items.forEach(function (p) {
      (regencies[p.regency_name] = regencies[p.regency_name] || []).push(p);
      (provinces[p.province_name] = provinces[p.province_name] || []).push(p);
    });
    Object.keys(provinces).forEach(function (name) {
      var at = centre(provinces[name]);
      L.marker([at[0] + 0.35, at[1]], { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "region province", html: "", iconSize: null }) })
        .addTo(labels).getElement().textContent = name;
    });
    Object.keys(regencies).forEach(function (name) {
      var at = centre(regencies[name]);
      L.marker([at[0] - 0.06, at[1]], { interactive: false, keyboard: false,
        icon: L.divIcon({ className: "region regency", html: "", iconSize: null }) })
        .addTo(labels).getElement().textContent = name;
    });
  }

  var ORDER = { green: 0, amber: 1, red: 2 };

  function draw(items) {
    var seen = {};
    // The worst drawn last, so a red pin is never hidden under a green one.
    items = items.slice().sort(function (a, b) { return (ORDER[a.status] || 0) - (ORDER[b.status] || 0); });
    items.forEach(function (p) {
      seen[p.site_id] = true;
      var style = { radius: 9, weight: 3, color: "#fff", fillColor: COLORS[p.status] || "#555", fillOpacity: 0.95 };
      var pin = pins[p.site_id];
      if (!pin) {
        pin = L.circleMarker([p.lat, p.lon], style).addTo(map);
        pin.bindTooltip("", { direction: "top", offset: [0, -8] });
        pins[p.site_id] = pin;
      } else {
        pin.setLatLng([p.lat, p.lon]);
        pin.setStyle(style);
      }
      var tip = document.createElement("div");
      var name = document.createElement("strong");
      name.textContent = p.name;
      tip.appendChild(name);
      tip.appendChild(document.createElement("br"));
      tip.appendChild(document.createTextNode(p.status_text + (p.reasons.length ? " · " + p.reasons.join("; ") : "")));
      pin.setTooltipContent(tip);
      pin.bringToFront();
      pin.off("click").on("click", function () { location.href = "/sites/" + encodeURIComponent(p.site_id); });
      var el = pin.getElement();
      if (el) {
        el.setAttribute("data-site", p.site_id);
        el.setAttribute("data-status", p.status);
        el.setAttribute("aria-label", p.name + ": " + p.status_text);
      }
    });
    Object.keys(pins).forEach(function (id) {
      if (!seen[id]) { map.removeLayer(pins[id]); delete pins[id]; }
    });
    regionLabels(items);
    if (!fitted && items.length) {
      map.fitBounds(items.map(function (p) { return [p.lat, p.lon]; }), { padding: [30, 30], maxZoom: 13 });
      fitted = true;
    }
    holder.setAttribute("data-pins", String(items.length));
  }

  // The replay draws the pins of each moment it shows (and the map polls nothing).
  window.jagaMapDraw = draw;

  function tick() {
    if (!url) { return; }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (answer) { draw(answer.pins); setTimeout(tick, 5000); },
            function () { setTimeout(tick, 15000); });
  }

  // On a phone the board's own map starts folded, so the sites come first.
  var fold = holder.closest("details");
  if (fold) {
    if (window.innerWidth < 760) { fold.open = false; }
    fold.addEventListener("toggle", function () {
      if (fold.open) { map.invalidateSize(); fitted = false; tick(); }
    });
  }
  map.setView([-2.5, 118], 5);
  tick();
}());
