// The C API names every trap code the runtime can report, in the same words
// as the Swift side.
import CSwasmCAPI
import SwasmABI
import Testing

@Suite struct CAPITrapNames {
    @Test func everyTrapCodeHasTheSwiftSidesName() {
        var code: UInt32 = 1
        while let trap = TrapCode(rawValue: numericCast(code)) {
            let name = String(cString: swasm_trap_code_name(swasm_trap_code(rawValue: code)))
            #expect(name == trap.description, "trap code \(code)")
            code += 1
        }
        #expect(code > 14)
    }
}
