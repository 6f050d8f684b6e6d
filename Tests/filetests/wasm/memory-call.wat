;; Heap accesses keep base and 32-bit index apart; indirect calls check the
;; table bound, null and signature.
(module
  (type $t (func (param i32) (result i32)))
  (memory 1)
  (table 2 funcref)
  (func $load (param i32) (result i32)
    (i32.load offset=8 (local.get 0)))
  (func (export "dispatch") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 1) (local.get 0))))
