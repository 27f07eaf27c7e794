/* Starts Swagger UI on /api/docs from the settings the page carries as JSON data (no inline
   script, so the Content-Security-Policy can forbid them). */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  window.leadwellSwagger = SwaggerUIBundle(settings);
})();
