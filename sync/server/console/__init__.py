"""The organiser's console: server-rendered pages over the same services as the API.

Served by the server process under ``/console``.  Pages call ``sync.server.services``
(never the database), render Jinja2 templates with autoescaping, and keep their
JavaScript to a few lines of progressive enhancement (the live dashboard's event
stream, the bulk-issue progress).  Every asset ships in the package: a venue's
network may have no internet.
"""
