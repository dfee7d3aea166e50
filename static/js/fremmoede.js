/* Attendance at the door, offline-tolerant (issue 14; ARCHITECTURE.md, "Arrangementer").
 *
 * Online, a tap is an htmx POST that swaps the row. Without a connection the tap is kept in the
 * browser (localStorage, one entry per row: the state it should end in, so the last tap wins), the
 * row shows the new state as waiting, and the page says "N afventer forbindelse". When the browser
 * is back online (and on the next load of the page) the kept taps are POSTed in turn; the server
 * records a state once however often it is sent, and each answer replaces its row.
 * Static and without inline code (CSP); texts come translated from the template's data attributes.
 */
(function () {
  "use strict";
  var liste = document.querySelector("[data-fremmoede-koe]");
  var status = document.getElementById("fremmoede-status");
  if (!liste || !status || !window.localStorage) return;
  var KEY = "brobygning.fremmoede." + liste.getAttribute("data-fremmoede-koe");
  var busy = false;

  function load() {
    try {
      return JSON.parse(window.localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }

  function save(queue) {
    if (Object.keys(queue).length) window.localStorage.setItem(KEY, JSON.stringify(queue));
    else window.localStorage.removeItem(KEY);
  }

  function show() {
    var n = Object.keys(load()).length;
    status.textContent = n === 1 ? status.getAttribute("data-en") :
      status.getAttribute("data-flere").replace("__N__", String(n));
    status.hidden = n === 0;
  }

  function markWaiting(form, moedt) {
    var li = form.closest("li");
    var input = form.querySelector('input[name="moedt"]');
    var button = form.querySelector("button");
    var came = moedt === "ja";
    input.value = came ? "fortryd" : "ja";
    button.setAttribute("aria-pressed", came ? "true" : "false");
    button.classList.toggle("btn-success", came);
    button.classList.toggle("btn-outline-dark", !came);
    button.textContent = (came ? "✓ " : "") + li.getAttribute("data-navn") + " (" +
      liste.getAttribute("data-afventer") + ")";
  }

  function keep(form) {
    var moedt = form.querySelector('input[name="moedt"]').value;
    var queue = load();
    queue[form.getAttribute("action")] = {moedt: moedt, row: form.closest("li").id};
    save(queue);
    markWaiting(form, moedt);
    show();
  }

  function token() {
    var input = document.querySelector('input[name="csrfmiddlewaretoken"]');
    return input ? input.value : "";
  }

  function send(url, entry) {
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", token());
    body.append("moedt", entry.moedt);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"HX-Request": "true", "X-CSRFToken": token()}
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      var queue = load();
      if (queue[url] && queue[url].moedt === entry.moedt) delete queue[url];
      save(queue);
      var li = document.getElementById(entry.row);
      if (!li) return;
      var holder = document.createElement("ul");
      holder.innerHTML = html.trim();
      var fresh = holder.firstElementChild;
      if (!fresh) return;
      li.replaceWith(fresh);
      if (window.htmx) window.htmx.process(fresh);
    });
  }

  function replay() {
    if (busy || !navigator.onLine) return;
    var queue = load();
    var urls = Object.keys(queue);
    if (!urls.length) return;
    busy = true;
    var chain = Promise.resolve();
    urls.forEach(function (url) {
      chain = chain.then(function () { return send(url, queue[url]); });
    });
    chain.catch(function () { /* kept: tried again when the connection returns */ }).then(function () {
      busy = false;
      show();
    });
  }

  // Before htmx sees the tap: offline, or while earlier taps of the row still wait, keep it here.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!liste.contains(form)) return;
    if (navigator.onLine && !load()[form.getAttribute("action")]) return;
    event.preventDefault();
    event.stopPropagation();
    keep(form);
    replay();
  }, true);

  // The network failed although the browser thought it was online: keep the tap.
  document.body.addEventListener("htmx:sendError", function (event) {
    var form = event.detail && event.detail.elt && event.detail.elt.closest("form");
    if (form && liste.contains(form)) keep(form);
  });

  window.addEventListener("online", replay);
  window.addEventListener("offline", show);
  window.setInterval(replay, 20000);
  show();
  replay();
}());
