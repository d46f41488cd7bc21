"""WSGI entry point for any server: ``gunicorn search_app.web.wsgi:app``."""

from search_app.web import create_app

app = create_app()
