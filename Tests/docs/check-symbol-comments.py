#!/usr/bin/env python3
"""Fails when a public declaration of a module has no `///` comment of its own.

Reads the symbol graphs `swift package generate-documentation` extracted
(the module's own and those of its extensions to other modules' types) and
checks every public symbol declared in the module's sources: it needs a
documentation comment written above it. A comment the symbol graph lends it
from elsewhere (the protocol requirement it implements, the standard
library's `description`) does not count, and neither do symbols the
compiler made up (synthesized `!=`, `localizedDescription`).

    check-symbol-comments.py SYMBOL_GRAPH_DIR SOURCE_DIR
"""
import json
import pathlib
import sys
from urllib.parse import unquote, urlparse


def own_comment(symbol, source_lines):
    """Whether the symbol's doc comment is written right above it in its file."""
    comment = symbol.get("docComment")
    location = symbol["location"]
    if not comment or not comment.get("lines") or comment.get("uri") != location["uri"]:
        return False
    if not any(line["text"].strip() for line in comment["lines"]):
        return False
    last = comment["lines"][-1].get("range", {}).get("end", {}).get("line")
    declaration = location["position"]["line"]
    if last is None or last >= declaration:
        return False
    # Only attributes (@discardableResult...) may stand between them.
    between = source_lines[last + 1:declaration]
    return all(line.strip().startswith("@") for line in between)


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[-1].strip())
        return 2
    graph_dir, source_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
    graphs = sorted(graph_dir.glob("*.symbols.json"))
    if not graphs:
        print(f"check-symbol-comments: no symbol graphs in {graph_dir} (run the documentation build first)")
        return 1
    sources = {}
    missing = []
    checked = 0
    for graph in graphs:
        for symbol in json.loads(graph.read_text())["symbols"]:
            location = symbol.get("location")
            if symbol.get("accessLevel") not in ("public", "open") or not location:
                continue
            path = pathlib.Path(unquote(urlparse(location["uri"]).path))
            if source_dir not in path.parents:
                continue
            if path not in sources:
                sources[path] = path.read_text().split("\n")
            checked += 1
            if not own_comment(symbol, sources[path]):
                line = location["position"]["line"] + 1
                name = ".".join(symbol["pathComponents"])
                missing.append(f"{path.relative_to(source_dir.parent.parent)}:{line}: public {symbol['kind']['displayName'].lower()} {name} has no /// comment")
    for entry in sorted(missing):
        print(entry)
    if missing:
        print(f"check-symbol-comments: {len(missing)} of {checked} public declarations have no /// comment")
        return 1
    print(f"check-symbol-comments: all {checked} public declarations in {source_dir.name} have a /// comment")
    return 0


if __name__ == "__main__":
    sys.exit(main())
