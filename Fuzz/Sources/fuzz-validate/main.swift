// libFuzzer driver for FuzzTargets.validate. SwiftPM gives every executable its
// own main, so this one hands the command line to libFuzzer's driver
// instead of relying on the main inside libFuzzer.
import CLibFuzzer
import Glibc
import SwasmFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzValidate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzTargets.validate(bytes)
    } catch {
        fatalError("\(error)")
    }
    return 0
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzValidate))
