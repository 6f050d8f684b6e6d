// `swasmc --emit swift` (SwasmPlugin's generator): names of the generated
// struct and its members, which exports get a member, and that the object
// inside the Swift file is the one swasmc compiles. The sample package
// samples/swift-plugin compiles and runs a generated file (`make samples`).
import Foundation
import Testing
import WasmModel
import WasmText
@testable import SwasmCLI

@Suite struct SwiftWrapperTests {
    @Test func typeNamesFromFileNames() {
        #expect(SwiftWrapperEmitter.typeName(forFile: "dir/arith.wat") == "Arith")
        #expect(SwiftWrapperEmitter.typeName(forFile: "my-module.wasm") == "MyModule")
        #expect(SwiftWrapperEmitter.typeName(forFile: "2d_math.wat") == "Wasm2dMath")
        #expect(SwiftWrapperEmitter.typeName(forFile: "---.wat") == "Wasm")
    }

    @Test func memberNamesAreUniqueIdentifiers() {
        var names = MemberNames()
        #expect(names.claim("add") == "add")
        #expect(names.claim("with space") == "with_space")
        #expect(names.claim("with-space") == "with_space_2")
        #expect(names.claim("1st") == "_1st")
        #expect(names.claim("return") == "`return`")
        #expect(names.claim("instance") == "instance_")
        #expect(names.claim("") == "__")
        #expect(names.claim("é") == "___2")
        #expect(names.claim("_") == "___3")
    }

    @Test func membersForNumberSignaturesOnly() throws {
        let wasm = try WasmText.assemble("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "pair") (param f32) (result i64 f64) (i64.const 1) (f64.const 2))
              (func (export "none"))
              (func (export "ref") (param externref))
              (memory (export "memory") 1))
            """)
        let module = try Decoder.decode(wasm)
        let text = SwiftWrapperEmitter.source(for: module, object: [0x7f, 0x45, 0x4c, 0x46, 1, 2, 3],
                                              typeName: "Sample", source: "sample.wat")
        #expect(text.contains("public struct Sample {"))
        #expect(text.contains("public let add: (Int32, Int32) throws -> Int32\n"))
        #expect(text.contains("public let pair: (Float) throws -> (Int64, Double)\n"))
        #expect(text.contains("public let none: () throws -> ()\n"))
        #expect(!text.contains("public let ref"))
        #expect(text.contains("// ref: [externref] -> [] has reference or vector values; use instance.func(\"ref\")."))
        #expect(!text.contains("public let memory"))
        #expect(text.contains("static let objectBase64 = \"f0VMRgECAw==\""))
    }
}

extension SwiftWrapperTests {
    @Test func structNameMustBeAnIdentifier() {
        #expect(SwiftWrapperEmitter.isIdentifier("Arith_2"))
        #expect(!SwiftWrapperEmitter.isIdentifier("2Arith"))
        #expect(!SwiftWrapperEmitter.isIdentifier("My Module"))
        #expect(!SwiftWrapperEmitter.isIdentifier("struct"))
        #expect(!SwiftWrapperEmitter.isIdentifier(""))
        #expect(!SwiftWrapperEmitter.isIdentifier("_"))
    }
}
