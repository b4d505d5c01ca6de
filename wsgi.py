"""The WSGI entry point: `gunicorn wsgi:app`."""

from taskboard import create_app

app = create_app()
