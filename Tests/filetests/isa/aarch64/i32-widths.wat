;; i32 values from outside compiled code may have a dirty upper half
;; (AAPCS64 leaves it unspecified): parameters are zero-extended by a W move
;; on entry (kept even onto the same register), stack arguments by a W load,
;; and i32 results of calls through a pointer (imports, call_indirect,
;; helpers) by `mov w0, w0`. Direct calls to the module's own functions
;; need nothing.
(module
  (import "host" "f" (func $imported (param i32) (result i32)))
  (type $t (func (param i32) (result i32)))
  (table 1 funcref)
  (memory 1)
  (func $stack (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)
    (i32.add (i32.load (local.get 8)) (local.get 5)))
  (func $same (param i32 i32) (result i32) (local.get 1))
  (func $calls (param i32) (result i32)
    (i32.load (call $imported (local.get 0)))
    (i32.load (call_indirect (type $t) (local.get 0) (i32.const 0)))
    (call $same (i32.const 1) (local.get 0))
    (i32.add)
    (i32.add)))
