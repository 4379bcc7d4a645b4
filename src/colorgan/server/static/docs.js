// The API docs page: Swagger UI from the package's own copy, so it works offline.
"use strict";
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
