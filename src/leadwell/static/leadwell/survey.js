/* leadwell survey: autosave of the current page and one submit per click.
 *
 * The survey works without this file: every Back/Next posts the page and saves it. With it,
 * the page is also saved a few seconds after each change (and when the tab is hidden), so
 * closing the tab loses nothing. No inline script: the Content-Security-Policy forbids it. */
(function () {
  "use strict";

  var INTERVAL_MS = 4000;

  function setStatus(text, isError) {
    var status = document.getElementById("autosave-status");
    if (!status) return;
    status.textContent = text;
    if (isError) {
      status.setAttribute("role", "alert");
      status.classList.add("error-text");
    } else {
      status.removeAttribute("role");
      status.classList.remove("error-text");
    }
  }

  function clock() {
    var now = new Date();
    return now.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function autosave(form) {
    var url = form.getAttribute("data-autosave-url");
    var dirty = false;
    var busy = false;
    var stopped = false;

    function send() {
      if (!dirty || busy || stopped) return;
      dirty = false;
      busy = true;
      fetch(url, {
        method: "POST",
        body: new FormData(form),
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      }).then(function (response) {
        busy = false;
        if (response.ok) {
          setStatus("All changes saved at " + clock() + ".", false);
          return;
        }
        if (response.status === 410 || response.status === 404) {
          stopped = true;
          setStatus("This survey no longer takes answers here. Reload the page to see why.", true);
          return;
        }
        return response.json().then(function (body) {
          var errors = (body && body.errors) || ["Your last change could not be saved."];
          setStatus(errors.join(" ") + " Use Next to save and see the details.", true);
        });
      }).catch(function () {
        busy = false;
        dirty = true; // try again on the next tick
        setStatus("Not saved yet: no connection. Your answers are kept on this page; we will retry.", true);
      });
    }

    function changed() {
      dirty = true;
    }

    form.addEventListener("change", changed);
    form.addEventListener("input", changed);
    form.addEventListener("submit", function () {
      stopped = true; // the form post itself saves the page
    });
    window.setInterval(send, INTERVAL_MS);
    // Closing or hiding the tab: hand the page to the browser to send even as it goes away.
    function flush() {
      if (dirty && !stopped && navigator.sendBeacon) {
        dirty = !navigator.sendBeacon(url, new FormData(form));
      }
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") flush();
    });
    window.addEventListener("pagehide", flush);
  }

  function submitOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("data-sent")) {
        event.preventDefault();
        return;
      }
      form.setAttribute("data-sent", "1");
      var button = form.querySelector("button[type=submit]");
      if (button) button.setAttribute("aria-disabled", "true");
    });
  }

  function init() {
    var forms = document.querySelectorAll("form[data-autosave-url]");
    for (var i = 0; i < forms.length; i++) autosave(forms[i]);
    var once = document.querySelectorAll("form[data-submit-once]");
    for (var j = 0; j < once.length; j++) submitOnce(once[j]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
