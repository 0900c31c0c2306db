// Socle's pages work without this file; with it, a form's first wrong field
// takes the focus, parts marked data-refresh update in place, and buttons
// marked data-print print the page (a receipt).
(function () {
  "use strict";
  var invalid = document.querySelector("[aria-invalid=true]");
  if (invalid) invalid.focus();

  // <div data-refresh="/imports/ID/progress" data-every="2">: replaced by the
  // fragment at that URL until the fragment no longer asks to be refreshed.
  function refresh(part) {
    var url = part.getAttribute("data-refresh");
    var every = Number(part.getAttribute("data-every") || 2) * 1000;
    window.setTimeout(function () {
      fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var next = holder.firstElementChild;
          if (!next) return;
          part.replaceWith(next);
          if (next.hasAttribute("data-refresh")) refresh(next);
        })
        .catch(function () { refresh(part); });
    }, every);
  }
  document.querySelectorAll("[data-refresh]").forEach(refresh);
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
