;; run: add(1, 2) == 3
;; run: add(4294967295, 1) == 0
;; run: div_s(7, -2) == -3
;; trap: div_s(1, 0) == integer divide by zero
;; trap: div_s(-2147483648, -1) == integer overflow
;; run: rem_s(-2147483648, -1) == 0
;; run: clz(1) == 31
;; run: rotl(2147483648, 1) == 1
;; run: fmin(-0.0, 0.0) == -0.0
;; run: fnearest(2.5) == 2.0
;; trap: trunc(3e9) == integer overflow
;; trap: trunc(nan) == invalid conversion to integer
;; run: trunc_sat(-1e20) == -2147483648
;; run: u64_to_f64(18446744073709551615) == 18446744073709551616.0
;; run: load_store(65532) == 305419896
;; trap: load_store(65533) == out of bounds memory access
;; trap: recurse(0) == call stack exhausted
;; run: select_max(3, 9) == 9
;; run: multi(5) == 6 4
(module
  (memory 1)
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
  (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
  (func (export "fmin") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "fnearest") (param f64) (result f64) (f64.nearest (local.get 0)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
  (func (export "u64_to_f64") (param i64) (result f64) (f64.convert_i64_u (local.get 0)))
  (func (export "load_store") (param i32) (result i32)
    (i32.store (local.get 0) (i32.const 0x12345678))
    (i32.load (local.get 0)))
  (func $recurse (export "recurse") (param i32) (result i32)
    (i32.add (call $recurse (local.get 0)) (i32.const 1)))
  (func (export "select_max") (param i32 i32) (result i32)
    (select (local.get 0) (local.get 1) (i32.gt_s (local.get 0) (local.get 1))))
  (func (export "multi") (param i32) (result i32 i32)
    (i32.add (local.get 0) (i32.const 1)) (i32.sub (local.get 0) (i32.const 1))))
