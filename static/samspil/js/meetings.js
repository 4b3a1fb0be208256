// Live minutes: the text is saved as you type (htmx posts it with its version). When the server had to
// merge it with another writer's save, it answers with the merged text in a <template>; the text area
// then shows the merged text, plus anything typed while the save was on its way. No inline scripts.
document.addEventListener("DOMContentLoaded", function () {
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    var area = event.detail.elt;
    if (area && area.classList && area.classList.contains("samspil-minutes-text")) {
      area.setAttribute("data-sent", area.value);
      var version = document.getElementById(area.getAttribute("data-version-input"));
      if (version) { area.setAttribute("data-sent-version", version.value); }
    }
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var merged = event.detail.target.querySelector("template[data-merged-for]");
    if (!merged) { return; }
    var area = document.getElementById(merged.getAttribute("data-merged-for"));
    if (!area) { return; }
    var sent = area.getAttribute("data-sent") || "";
    var current = area.value;
    var text = merged.content ? merged.content.textContent : merged.textContent;
    if (current === sent) {
      area.value = text;
    } else if (current.indexOf(sent) === 0) {
      area.value = text + current.slice(sent.length);
    } else {
      // Edited in the middle while saving: keep the person's text and let the next save merge again
      // against the version it was made from, so nothing is lost.
      var version = document.getElementById(area.getAttribute("data-version-input"));
      if (version) { version.value = area.getAttribute("data-sent-version") || version.value; }
    }
  });
});
