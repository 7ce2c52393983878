// Starts Swagger UI on the document named by the page (no inline script, so a strict
// Content-Security-Policy holds); validatorUrl: null keeps the page from calling
// swagger.io's validator, as nothing here may load from another host.
window.addEventListener("load", function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
