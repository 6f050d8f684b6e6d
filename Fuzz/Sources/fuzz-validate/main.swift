// libFuzzer entry: decode and validate (FuzzTargets.validate).
import SwasmFuzzTargets

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidate(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try FuzzTargets.validate(bytes)
    } catch {
        fatalError("\(error)")
    }
    return 0
}
