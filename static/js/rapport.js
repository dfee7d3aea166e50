// The report page's charts (ARCHITECTURE.md, "Rapporter"). Each <canvas data-graf="id"> reads its
// data from the json_script element with that id; the table next to it holds the same numbers.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  var FARVER = ["#0d6efd", "#198754", "#6f42c1", "#fd7e14", "#20c997", "#d63384"];
  var reduceret = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  document.querySelectorAll("canvas[data-graf]").forEach(function (canvas) {
    var kilde = document.getElementById(canvas.getAttribute("data-graf"));
    if (!kilde) { return; }
    var graf = JSON.parse(kilde.textContent);
    new Chart(canvas, {
      type: graf.type,
      data: {
        labels: graf.labels,
        datasets: graf.datasets.map(function (d, i) {
          return { label: d.label, data: d.data, backgroundColor: FARVER[i % FARVER.length] };
        })
      },
      options: {
        indexAxis: graf.vandret ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: reduceret ? false : { duration: 300 },
        plugins: { legend: { display: graf.datasets.length > 1 } }
      }
    });
  });
})();
