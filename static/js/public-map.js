// The public directory's map: markers for the fællesskaber on the current page.
// The list next to it has everything; the map is an extra. Without tiles (MAP_TILE_URL empty or
// unreachable) the markers still show on a blank background.
(function () {
  "use strict";
  var el = document.getElementById("kort");
  var data = document.getElementById("kort-punkter");
  if (!el || !data || typeof L === "undefined" || !window.BrobygningKort) return;
  var points = JSON.parse(data.textContent);
  if (!points.length) return;
  el.classList.add("public-map-active");
  var map = L.map(el, {scrollWheelZoom: false});
  // No background (no tile server, or it cannot be reached): see kort.js.
  window.BrobygningKort.baggrund(map, el, document.getElementById("kort-note"));
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
