// The public directory's map: markers for the fællesskaber on the current page.
// The list next to it has everything; the map is an extra. Without tiles (MAP_TILE_URL empty or
// unreachable) the markers still show on a blank background.
(function () {
  "use strict";
  var el = document.getElementById("kort");
  var data = document.getElementById("kort-punkter");
  if (!el || !data || typeof L === "undefined") return;
  var points = JSON.parse(data.textContent);
  if (!points.length) return;
  el.classList.add("public-map-active");
  var map = L.map(el, {scrollWheelZoom: false});
  var tileUrl = el.dataset.tileUrl;
  var note = document.getElementById("kort-note");
  // No background (no tile server, or it cannot be reached): a plain pattern instead of grey, and a
  // note that says so, pointing at the list (issue 16).
  var noBackground = function () {
    el.classList.add("kort-uden-baggrund");
    if (note) note.hidden = false;
  };
  if (tileUrl) {
    var loaded = false;
    var layer = L.tileLayer(tileUrl, {maxZoom: 18, attribution: el.dataset.attribution || ""}).addTo(map);
    layer.on("tileload", function () { loaded = true; });
    layer.on("tileerror", function () { if (!loaded) noBackground(); });
    setTimeout(function () { if (!loaded) noBackground(); }, 6000);
  } else {
    noBackground();
  }
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.marker([p.lat, p.lng], {title: p.titel, alt: p.titel, keyboard: true}).addTo(map);
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = p.titel;
    marker.bindPopup(link);
    bounds.push([p.lat, p.lng]);
  });
  map.fitBounds(bounds, {padding: [30, 30], maxZoom: 14});
})();
