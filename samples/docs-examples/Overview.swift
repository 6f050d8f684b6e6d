// The Swasm documentation's landing page: the smallest program.
import Swasm

func overviewExample() throws {
    let engine = Engine()
    let module = try Module(engine: engine, text: """
        (module (func (export "add") (param i32 i32) (result i32)
          (i32.add (local.get 0) (local.get 1))))
        """)
    let store = Store(engine: engine)
    let instance = try Instance(store, module: module)
    let add = try instance.typedFunc("add", (Int32, Int32).self, Int32.self)
    let sum = try add(40, 2)
    print(sum)  // 42

    precondition(sum == 42)
}
