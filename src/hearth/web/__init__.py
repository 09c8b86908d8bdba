"""The web interface: FastAPI routes and Jinja2 templates over the actions."""
