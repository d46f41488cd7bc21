"""Downloads of practice attachments: ``/praktyka/<id>/zalaczniki/<n>``.

Only files the index knows are served: the practice's ``n``-th stored attachment
(0-based, record order), read from where the indexer found it. Nothing of the URL
but the practice id (looked up in the index) and the number ever reaches the file
system. A file is served only while it is the file that was indexed: the same size
and SHA-256. The digest is computed from the very handle that is then sent (so a
file swapped in between is not served) and remembered per file identity (device,
inode, size, modification and change times), so resumed or repeated downloads of a
large file do not hash it every time; the change time cannot be set back, so an
edit always means a new digest. Anything else is a 404 in the one error shape.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from pathlib import PurePosixPath
from typing import IO, Any, TypedDict

from flask import Blueprint, abort, request, send_file, url_for
from werkzeug.exceptions import RequestedRangeNotSatisfiable

from search_app.engine.attachments import stored_files
from search_app.web.access import get_document_or_404

bp = Blueprint("downloads", __name__)

# The MIME type of each kind the indexer reads (``files[n]["kind"]``), and of a few
# other document types by their suffix when the text could not be read. Anything else
# is sent as application/octet-stream: never as HTML, SVG or script.
KIND_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "doc": "application/msword",
    "txt": "text/plain",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "zip": "application/zip",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
DEFAULT_TYPE = "application/octet-stream"
# Digests remembered at most (one per file identity); a few hundred bytes each.
MAX_DIGESTS = 1024
_CHUNK = 1024 * 1024
# Characters a download name may not hold: path separators and control characters.
_UNSAFE_NAME = re.compile(r"[/\\\x00-\x1f\x7f]+")
# Opening never follows a link put where the file was, nor blocks on a FIFO.
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)

NOT_FOUND = "Ta praktyka nie ma takiego załącznika."
UNAVAILABLE = "Plik załącznika „{title}” jest niedostępny — {why}."
NEVER_FOUND = "nie znaleziono go podczas indeksowania"
GONE = "nie ma go już na serwerze"
CHANGED = "zmienił się od czasu indeksowania; będzie dostępny po odświeżeniu indeksu"


class PublicFile(TypedDict):
    """One attachment as the API describes it (``/api/practices/<id>``, key ``files``)."""

    n: int
    title: str
    kind: str | None
    size: int | None
    pages: int | None
    ocr: bool
    sha256: str | None
    text_indexed: bool
    problem: str | None
    url: str | None


def public_files(practice_id: str, files: Sequence[Mapping[str, Any]]) -> list[PublicFile]:
    """The stored attachments without their location, each with its download URL.

    ``url`` is None for a file the indexer did not find (nothing to serve);
    ``text_indexed`` says whether its text is searched.
    """
    out: list[PublicFile] = []
    for n, meta in enumerate(files):
        found = bool(meta.get("location"))
        sha256 = meta.get("sha256")
        out.append(
            PublicFile(
                n=n,
                title=str(meta.get("title") or ""),
                kind=meta.get("kind"),
                size=meta.get("size"),
                pages=meta.get("pages"),
                ocr=bool(meta.get("ocr")),
                sha256=sha256 if found and sha256 and sha256 != "-" else None,
                text_indexed=meta.get("problem") is None and bool(meta.get("chars")),
                problem=meta.get("problem"),
                url=attachment_url(practice_id, n) if found else None,
            )
        )
    return out


def attachment_url(practice_id: str, n: int) -> str:
    return url_for("downloads.attachment", practice_id=practice_id, n=n)


@bp.get("/praktyka/<practice_id>/zalaczniki/<int:n>")
def attachment(practice_id: str, n: int):
    """The ``n``-th attachment of a practice, as a download, if unchanged since indexing."""
    files, _pages = stored_files(get_document_or_404(practice_id))
    if not 0 <= n < len(files):
        abort(404, description=NOT_FOUND)
    meta = files[n]
    title = str(meta.get("title") or "")
    location = meta.get("location")
    if not location:
        abort(404, description=UNAVAILABLE.format(title=title, why=NEVER_FOUND))
    handle, status = _open_indexed(str(location), meta.get("size"), meta.get("sha256"), title)
    response = send_file(
        handle,
        mimetype=media_type(meta),
        as_attachment=True,
        download_name=download_name(meta),
        etag=str(meta["sha256"]),
        last_modified=status.st_mtime,
        conditional=False,
    )
    # send_file knows no size for an open file: given here, Range and HEAD work too.
    response.content_length = status.st_size
    try:  # 206 for a Range, 304 for an unchanged ETag
        response.make_conditional(
            request.environ, accept_ranges=True, complete_length=status.st_size
        )
    except RequestedRangeNotSatisfiable:
        handle.close()
        raise
    if response.mimetype == "text/plain":
        # The file's own encoding (often windows-1250), not Werkzeug's assumed UTF-8.
        response.headers["Content-Type"] = "text/plain"
    return response


def _open_indexed(
    location: str, size: Any, sha256: Any, title: str
) -> tuple[IO[bytes], os.stat_result]:
    """The file at ``location`` opened for sending, if it is still the one indexed; else 404."""
    try:
        handle = os.fdopen(os.open(location, _OPEN_FLAGS), "rb")
    except OSError:
        abort(404, description=UNAVAILABLE.format(title=title, why=GONE))
    try:
        status = os.fstat(handle.fileno())
        unchanged = (
            stat.S_ISREG(status.st_mode)
            and status.st_size == size
            and _digest(handle, status) == sha256
        )
        handle.seek(0)
    except OSError:
        unchanged = False
    if not unchanged:
        handle.close()
        abort(404, description=UNAVAILABLE.format(title=title, why=CHANGED))
    return handle, status


_digests: OrderedDict[tuple[int, ...], str] = OrderedDict()
_digests_lock = threading.Lock()


def _digest(handle: IO[bytes], status: os.stat_result) -> str:
    """The SHA-256 of the open file, remembered for as long as the file is unchanged."""
    key = (
        status.st_dev,
        status.st_ino,
        status.st_size,
        status.st_mtime_ns,
        status.st_ctime_ns,
    )
    with _digests_lock:
        if key in _digests:
            _digests.move_to_end(key)
            return _digests[key]
    digest = hashlib.sha256()
    while chunk := handle.read(_CHUNK):
        digest.update(chunk)
    hexdigest = digest.hexdigest()
    with _digests_lock:
        _digests[key] = hexdigest
        while len(_digests) > MAX_DIGESTS:
            _digests.popitem(last=False)
    return hexdigest


def media_type(meta: Mapping[str, Any]) -> str:
    """The MIME type of an attachment: by the kind the indexer read, else by its suffix."""
    kind = meta.get("kind") or _suffix(str(meta.get("path") or meta.get("title") or ""))
    return KIND_TYPES.get(kind, DEFAULT_TYPE)


def download_name(meta: Mapping[str, Any]) -> str:
    """The file name a browser saves: the title, with the file's suffix if it has none.

    >>> download_name({"title": "Uchwała Rady", "path": "x/uchwala.PDF"})
    'Uchwała Rady.PDF'
    >>> download_name({"title": "a/b\\nc.pdf", "path": "x/a.pdf"})
    'a_b_c.pdf'
    """
    path = PurePosixPath(str(meta.get("path") or "").replace("\\", "/"))
    name = _UNSAFE_NAME.sub("_", str(meta.get("title") or "")).strip() or path.name or "plik"
    if path.suffix and not name.lower().endswith(path.suffix.lower()):
        name += path.suffix
    return name


def _suffix(name: str) -> str:
    return PurePosixPath(name.replace("\\", "/")).suffix.lstrip(".").lower()
