"""Every relative link in README.md and docs/ leads somewhere: the file exists and, where the link names a heading
(``file.md#anchor``), the file has a heading whose GitHub anchor that is. The README's detail lives in docs/ files
that link back to its sections, so a renamed heading or a moved file breaks a reader's path without any other test
noticing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
#: Links that leave the repository on purpose: the shared design notes beside the checkout, not in it (a checkout
#: alone cannot follow them, so they are named here rather than checked).
OUTSIDE = {"../shared/docs/DESIGN.md", "../shared/docs/browser-testing.md"}

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`[^`]*`")
_LINK = re.compile(r"(?<!\!)\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
_IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def documents() -> list[Path]:
    """README.md, ARCHITECTURE.md and every Markdown file under docs/."""
    return [ROOT / "README.md", ROOT / "ARCHITECTURE.md", *sorted((ROOT / "docs").rglob("*.md"))]


def _prose_lines(text: str, spans: bool = False) -> list[str]:
    """The lines outside fenced code blocks (a link or heading in code is not one), code spans blanked unless
    ``spans`` (a heading's code span is part of its anchor)."""
    out, fenced = [], False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            out.append("")
            continue
        out.append("" if fenced else line if spans else _CODE_SPAN.sub("", line))
    return out


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: formatting marks dropped, lower case, every character but letters, digits,
    spaces, hyphens and underscores removed, spaces turned into hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading anchors on its text
    text = text.replace("`", "").replace("*", "").strip().lower()
    text = "".join(c for c in text if c.isalnum() or c in " -_")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading anchor of ``path``, repeated headings numbered as GitHub numbers them (``name-1``, …)."""
    seen: dict[str, int] = {}
    out = set()
    for line in _prose_lines(path.read_text(encoding="utf-8"), spans=True):
        m = _HEADING.match(line)
        if not m:
            continue
        base = slug(m.group(2))
        n = seen.get(base, 0)
        seen[base] = n + 1
        out.add(base if n == 0 else f"{base}-{n}")
    return out


def broken_links(path: Path, root: Path = ROOT) -> list[str]:
    """The relative links of ``path`` that lead nowhere, each as ``line: target (why)``."""
    problems = []
    for number, line in enumerate(_prose_lines(path.read_text(encoding="utf-8")), 1):
        for m in [*_LINK.finditer(line), *_IMAGE.finditer(line)]:
            target = m.group(1)
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):  # http:, mailto: …
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path.resolve()
            if root.resolve() not in dest.parents and dest != root.resolve():
                if file_part not in OUTSIDE:
                    problems.append(f"{number}: {target} (leaves the repository)")
                continue
            if not dest.exists():
                problems.append(f"{number}: {target} (no such file)")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                problems.append(f"{number}: {target} (no heading with that anchor)")
    return problems


@pytest.mark.parametrize("path", documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_leads_to_a_file_and_heading(path: Path) -> None:
    assert broken_links(path) == []


def test_the_docs_are_linked_from_the_readme() -> None:
    """A docs/ file no page links to is one no reader finds: each is linked from the README or another docs file."""
    linked = set()
    for path in documents():
        for line in _prose_lines(path.read_text(encoding="utf-8")):
            for m in _LINK.finditer(line):
                file_part = m.group(1).partition("#")[0]
                if file_part and "://" not in file_part:
                    linked.add((path.parent / file_part).resolve())
    unlinked = [p.relative_to(ROOT) for p in (ROOT / "docs").rglob("*.md") if p.resolve() not in linked]
    assert unlinked == []


def test_the_checker_catches_a_missing_file_a_missing_heading_and_ignores_code(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "b.md").write_text("# Title\n\n## The `synth` package: ε = 1\n\n## Twice\n\n## Twice\n")
    doc = tmp_path / "a.md"
    doc.write_text(
        "# A\n\n"
        "[ok](docs/b.md#the-synth-package-ε--1) [ok twice](docs/b.md#twice-1) [here](#a) [web](https://x.org/#y)\n"
        "[gone](docs/c.md) [no heading](docs/b.md#nothing) [third](docs/b.md#twice-2) [out](../elsewhere.md)\n"
        "`[in code](docs/none.md)`\n\n```\n[in a block](docs/none.md)\n# not a heading\n```\n"
        "[not a block heading](#not-a-heading)\n"
    )
    assert broken_links(doc, root=tmp_path) == [
        "4: docs/c.md (no such file)",
        "4: docs/b.md#nothing (no heading with that anchor)",
        "4: docs/b.md#twice-2 (no heading with that anchor)",
        "4: ../elsewhere.md (leaves the repository)",
        "11: #not-a-heading (no heading with that anchor)",
    ]
