import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

import build  # noqa: E402


def test_render_escapes():
    page = build.render("a < b", "x & y")
    assert "<h1>a &lt; b</h1>" in page
    assert "<p>x &amp; y</p>" in page


def test_build_writes_index(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "index.txt").write_text("Home\n\nHi.\n")
    assert build.build(content, tmp_path / "site") == ["index.html"]
    assert "Home" in (tmp_path / "site" / "index.html").read_text()
