// externref values of any Swift type: the same object comes back out of
// wasm through parameters and results, tables, globals and host functions,
// and stays alive as long as the store that holds it.
import Testing
import Swasm

private let refs = """
    (module
      (import "host" "pass" (func $pass (param externref) (result externref)))
      (table (export "refs") 4 externref)
      (global (export "slot") (mut externref) (ref.null extern))
      (func (export "echo") (param externref) (result externref) (local.get 0))
      (func (export "viaHost") (param externref) (result externref) (call $pass (local.get 0)))
      (func (export "put") (param i32 externref) (table.set (local.get 0) (local.get 1)))
      (func (export "take") (param i32) (result externref) (table.get (local.get 0)))
      (func (export "setSlot") (param externref) (global.set 0 (local.get 0)))
      (func (export "getSlot") (result externref) (global.get 0))
      (func (export "isNull") (param externref) (result i32) (ref.is_null (local.get 0))))
    """

private final class Document {
    let title: String
    init(title: String) { self.title = title }
}

private struct Point: Equatable {
    var x: Int
    var y: Int
}

private let refsModule = Result { try Module(engine: engine, text: refs) }

/// An instance of `refs` whose `host.pass` returns its argument (and counts calls in the store's data).
private func instantiate(_ store: Store<Int>) throws -> Instance {
    let pass = Func.wrap(store) { (caller: Caller<Int>, ref: ExternRef?) -> ExternRef? in
        caller.data += 1
        return ref
    }
    return try Instance(store, module: refsModule.get(), imports: [.func(pass)])
}

@Suite struct ExternRefs {
    @Test func aClassInstanceAndAStructRoundTripThroughParametersAndResults() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try instantiate(store)
        let echo = try instance.typedFunc("echo", ExternRef?.self, ExternRef?.self)
        let document = Document(title: "spec")
        let ref = ExternRef(store, document)
        let back = try #require(try echo(ref))
        #expect(back === ref)
        #expect(back.data(as: Document.self) === document)
        #expect(back.data(as: Point.self) == nil)

        let point = ExternRef(store, Point(x: 3, y: -4))
        #expect(try echo(point)?.data(as: Point.self) == Point(x: 3, y: -4))
        #expect(try echo(nil) == nil)
        let isNull = try instance.typedFunc("isNull", ExternRef?.self, Int32.self)
        #expect(try isNull(nil) == 1)
        #expect(try isNull(ref) == 0)

        // Untyped, through Value.
        let results = try #require(instance.func("echo")).call([.externref(ref)])
        #expect(results.count == 1 && results[0].externRef === ref)
        #expect(try #require(instance.func("echo")).call([.externref(nil)])[0].isNull)
    }

    @Test func hostFunctionsTakeAndReturnExternRefs() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try instantiate(store)
        let viaHost = try instance.typedFunc("viaHost", ExternRef?.self, ExternRef?.self)
        let document = Document(title: "host")
        let ref = ExternRef(store, document)
        #expect(try viaHost(ref) === ref)
        #expect(try viaHost(nil) == nil)
        #expect(store.data == 2)

        // A host function that makes a new value for wasm.
        let makeStore = Store(engine: engine, data: 0)
        let make = Func.wrap(makeStore) { (caller: Caller<Int>, ref: ExternRef?) -> ExternRef? in
            ExternRef(caller.store, "made from \(ref?.data(as: String.self) ?? "nothing")")
        }
        let other = try Instance(makeStore, module: refsModule.get(), imports: [.func(make)])
        let made = try other.typedFunc("viaHost", ExternRef?.self, ExternRef?.self)(ExternRef(makeStore, "x"))
        #expect(made?.data(as: String.self) == "made from x")

        // Defined through a linker, without the caller.
        let linked = Store(engine: engine, data: 0)
        let linker = Linker<Int>(engine: engine)
        try linker.defineFunc(module: "host", name: "pass") { (ref: ExternRef?) -> ExternRef? in ref }
        let viaLinker = try linker.instantiate(linked, refsModule.get()).typedFunc("viaHost", ExternRef?.self, ExternRef?.self)
        let point = ExternRef(linked, Point(x: 9, y: 9))
        #expect(try viaLinker(point) === point)
    }

    @Test func tablesHoldExternRefsForWasmAndTheHost() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try instantiate(store)
        let table = try #require(instance.table(named: "refs"))
        let put = try instance.typedFunc("put", (Int32, ExternRef?).self)
        let take = try instance.typedFunc("take", Int32.self, ExternRef?.self)
        let document = Document(title: "table")
        let ref = ExternRef(store, document)

        // Wasm stores, the host reads.
        try put(1, ref)
        #expect(table.get(1)?.externRef === ref)
        #expect(table.get(0)?.isNull == true && table.get(0)?.externRef == nil)
        // The host stores, wasm reads.
        let point = ExternRef(store, Point(x: 1, y: 2))
        try table.set(2, point)
        #expect(try take(2) === point)
        try table.set(3, .externref(ref))
        #expect(try take(3)?.data(as: Document.self) === document)
        try table.set(3, nil as ExternRef?)
        #expect(try take(3) == nil)
    }

    @Test func globalsHoldExternRefsForWasmAndTheHost() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try instantiate(store)
        let slot = try #require(instance.global(named: "slot"))
        let getSlot = try instance.typedFunc("getSlot", Void.self, ExternRef?.self)
        let setSlot = try instance.typedFunc("setSlot", ExternRef?.self)
        let document = Document(title: "global")
        let ref = ExternRef(store, document)

        try setSlot(ref)
        #expect(slot.get().externRef === ref)
        let point = ExternRef(store, Point(x: 5, y: 6))
        try slot.set(Optional(point))
        #expect(try getSlot() === point)
        try slot.set(.externref(ref))
        #expect(try getSlot()?.data(as: Document.self) === document)

        // A global the host creates, imported nowhere but readable back.
        let own = try Global(store, type: GlobalType(valueType: .externref, isMutable: false), value: .externref(point))
        #expect(own.get().externRef === point)
    }

    @Test func theStoreKeepsAnExternRefAliveUntilItIsFreed() throws {
        weak var document: Document?
        weak var reference: ExternRef?
        do {
            let store = Store(engine: engine, data: 0)
            let instance = try instantiate(store)
            do {
                let made = Document(title: "kept")
                document = made
                let ref = ExternRef(store, made)
                reference = ref
                let put = try instance.typedFunc("put", (Int32, ExternRef?).self)
                try put(0, ref)
            }
            // Only wasm's table holds it now; the store keeps it alive.
            #expect(document != nil)
            let back = try instance.typedFunc("take", Int32.self, ExternRef?.self)(0)
            #expect(back === reference)
            #expect(back?.data(as: Document.self)?.title == "kept")
        }
        // The store is gone, and everything it kept with it.
        #expect(reference == nil)
        #expect(document == nil)
    }

    @Test func anExternRefPassedIntoAnotherStoreIsKeptByThatStoreToo() throws {
        weak var reference: ExternRef?
        let second = Store(engine: engine, data: 0)
        let instance = try instantiate(second)
        do {
            let first = Store(engine: engine, data: 0)
            let ref = ExternRef(first, Point(x: 7, y: 8))
            reference = ref
            try instance.typedFunc("setSlot", ExternRef?.self)(ref)
        }
        // The first store is freed; the second still holds the value.
        #expect(reference != nil)
        let back = try instance.typedFunc("getSlot", Void.self, ExternRef?.self)()
        #expect(back?.data(as: Point.self) == Point(x: 7, y: 8))
    }

    @Test func aRawHandleIsRefusedWhenReadAsAnExternRef() throws {
        let store = Store(engine: engine, data: 0)
        let instance = try instantiate(store)
        // Untyped, any handle passes through wasm unchanged.
        let echo = try #require(instance.func("echo"))
        #expect(try echo.call([.externref(5)]) == [.externref(5)])
        #expect(Value.externref(5).externRef == nil)
        // Typed, it has no Swift value: an error, not a crash.
        let typed = try echo.typed(ExternRef?.self, ExternRef?.self)
        let error = #expect(throws: ExternRefError.self) {
            _ = try instance.typedFunc("take", Int32.self, ExternRef?.self)(0) // null: fine
            try instance.func("put")!.call([.i32(0), .externref(5)])
            _ = try instance.typedFunc("take", Int32.self, ExternRef?.self)(0)
        }
        #expect(error?.handle == 5)
        #expect(try typed(nil) == nil)
    }
}
