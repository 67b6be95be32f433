// Starts the vendored Swagger UI on /api/v1/docs. "Try it out" sends the session's CSRF token,
// as the pages do.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const data = document.body.dataset;
  window.SwaggerUIBundle({
    url: data.openapiUrl,
    dom_id: "#swagger-ui",
    deepLinking: true,
    requestInterceptor: (req) => {
      if (data.csrfToken) req.headers["X-CSRFToken"] = data.csrfToken;
      return req;
    },
  });
});
