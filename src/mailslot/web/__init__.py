"""The web client: a page at `/` over the native API, static files with no build step."""
