"""What the server's services refuse, in words a person can act on, without HTTP.

The services raise these; the HTTP app answers each kind with its status code
(``sync.server.app``) and the console commands print the message.  So a web
console, a script or a test calls a service and gets the same refusal the API
gives, and no service needs to know it is behind HTTP.
"""

from __future__ import annotations


class ServiceError(Exception):
    """A request the server refuses; ``str(error)`` says what to do instead."""


class NotFound(ServiceError):
    """No such venue, event, order, ticket, kiosk or key."""


class Invalid(ServiceError):
    """The request names something impossible (no such venue for an event, a seat
    with a quantity, a gate name too long)."""


class Refused(ServiceError):
    """The request clashes with what is already there: a duplicate, a seat sold, a
    ticket already refunded, the active key retired."""


class Gone(ServiceError):
    """Something that existed and is now void: a revoked ticket's code, a revoked
    kiosk's identity."""


class Forbidden(ServiceError):
    """The caller is known but may not do this (a kiosk asking about another event)."""


class Unauthorized(ServiceError):
    """The caller's credential is missing, unknown or revoked."""


class Throttled(ServiceError):
    """Too many attempts; try again after ``retry_after`` seconds."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
