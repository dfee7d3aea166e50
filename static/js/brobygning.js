/* Brobygning's one page script (ARCHITECTURE.md, "Templates and design"). Static, no inline code (CSP).
 *
 * 1. Forms that help: a form with invalid fields gets an error summary at its top, linking to each
 *    field, and the summary takes focus; a closed <details> holding an error opens itself.
 * Confirmations need no script: templates/partials/bekraeft.html is a <details> panel.
 */
(function () {
  "use strict";

  function labelFor(field) {
    if (field.id) {
      var label = document.querySelector('label[for="' + field.id + '"]');
      if (label) return label.textContent.replace(/\*\s*$/, "").trim();
    }
    var group = field.closest("fieldset");
    var legend = group && group.querySelector("legend");
    if (legend) return legend.textContent.trim();
    var wrapper = field.closest(".mb-3, .form-group");
    var any = wrapper && wrapper.querySelector("label, .form-label");
    return any ? any.textContent.replace(/\*\s*$/, "").trim() : field.name;
  }

  function feedbackFor(field) {
    var wrapper = field.closest(".mb-3, .form-group, fieldset, td") || field.parentElement;
    var fb = wrapper && wrapper.querySelector(".invalid-feedback, .invalid-feedback-block");
    return fb ? fb.textContent.trim() : "";
  }

  function errorSummary(form) {
    if (form.querySelector(".fejlresume") || form.hasAttribute("data-intet-fejlresume")) return null;
    var invalid = Array.prototype.slice.call(form.querySelectorAll(".is-invalid"));
    var general = Array.prototype.slice.call(form.querySelectorAll(".alert-danger, .alert-block.alert-danger"));
    if (!invalid.length && !general.length) return null;
    var seen = {};
    var box = document.createElement("div");
    box.className = "fejlresume";
    box.setAttribute("role", "alert");
    box.setAttribute("tabindex", "-1");
    var h = document.createElement("h2");
    h.textContent = document.documentElement.lang === "en" ? "Please correct the following" : "Ret venligst følgende";
    box.appendChild(h);
    var list = document.createElement("ul");
    invalid.forEach(function (field) {
      var key = field.name || field.id;
      if (!key || seen[key]) return;
      seen[key] = true;
      if (!field.id) return;
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = "#" + field.id;
      var msg = feedbackFor(field);
      a.textContent = labelFor(field) + (msg ? ": " + msg : "");
      a.addEventListener("click", function (e) {
        e.preventDefault();
        openDetails(field);
        field.focus();
      });
      li.appendChild(a);
      list.appendChild(li);
    });
    if (!list.children.length && !general.length) return null;
    if (list.children.length) box.appendChild(list);
    else {
      var p = document.createElement("p");
      p.className = "mb-0";
      p.textContent = general[0].textContent.trim();
      box.appendChild(p);
    }
    form.insertBefore(box, form.firstChild);
    return box;
  }

  function openDetails(el) {
    for (var d = el.closest("details"); d; d = d.parentElement && d.parentElement.closest("details")) d.open = true;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var first = null;
    document.querySelectorAll("main form").forEach(function (form) {
      form.querySelectorAll(".is-invalid, .invalid-feedback, .alert-danger").forEach(openDetails);
      var box = errorSummary(form);
      if (box && !first) first = box;
    });
    if (first) first.focus();
  });
})();
