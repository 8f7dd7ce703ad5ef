"""The OpenAPI description of the JSON API, served at /api/v1/openapi.json."""
