"""Sending a stored file back to a browser or an API client, the same way from every door.

A file someone attached is theirs, not a page of ours: it is always a download (never shown
inline, so an HTML or SVG file cannot run in our origin), its declared type is not second-guessed
by the browser (`nosniff`), and shared caches keep no copy (`private`).
"""

from __future__ import annotations

from typing import BinaryIO

from django.http import FileResponse

from rmadesk.core.filenames import safe_content_type, safe_filename


def download_response(handle: BinaryIO, *, filename: str, content_type: str) -> FileResponse:
    """Stream an open file as a download: `Content-Disposition: attachment` with a safe name."""
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=safe_filename(filename),
        content_type=safe_content_type(content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
