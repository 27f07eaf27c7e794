/* The "Copy the key" button of a new API key's page (shown only where the clipboard works). */
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copy);
    var status = document.querySelector("[data-copied]");
    if (!field || !navigator.clipboard) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = "Copied."; },
        function () { field.select(); status.textContent = "Select the key and copy it."; }
      );
    });
    field.addEventListener("focus", function () { field.select(); });
  });
})();
