"""WSGI entry point for any server: ``gunicorn search_app.wsgi:app``."""

from search_app import create_app

app = create_app()
