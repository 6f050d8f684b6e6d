// libFuzzer entry: decode, validate and compile (FuzzTargets.compile).
import SwasmFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCompile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzTargets.compile(bytes)
    } catch {
        fatalError("\(error)")
    }
    return 0
}
