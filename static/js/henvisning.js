// The referral form: a self-referral has no separate referrer, so those fields are hidden.
// Without JavaScript they simply stay visible (and optional for a self-referral).
(function () {
  "use strict";
  var select = document.querySelector("select[data-egen]");
  var felter = document.querySelector(".henviser-felter");
  if (!select || !felter) return;
  function update() {
    felter.hidden = select.value === select.dataset.egen;
  }
  select.addEventListener("change", update);
  update();
})();
