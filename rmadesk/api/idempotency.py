"""`Idempotency-Key`: a retried API POST returns the first answer and creates nothing (issue 13).

A client that sent a create and got no answer (a timeout, a dropped connection, a 503) cannot
know whether it was done. Sent again with the same `Idempotency-Key` header by the same user, it
gets the first answer (status and body, plus `Idempotent-Replayed: true`) and nothing is created
twice. The same key with a different request (method, path or body) is refused with 422 naming
the header; keys are kept RMADESK_IDEMPOTENCY_HOURS (24 by default), then pruned.

How it holds under concurrency: the key row is inserted at the start of one transaction that
also runs the request, and stored with the answer at its end. Its unique index makes a twin sent
at the same moment wait until the first commits, then replay its answer; a request that fails
(5xx) rolls back with its key, so the retry runs afresh.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError

from rmadesk.core import clock
from rmadesk.core.idempotency import keep_for
from rmadesk.core.models import ApiToken, IdempotencyKey
from rmadesk.web.failures import is_api, json_error

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as the IETF draft's keys (a UUID is the usual choice), bounded by the column.
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # stated in the OpenAPI document (rmadesk.api.constraints)
_KEY_FORM = re.compile(KEY_PATTERN)
# Answers not kept: a server error (rolled back) and "too many requests" (try again later).
_NOT_KEPT = frozenset({429})


def principal_of(request: HttpRequest) -> int | None:
    """The user id of the request's bearer token, if it names an active user."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    user_id: int | None = (
        ApiToken.objects.filter(
            digest=ApiToken.digest_of(token), revoked_at__isnull=True, user__is_active=True
        )
        .values_list("user_id", flat=True)
        .first()
    )
    return user_id


def fingerprint_of(request: HttpRequest) -> str:
    """SHA-256 of the method, the path with its query and the body (a form's fields and files)."""
    digest = hashlib.sha256(f"{request.method} {request.get_full_path()}\n".encode())
    if request.content_type == "multipart/form-data":
        # The boundary differs between two sends of the same form: hash what it carries.
        for name in sorted(request.POST):
            for value in request.POST.getlist(name):
                digest.update(f"field {name}={value}\n".encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                digest.update(f"file {name} {upload.name} {upload.size}\n".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    """Runs an API POST carrying an Idempotency-Key at most once per user and key."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method != "POST" or not is_api(request):
            return self.get_response(request)
        if not _KEY_FORM.match(key):
            return json_error(
                request, 400, f"{HEADER} must be 1 to 255 visible ASCII characters", HEADER
            )
        user_id = principal_of(request)
        if user_id is None:
            return self.get_response(request)  # the API answers 401 itself
        try:
            fingerprint = fingerprint_of(request)
        except MultiPartParserError as error:  # e.g. a form without its boundary
            return json_error(request, 400, f"the multipart body cannot be read: {error}")
        return self._once(request, user_id, key, fingerprint)

    def _once(self, request: HttpRequest, user_id: int, key: str, fingerprint: str) -> HttpResponse:
        now = clock.now()
        with transaction.atomic():
            IdempotencyKey.objects.filter(
                user_id=user_id, key=key, created_at__lt=now - keep_for()
            ).delete()
            try:
                with transaction.atomic():
                    row = IdempotencyKey.objects.create(
                        user_id=user_id,
                        key=key,
                        fingerprint=fingerprint,
                        method=str(request.method),
                        path=request.path[:500],
                        created_at=now,
                    )
            except IntegrityError:
                # Sent before (or by a twin that has just committed): answer as it was answered.
                first = IdempotencyKey.objects.filter(user_id=user_id, key=key).first()
                return _replay(request, first, key, fingerprint)
            response = self.get_response(request)
            if response.status_code >= 500 or response.streaming:
                transaction.set_rollback(True)  # nothing kept: the retry runs afresh
                return response
            if response.status_code in _NOT_KEPT:
                row.delete()
                return response
            row.status_code = response.status_code
            row.content_type = response.get("Content-Type", "")[:100]
            row.body = response.content
            row.save(update_fields=["status_code", "content_type", "body"])
        return response


def _replay(
    request: HttpRequest, first: IdempotencyKey | None, key: str, fingerprint: str
) -> HttpResponse:
    if first is None or first.status_code is None:
        answer = json_error(
            request, 409, f"a request with this {HEADER} is still being processed", HEADER
        )
        answer["Retry-After"] = "1"
        return answer
    if first.fingerprint != fingerprint:
        return json_error(
            request,
            422,
            f"{HEADER} {key!r} was first sent with another request (method, path or body); "
            "send a new key with a new request",
            HEADER,
        )
    response = HttpResponse(
        bytes(first.body), status=first.status_code, content_type=first.content_type or None
    )
    response[REPLAYED_HEADER] = "true"
    return response
