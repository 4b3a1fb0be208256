// Samspil's own behaviour. No inline scripts: the CSP allows only our files.
document.addEventListener("DOMContentLoaded", function () {
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
  var csrf = document.body.getAttribute("data-csrf");
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (csrf) { event.detail.headers["X-CSRFToken"] = csrf; }
  });
  // Wide tables scroll sideways; keyboard users must be able to focus the scrolling region.
  document.querySelectorAll(".table--responsive-scroll").forEach(function (region) {
    if (!region.hasAttribute("tabindex")) { region.setAttribute("tabindex", "0"); }
    if (!region.hasAttribute("role")) { region.setAttribute("role", "region"); }
    if (!region.hasAttribute("aria-label")) {
      var caption = region.querySelector("caption");
      region.setAttribute("aria-label", caption ? caption.textContent.trim() : document.title);
    }
  });
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
});
