"""Uploaded files: checked by extension AND by their first bytes (a renamed program is refused),
held in memory until the database accepts the row, and written next to the transaction so that
a rolled-back change leaves no file behind."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field

from flask import send_from_directory

from domain.messages import N_, Refusal

# extension -> (content type, signatures of the first bytes)
FILE_KINDS: dict[str, tuple[str, tuple[bytes, ...]]] = {
    "pdf": ("application/pdf", (b"%PDF",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "odt": ("application/vnd.oasis.opendocument.text", (b"PK\x03\x04",)),
}
DEFAULT_MAX_SIZE = 5 * 1024 * 1024


class UploadRefused(Refusal):
    """A file of another kind, empty or too big."""


@dataclass
class Upload:
    """A checked upload held in memory until the database accepts it."""

    original_name: str
    extension: str
    content_type: str
    data: bytes


def check_upload(storage, max_size: int | None, allowed: tuple[str, ...], refused_kind_message: str) -> Upload | None:
    """None when nothing was chosen; UploadRefused for a file of another kind, empty or too big.
    `refused_kind_message` says, with %(name)s, which kinds are accepted."""
    if storage is None or not getattr(storage, "filename", ""):
        return None
    name = os.path.basename(storage.filename.replace("\\", "/")).strip()[:200] or "file"
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in allowed or extension not in FILE_KINDS:
        raise UploadRefused(refused_kind_message, 400, name=name)
    limit = max_size or DEFAULT_MAX_SIZE
    data = storage.stream.read(limit + 1)
    if len(data) > limit:
        raise UploadRefused(N_("Файл «%(name)s» слишком большой: не больше %(mb)s МБ."), 413,
                            name=name, mb=round(limit / 1024 / 1024, 1))
    if not data:
        raise UploadRefused(N_("Файл «%(name)s» пустой."), 400, name=name)
    content_type, signatures = FILE_KINDS[extension]
    if not any(data.startswith(s) for s in signatures):
        raise UploadRefused(N_("Файл «%(name)s» не принят: его содержимое не похоже на %(ext)s."), 400,
                            name=name, ext=extension.upper())
    return Upload(name, "jpg" if extension == "jpeg" else extension, content_type, data)


@dataclass
class UploadStore:
    """Files of one kind under UPLOAD_FOLDER/<subfolder>, with random stored names. Files written
    for a transaction that is rolled back are removed; files of deleted rows are removed only
    after the commit."""

    folder: str
    subfolder: str
    written: list[str] = field(default_factory=list)
    to_remove: list[str] = field(default_factory=list)

    @property
    def directory(self) -> str:
        return os.path.join(self.folder, self.subfolder)

    def path(self, stored_name: str) -> str:
        return os.path.join(self.directory, stored_name)

    def write(self, upload: Upload) -> str:
        os.makedirs(self.directory, exist_ok=True)
        stored = f"{secrets.token_hex(16)}.{upload.extension}"
        with open(self.path(stored), "xb") as f:
            f.write(upload.data)
        self.written.append(self.path(stored))
        return stored

    def remove_after_commit(self, stored_name: str) -> None:
        self.to_remove.append(self.path(stored_name))

    def rollback(self) -> None:
        _remove_all(self.written)
        self.to_remove.clear()

    def committed(self) -> None:
        _remove_all(self.to_remove)
        self.written.clear()


def send_stored_file(directory: str, stored_name: str, download_name: str, content_type: str):
    """A stored upload as a download: never sniffed as another type, never kept by a browser or
    proxy cache (personal files of a child, 152-ФЗ)."""
    response = send_from_directory(
        directory, stored_name, as_attachment=True, download_name=download_name,
        mimetype=content_type or "application/octet-stream",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _remove_all(paths: list[str]) -> None:
    for path in paths:
        try:
            os.remove(path)
        except OSError:
            pass
    paths.clear()
