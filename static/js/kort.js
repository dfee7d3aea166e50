// Shared by the maps (the public directory's and the koordinator's place picker): the background.
// Without tiles (MAP_TILE_URL empty, or the tile server cannot be reached) the map keeps its markers
// on a plain pattern instead of grey, and the note next to it says the map has no background (issue 16).
(function () {
  "use strict";
  window.BrobygningKort = {
    baggrund: function (map, el, note) {
      var noBackground = function () {
        el.classList.add("kort-uden-baggrund");
        if (note) note.hidden = false;
      };
      var tileUrl = el.dataset.tileUrl;
      if (!tileUrl) {
        noBackground();
        return;
      }
      var loaded = false;
      var layer = L.tileLayer(tileUrl, {maxZoom: 18, attribution: el.dataset.attribution || ""}).addTo(map);
      layer.on("tileload", function () { loaded = true; });
      layer.on("tileerror", function () { if (!loaded) noBackground(); });
      setTimeout(function () { if (!loaded) noBackground(); }, 6000);
    },
  };
})();
