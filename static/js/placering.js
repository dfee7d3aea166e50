// The koordinator's fællesskab form: the precise place is picked on a map, never typed as coordinates
// (issue 16). A click on the map, or dragging the marker, fills the hidden lat/lng fields; "Brug kortets
// midte" does the same for keyboard users (the map pans with the arrow keys); "Fjern præcis placering"
// empties them, so the fællesskab is shown at its postal code. Without JavaScript the picker stays
// hidden and the place is the postal code. Without tiles the map keeps its marker (kort.js).
(function () {
  "use strict";
  var box = document.getElementById("placering");
  var lat = document.getElementById("id_lat");
  var lng = document.getElementById("id_lng");
  if (!box || !lat || !lng || typeof L === "undefined" || !window.BrobygningKort) return;
  box.hidden = false;
  var el = document.getElementById("placering-kort");
  var status = document.getElementById("placering-status");
  var fjern = document.getElementById("placering-fjern");
  var start = box.dataset.start.split(",").map(Number);
  var danmark = L.latLngBounds([54.0, 7.5], [58.0, 15.5]);  // the model's limits
  var map = L.map(el, {maxBounds: danmark, maxBoundsViscosity: 1.0, minZoom: 6, scrollWheelZoom: false});
  window.BrobygningKort.baggrund(map, el, document.getElementById("placering-note"));
  var marker = null;
  var round = function (v) { return String(Math.round(v * 1e6) / 1e6); };

  var show = function () {
    var chosen = marker !== null;
    status.textContent = chosen ? box.dataset.tekstValgt : box.dataset.tekstIngen;
    fjern.hidden = !chosen && !lat.value && !lng.value;  // a stored place the map cannot show can go too
  };
  var place = function (latlng) {
    if (!danmark.contains(latlng)) return;
    lat.value = round(latlng.lat);
    lng.value = round(latlng.lng);
    if (marker === null) {
      marker = L.marker(latlng, {draggable: true, keyboard: true, title: box.dataset.tekstMarkoer,
                                 alt: box.dataset.tekstMarkoer}).addTo(map);
      marker.on("dragend", function () { place(marker.getLatLng()); });
    } else {
      marker.setLatLng(latlng);
    }
    show();
  };

  var gemt = [Number(lat.value), Number(lng.value)];  // a stored (or just posted) place
  if (lat.value && lng.value && isFinite(gemt[0]) && isFinite(gemt[1])) place(L.latLng(gemt[0], gemt[1]));
  if (marker !== null) {
    map.setView(marker.getLatLng(), 16);
  } else {
    map.setView([start[0], start[1]], start[2]);
    show();
  }
  map.on("click", function (e) { place(e.latlng); });
  document.getElementById("placering-midte").addEventListener("click", function () { place(map.getCenter()); });
  fjern.addEventListener("click", function () {
    if (marker !== null) map.removeLayer(marker);
    marker = null;
    lat.value = "";
    lng.value = "";
    show();
    status.focus();
  });
})();
