"""The REST API (django-ninja, OpenAPI 3) and the organizations' API keys."""
