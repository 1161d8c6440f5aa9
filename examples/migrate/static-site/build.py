"""build.py: writes the site into site/ from the pages in content/ (plain text, one page each,
the first line its title)."""
import html
import pathlib
import sys

ROOT = pathlib.Path(__file__).parent


def render(title: str, body: str) -> str:
    """The HTML page of one content file."""
    paras = "".join(f"<p>{html.escape(p.strip())}</p>" for p in body.split("\n\n") if p.strip())
    return f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}</title></head>\n<body><h1>{html.escape(title)}</h1>{paras}</body></html>\n"


def build(content: pathlib.Path, out: pathlib.Path) -> list:
    """Renders every content/*.txt to out/NAME.html (index.txt to index.html); returns the pages."""
    out.mkdir(parents=True, exist_ok=True)
    pages = []
    for src in sorted(content.glob("*.txt")):
        title, _, body = src.read_text(encoding="utf-8").partition("\n")
        dest = out / (src.stem + ".html")
        dest.write_text(render(title.strip(), body), encoding="utf-8")
        pages.append(dest.name)
    return pages


if __name__ == "__main__":
    pages = build(ROOT / "content", ROOT / "site")
    print("built", ", ".join(pages))
    sys.exit(0 if "index.html" in pages else 1)
