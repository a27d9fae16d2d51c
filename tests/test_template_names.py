"""Template names show what a template is (issue 11, item 5): an underscore only for an htmx
fragment — a template a view returns as one, or one such a fragment includes or imports (the
grid's cells are built in Python for speed, blueprints/journal/cell_html.py);
layouts are `layout.html`, macros live in `macros/` (or `<area>/macros.html`), and pieces of
full pages only in `<area>/parts/`."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
PYTHON = [ROOT / "app.py", *sorted((ROOT / "blueprints").rglob("*.py")), *sorted((ROOT / "utils").rglob("*.py"))]
NAME = r"[\"']([\w/]+\.html)[\"']"
USES = re.compile(r"{%-?\s*(?:include|from|import|extends)\s+" + NAME + r"(?:\s+if\s+\w+\s+else\s+" + NAME + ")?")


def _is_fragment_name(name: str) -> bool:
    return name.rsplit("/", 1)[-1].startswith("_")


def _templates() -> dict[str, str]:
    return {p.relative_to(TEMPLATES).as_posix(): p.read_text(encoding="utf-8") for p in TEMPLATES.rglob("*.html")}


def _used_by(source: str) -> set[str]:
    return {name for match in USES.finditer(source) for name in match.groups() if name}


def _fragments(templates: dict[str, str]) -> set[str]:
    """What views return by an underscore name, and everything those include or import."""
    rendered = set()
    for path in PYTHON:
        rendered |= {n for n in re.findall(NAME, path.read_text(encoding="utf-8")) if _is_fragment_name(n)}
    assert rendered <= set(templates), f"rendered but missing: {sorted(rendered - set(templates))}"
    found, todo = set(), list(rendered)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(_used_by(templates[name]))
    return found


def test_the_walk_finds_the_grid_and_its_cell():
    fragments = _fragments(_templates())
    assert {"journal/_grid.html", "journal/_cell_response.html", "errors/_message.html"} <= fragments


def test_every_underscore_template_is_an_htmx_fragment():
    templates = _templates()
    fragments = _fragments(templates)
    named = {name for name in templates if _is_fragment_name(name)}
    assert named - fragments == set(), "an underscore for a template no htmx answer returns"
    assert {name for name in fragments if not _is_fragment_name(name)} == set(), "a fragment without an underscore"


def test_layouts_are_no_fragments_and_every_use_names_a_template():
    templates = _templates()
    for name, source in templates.items():
        if _is_fragment_name(name):
            assert not re.search(r"{%-?\s*(?:block|extends)\b", source), f"{name} is a layout or a page"
        missing = _used_by(source) - set(templates)
        assert not missing, f"{name} uses {sorted(missing)}"


def test_pieces_of_pages_live_in_parts():
    """A template no view renders, included by pages only, is a piece of a page: in `parts/`
    (layouts and macro files are extended or imported, named as such)."""
    templates = _templates()
    rendered = set()
    for path in PYTHON:
        rendered |= set(re.findall(NAME, path.read_text(encoding="utf-8")))
    fragments = _fragments(templates)
    included = {name for source in templates.values()
                for name in re.findall(r"{%-?\s*include\s+" + NAME, source)}
    pieces = included - rendered - fragments
    misplaced = {name for name in pieces if "/parts/" not in name}
    assert not misplaced, f"pieces of pages outside parts/: {sorted(misplaced)}"
