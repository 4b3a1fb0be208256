// Raising a concern: show the emergency guidance as soon as "acute" is chosen (the server shows it too).
(function () {
  "use strict";
  function update() {
    var guidance = document.getElementById("emergency-guidance");
    var acute = document.querySelector('input[name="urgency"][value="acute"]');
    if (guidance && acute) {
      guidance.hidden = !acute.checked;
    }
  }
  document.addEventListener("change", function (event) {
    if (event.target && event.target.name === "urgency") {
      update();
    }
  });
  document.addEventListener("DOMContentLoaded", update);
})();
