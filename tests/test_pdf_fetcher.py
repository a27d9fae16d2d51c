"""The PDF renderer fetches only the project's own fonts and images (ASVS V12.6.1, xhtml2pdf
#827): no external URL, no file: URL, no path out of the static folder."""

from __future__ import annotations

import os

import pytest

from utils.pdf import PdfError, make_link_callback

STATIC = os.path.join(os.path.dirname(os.path.dirname(__file__)), "static")


@pytest.mark.parametrize(
    "uri",
    [
        "https://example.org/x.css",
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        "/etc/passwd",
        "/static/../app.py",
        "/static/fonts/../../config.py",
    ],
)
def test_resources_outside_the_static_fonts_and_images_are_refused(uri):
    with pytest.raises(PdfError):
        make_link_callback(STATIC)(uri, "")


def test_a_shipped_font_is_allowed():
    font = sorted(f for f in os.listdir(os.path.join(STATIC, "fonts")) if f.endswith(".ttf"))[0]
    path = make_link_callback(STATIC)(f"/static/fonts/{font}", "")
    assert os.path.isfile(path)


def test_the_fonts_embed_whatever_the_working_directory(tmp_path, monkeypatch):
    """xhtml2pdf confines local reads to a folder (the working directory unless told): a server
    or the scheduler started elsewhere must still embed the Cyrillic fonts."""
    from utils.pdf import html_to_pdf

    monkeypatch.chdir(tmp_path)
    html = ('<html><head><style>@font-face { font-family: "DejaVuSans"; src: url("/static/fonts/DejaVuSans.ttf"); }'
            ' body { font-family: "DejaVuSans"; }</style></head><body>Классный журнал</body></html>')
    assert b"DejaVuSans" in html_to_pdf(html, STATIC)


def test_only_the_known_css_gap_is_kept_out_of_the_log(caplog):
    """The warning about border-collapse (known, on every render) stays out of the log; the
    one about a font family the document does not have still reaches it."""
    from utils.pdf import html_to_pdf

    caplog.set_level("WARNING")
    html_to_pdf('<html><head><style>table { border-collapse: collapse; } body { font-family: "Nope"; }</style>'
                '</head><body><table><tr><td>1</td></tr></table></body></html>', STATIC)
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "border-collapse" not in messages and "nope" in messages
