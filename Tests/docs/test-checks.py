#!/usr/bin/env python3
"""Tests of the documentation checks that `make docs` runs: each one passes
on good input and fails on each kind of bad input it exists to catch."""
import json
import pathlib
import subprocess
import sys
import tempfile
import unittest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
CHECK_ARTICLES = ROOT / "samples" / "docs-examples" / "check-articles.py"
CHECK_SYMBOLS = ROOT / "Tests" / "docs" / "check-symbol-comments.py"


def run(*arguments):
    result = subprocess.run([sys.executable, *map(str, arguments)], capture_output=True, text=True)
    return result.returncode, result.stdout


SAMPLE = '''import Swasm

func helloExample() throws {
    let engine = Engine()
    let store = Store(engine: engine)

    precondition(store.data == ())
}
'''


class CheckArticlesTests(unittest.TestCase):
    def check(self, article, samples={"Hello.swift": SAMPLE}):
        with tempfile.TemporaryDirectory() as directory:
            catalog, sample_dir = pathlib.Path(directory, "Swasm.docc"), pathlib.Path(directory, "samples")
            catalog.mkdir()
            sample_dir.mkdir()
            (catalog / "Hello.md").write_text(article)
            for name, text in samples.items():
                (sample_dir / name).write_text(text)
            return run(CHECK_ARTICLES, catalog, sample_dir)

    def test_code_of_the_sample_passes_whatever_its_indentation(self):
        code, output = self.check("# Hello\n\n```swift\nlet engine = Engine()\nlet store = Store(engine: engine)\n```\n")
        self.assertEqual(code, 0, output)

    def test_a_block_spanning_a_blank_line_passes(self):
        code, output = self.check("```swift\nlet store = Store(engine: engine)\n\nprecondition(store.data == ())\n```\n")
        self.assertEqual(code, 0, output)

    def test_a_changed_line_fails(self):
        code, output = self.check("```swift\nlet engine = Engine(config)\n```\n")
        self.assertEqual(code, 1)
        self.assertIn("Hello.md: Swift block 1", output)

    def test_lines_out_of_order_fail(self):
        code, output = self.check("```swift\nlet store = Store(engine: engine)\nlet engine = Engine()\n```\n")
        self.assertEqual(code, 1, output)

    def test_code_from_a_part_file_passes(self):
        code, output = self.check("```swift\nlet part = 1\n```\n", {"Hello.swift": SAMPLE, "HelloPart.swift": "    let part = 1\n"})
        self.assertEqual(code, 0, output)

    def test_an_article_without_its_sample_fails(self):
        code, output = self.check("```swift\nlet engine = Engine()\n```\n", {"Other.swift": SAMPLE})
        self.assertEqual(code, 1)
        self.assertIn("no Hello.swift", output)

    def test_other_languages_are_not_checked(self):
        code, output = self.check("```wat\n(module)\n```\n\n```swift\nlet engine = Engine()\n```\n")
        self.assertEqual(code, 0, output)


SOURCE = '''/// A documented type.
public struct Documented {
    @discardableResult
    public func undocumented() -> Int { 0 }
    /// Documented, with an attribute between.
    @discardableResult
    public func attributed() -> Int { 0 }
    /// A comment above a line of code, not above the declaration.
    let spacer = 0
    public var separated: Int { 0 }
}
'''


def symbol(path, line, name, comment_line=None, uri=None, access="public", module="Swasm"):
    entry = {
        "accessLevel": access,
        "kind": {"identifier": "swift.method", "displayName": "Instance Method"},
        "pathComponents": ["Documented", name],
        "names": {"title": name},
        "location": {"uri": path.as_uri(), "position": {"line": line, "character": 4}},
    }
    if comment_line is not None:
        entry["docComment"] = {
            "uri": uri or path.as_uri(), "module": module,
            "lines": [{"text": "A comment.", "range": {"start": {"line": comment_line, "character": 4},
                                                      "end": {"line": comment_line, "character": 20}}}],
        }
    return entry


class CheckSymbolCommentsTests(unittest.TestCase):
    def check(self, make_symbols):
        with tempfile.TemporaryDirectory() as directory:
            sources = pathlib.Path(directory, "Sources", "Swasm")
            sources.mkdir(parents=True)
            path = (sources / "Documented.swift").resolve()
            path.write_text(SOURCE)
            graphs = pathlib.Path(directory, "graphs")
            graphs.mkdir()
            (graphs / "Swasm.symbols.json").write_text(json.dumps({"symbols": make_symbols(path)}))
            return run(CHECK_SYMBOLS, graphs, sources)

    def test_own_comments_pass(self):
        code, output = self.check(lambda path: [symbol(path, 1, "Documented", 0), symbol(path, 6, "attributed()", 4)])
        self.assertEqual(code, 0, output)
        self.assertIn("all 2 public declarations", output)

    def test_a_declaration_without_a_comment_fails(self):
        code, output = self.check(lambda path: [symbol(path, 3, "undocumented()")])
        self.assertEqual(code, 1)
        self.assertIn("Documented.swift:4: public instance method Documented.undocumented() has no /// comment", output)

    def test_a_comment_lent_by_a_protocol_or_the_standard_library_fails(self):
        code, output = self.check(lambda path: [symbol(path, 3, "undocumented()", 0, module="Swift", uri="file:///elsewhere.swift")])
        self.assertEqual(code, 1, output)

    def test_a_comment_above_other_code_fails(self):
        code, output = self.check(lambda path: [symbol(path, 9, "separated", 7)])
        self.assertEqual(code, 1, output)

    def test_internal_and_synthesized_symbols_are_not_checked(self):
        def symbols(path):
            synthesized = symbol(path, 3, "!=(_:_:)")
            del synthesized["location"]
            return [symbol(path, 3, "undocumented()", access="internal"), synthesized, symbol(path, 1, "Documented", 0)]
        code, output = self.check(symbols)
        self.assertEqual(code, 0, output)

    def test_no_symbol_graphs_fails(self):
        with tempfile.TemporaryDirectory() as directory:
            code, output = run(CHECK_SYMBOLS, directory, directory)
        self.assertEqual(code, 1, output)


if __name__ == "__main__":
    unittest.main()
