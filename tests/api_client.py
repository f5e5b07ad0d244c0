"""A small API client for tests: real HTTP requests through Django's test client, with a token."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from django.test import Client

from rmadesk.core.services import add_user, issue_token


@dataclass
class Response:
    status: int
    body: Any
    content: bytes
    content_type: str
    headers: Any = None


class ApiClient:
    """Talks to /api/v1 as one user (or anonymously when token is None)."""

    def __init__(self, token: str | None, user: Any = None) -> None:
        self.token = token
        self.user = user
        self._client = Client()

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _wrap(self, response: Any) -> Response:
        content_type = response.headers.get("Content-Type", "")
        # A download (an attachment) is streamed: read it whole.
        content = response.getvalue() if response.streaming else response.content
        body = json.loads(content) if "json" in content_type and content else None
        return Response(response.status_code, body, content, content_type, response.headers)

    def get(self, path: str, **params: Any) -> Response:
        return self._wrap(self._client.get(f"/api/v1{path}", params, headers=self._headers()))

    def post(self, path: str, body: Any = None, *, raw: str | None = None) -> Response:
        data = raw if raw is not None else json.dumps(body if body is not None else {})
        return self._wrap(
            self._client.post(
                f"/api/v1{path}", data, content_type="application/json", headers=self._headers()
            )
        )

    def patch(self, path: str, body: Any = None) -> Response:
        return self._wrap(
            self._client.patch(
                f"/api/v1{path}",
                json.dumps(body if body is not None else {}),
                content_type="application/json",
                headers=self._headers(),
            )
        )

    def upload(self, path: str, files: list[Any], **fields: Any) -> Response:
        """A multipart/form-data POST: each of `files` as a `file` part, `fields` as form fields."""
        data = {"file": files, **{k: v for k, v in fields.items() if v is not None}}
        return self._wrap(self._client.post(f"/api/v1{path}", data, headers=self._headers()))


def client_for(email: str, role: str, customer_id: int | None = None) -> ApiClient:
    user = add_user(email=email, role=role, customer_id=customer_id)
    return ApiClient(issue_token(user=user), user)
