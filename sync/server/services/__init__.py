"""What the server does, as plain functions over its state: no HTTP anywhere.

The API's routes, the server's console commands and (next) the organiser's web
console call these, so a rule lives in one place.  Each function takes the
process's :class:`~sync.server.state.ServerState`, opens its own transaction, and
refuses with a :class:`~sync.server.errors.ServiceError` whose message says what
to do; the app maps those to status codes, the console prints them.

- ``catalog``: venues, sections and seats; events and ticket types; availability.
- ``orders``: issue orders and tickets, look them up, QR images, transfer, refund.
- ``keys``: the issuing keys (list, rotate, retire).
- ``devices``: kiosk enrolment, kiosks' health, revocation, manifest pages.
- ``admissions``: online checks (the server's check provider), scan and audit pushes.
- ``reports``: attendance, conflicts, the supervisors' audit log.
"""
