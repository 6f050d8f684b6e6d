;; AArch64 division never faults: a zero divisor branches to a trap by cbz,
;; and MIN / -1 is caught by cmn (b == -1) then ccmp (a - 1 overflows only
;; for MIN). A remainder is sdiv then msub, which needs no overflow check.
(module
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem") (param i64 i64) (result i64)
    (i64.rem_s (local.get 0) (local.get 1)))
  (func (export "udiv_const") (param i32) (result i32)
    (i32.div_u (local.get 0) (i32.const 7))))
