"""Requests with the headers these tests need (the shared ApiClient sends only the token)."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from rmadesk.core.services import add_user, issue_token


class Caller:
    """One user talking to /api/v1 with a bearer token; headers and files as a test needs."""

    def __init__(self, user: Any) -> None:
        self.user = user
        self.token = issue_token(user=user)
        self.client = Client(raise_request_exception=False)

    def headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def post(self, path: str, body: Any, *, key: str | None = None, **headers: str) -> Any:
        if key is not None:
            headers["Idempotency-Key"] = key
        return self.client.post(
            f"/api/v1{path}",
            json.dumps(body),
            content_type="application/json",
            headers=self.headers(**headers),
        )

    def upload(self, path: str, data: dict[str, Any], *, key: str | None = None) -> Any:
        headers = {"Idempotency-Key": key} if key is not None else {}
        return self.client.post(f"/api/v1{path}", data, headers=self.headers(**headers))

    def get(self, path: str, **headers: str) -> Any:
        return self.client.get(f"/api/v1{path}", headers=self.headers(**headers))


def caller(email: str, role: str, customer_id: int | None = None) -> Caller:
    return Caller(add_user(email=email, role=role, customer_id=customer_id))
