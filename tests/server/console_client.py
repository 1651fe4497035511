"""A person at the console, as HTTP sees them: a cookie jar, the forms' CSRF token."""

from __future__ import annotations

import re
from typing import Any

import httpx

from sync.server.services import accounts
from sync.server.services.accounts import Role
from tests.server.conftest import ServerHandle

PASSWORD = "correct horse battery"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


class Console:
    def __init__(self, server: ServerHandle) -> None:
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=30, follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def login(self, email: str, password: str = PASSWORD) -> httpx.Response:
        return self.http.post(
            "/console/login", data={"email": email, "password": password, "next": ""}
        )

    def csrf(self) -> str:
        page = self.http.get("/console/password")
        assert page.status_code == 200, page.status_code
        found = CSRF.search(page.text)
        assert found is not None
        return found.group(1)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.http.get(path, **kwargs)

    def post(
        self, path: str, data: dict[str, str] | None = None, *, csrf: bool = True
    ) -> httpx.Response:
        body = dict(data or {})
        if csrf:
            body.setdefault("csrf", self.csrf())
        return self.http.post(path, data=body)


def make_account(server: ServerHandle, email: str, role: Role) -> str:
    accounts.create_account(server.app.state.admitone, email, PASSWORD, role)
    return email


def signed_in(server: ServerHandle, role: Role, email: str | None = None) -> Console:
    email = email or f"{role}@example.org"
    make_account(server, email, role)
    console = Console(server)
    response = console.login(email)
    assert response.status_code == 303, response.text
    return console
