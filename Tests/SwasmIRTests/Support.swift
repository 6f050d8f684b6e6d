// Shared helper: parse IR text, run one pass, print the result.
import SwasmIR

/// Parses `text`, checks that it verifies, runs `pass`, verifies again and
/// prints: a pass must never leave IR that the verifier rejects.
func afterPass(_ text: String, _ pass: (Function) -> Void) throws -> String {
    let function = try Parser.parseFunction(text)
    try Verifier.verify(function)
    pass(function)
    try Verifier.verify(function)
    return Printer.print(function)
}
