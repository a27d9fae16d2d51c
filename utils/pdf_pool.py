"""Many PDF pages at once: HTML → PDF in a pool of processes, pages merged with pypdf, files
written atomically.

xhtml2pdf is pure Python and holds the GIL, so threads would not help; processes do. The
parent renders the HTML (Jinja, inside the app context: it needs the database and the
translations) and hands each worker only a string, so a worker never touches the database.
Workers are started with "spawn": forking a process that holds database connections or
threads (a web worker running a job in the background) can deadlock the child. Spawned
workers re-import the main module, as multiprocessing always does: a script that runs the
job must keep its work under `if __name__ == "__main__":` (flask, gunicorn and pytest do;
`python -c` has no main file). When a pool
cannot be created (no /dev/shm, a sandbox without fork, a broken pool) the pages are rendered
in this process instead: slower, never lost."""
from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
import os
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from utils.pdf import html_to_pdf

log = logging.getLogger("school.pdf")


def _render_one(html: str, static_folder: str) -> bytes:
    """The worker's task: module level, so it pickles."""
    return html_to_pdf(html, static_folder)


class PdfRenderer:
    """with PdfRenderer(static_folder, workers) as renderer: results = renderer.render(htmls)

    `workers`: None for one per CPU, 0 or 1 to render in this process. `render` returns, in
    the order given, the PDF bytes of each document or the exception that document raised,
    so one failing page never stops the others. `submit` and `result` do the same one
    document at a time, so the caller can read the next one while the pool renders."""

    def __init__(self, static_folder: str, workers: int | None = None):
        self.static_folder = static_folder
        self.workers = (os.cpu_count() or 1) if workers is None else workers
        self._pool: ProcessPoolExecutor | None = None
        self.used_pool = False

    def __enter__(self) -> PdfRenderer:
        if self.workers > 1:
            try:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            except (OSError, NotImplementedError, ImportError, ValueError) as error:
                log.warning("no process pool (%s); rendering PDFs in-process", error)
                self._pool = None
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _in_process(self, html: str) -> bytes | Exception:
        try:
            return html_to_pdf(html, self.static_folder)
        except Exception as error:  # recorded per document by the caller
            return error

    def submit(self, html: str):
        """Start one document; returns a handle for `result`. With a pool the parent goes on
        reading the next student while the workers render; without one it renders now."""
        if self._pool is not None:
            try:
                return (html, self._pool.submit(_render_one, html, self.static_folder))
            except (BrokenProcessPool, RuntimeError, OSError) as error:
                log.warning("process pool unusable (%s); rendering PDFs in-process", error)
                self._drop_pool()
        return (html, self._in_process(html))

    def result(self, handle) -> bytes | Exception:
        html, outcome = handle
        if not isinstance(outcome, Future):
            return outcome
        try:
            pdf = outcome.result()
            self.used_pool = True
            return pdf
        except BrokenProcessPool as error:
            # A worker died (killed, out of memory): this page and the rest in-process.
            log.warning("process pool broke (%s); rendering the rest in-process", error)
            self._drop_pool()
            return self._in_process(html)
        except Exception as error:
            return error

    def render(self, htmls: list[str]) -> list[bytes | Exception]:
        return [self.result(handle) for handle in [self.submit(html) for html in htmls]]

    def _drop_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


def merge_pdfs(documents: list[bytes]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for document in documents:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def write_atomic(path: str, data: bytes) -> None:
    """Write through a temporary file in the same folder and os.replace it into place: a
    reader never sees half a file, and a crash leaves the previous version."""
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".pdf")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise

