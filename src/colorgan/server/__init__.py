"""The web app and HTTP API: a thin layer over Colorizer."""
