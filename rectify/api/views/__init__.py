"""Views of the API (viewsets) and of the token page (HTML)."""
