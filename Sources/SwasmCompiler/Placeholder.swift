import WasmModel
