;; A trap three calls deep: `swasm run samples/backtrace.wat --invoke outer 0`
;; prints the wasm backtrace (README, "Traps and backtraces").
(module
  (type $unary (func (param i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $inner)
  (func $inner (param i32) (result i32)
    (i32.div_u (i32.const 100) (local.get 0)))
  (func $middle (param i32) (result i32)
    (call_indirect (type $unary) (local.get 0) (i32.const 0)))
  (func $outer (export "outer") (param i32) (result i32)
    (i32.add (call $middle (local.get 0)) (i32.const 1))))
