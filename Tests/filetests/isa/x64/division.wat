;; Signed division traps on zero (the idiv faults) and on MIN / -1 (checked).
(module
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64)
    (i64.rem_s (local.get 0) (local.get 1))))
