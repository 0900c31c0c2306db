"""The web layer: the pages people use, served by the same app as the API."""
