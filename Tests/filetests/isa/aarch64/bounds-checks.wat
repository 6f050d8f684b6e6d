;; bounds-checks: explicit
;; Every access compares index + offset + size, formed in 64 bits, with the
;; memory's current length before touching memory; a constant address that
;; ends inside the declared minimum needs no check.
(module
  (memory 1)
  (func $load (param i32) (result i32) (i32.load offset=8 (local.get 0)))
  (func $store8 (param i32 i32) (i32.store8 (local.get 0) (local.get 1)))
  (func $far (param i32) (result i64) (i64.load offset=4294967295 (local.get 0)))
  (func $constant (result f64) (f64.load (i32.const 65528))))
