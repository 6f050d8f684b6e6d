#!/usr/bin/env python3
"""Fails when a DocC article shows Swift code that its example program does
not contain, so that the documentation shows only code `make samples` built
and ran.

Article NAME.md of the Swasm catalog shows code from the example files
NAME.swift and NAME<Part>.swift beside this script (the landing page,
Swasm.md, from Overview.swift). Every ```swift block of an article must be
a run of consecutive lines of one of them, compared after removing the
block's and the run's common indentation.

    check-articles.py [CATALOG_DIR SAMPLES_DIR]
"""
import pathlib
import re
import sys
import textwrap

HERE = pathlib.Path(__file__).resolve().parent
FENCE = re.compile(r"^```swift[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def dedented(lines):
    return textwrap.dedent("\n".join(lines)).split("\n")


def contains(sample_lines, block_lines):
    n = len(block_lines)
    return any(dedented(sample_lines[i:i + n]) == block_lines for i in range(len(sample_lines) - n + 1))


def main():
    if len(sys.argv) == 3:
        catalog, samples_dir = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
    else:
        catalog, samples_dir = HERE.parent.parent / "Sources" / "Swasm" / "Swasm.docc", HERE
    articles = sorted(catalog.glob("*.md"))
    if not articles:
        print(f"check-articles: no articles in {catalog}")
        return 1
    failures = []
    checked = 0
    for article in articles:
        stem = "Overview" if article.stem == "Swasm" else article.stem
        samples = sorted(samples_dir.glob(f"{stem}*.swift"))
        blocks = FENCE.findall(article.read_text())
        if not blocks:
            continue
        if not samples:
            failures.append(f"{article.name}: shows Swift code, but there is no {stem}.swift in {samples_dir}")
            continue
        sample_lines = {path: path.read_text().split("\n") for path in samples}
        for number, block in enumerate(blocks, 1):
            block_lines = dedented(block.rstrip("\n").split("\n"))
            checked += 1
            if not any(contains(lines, block_lines) for lines in sample_lines.values()):
                names = ", ".join(path.name for path in samples)
                first = next((line for line in block_lines if line.strip()), "")
                failures.append(f"{article.name}: Swift block {number} (\"{first.strip()}\"...) is not code of {names}")
    for failure in failures:
        print(f"check-articles: {failure}")
    if failures:
        return 1
    print(f"check-articles: {checked} Swift blocks in {len(articles)} articles are code of the example programs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
