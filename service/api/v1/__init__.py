"""The REST facade for applications, under /api/v1."""
