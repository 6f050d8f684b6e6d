;; Floats: fmin/fmax are wasm's min/max as they are; nearest is frintn;
;; copysign inserts the sign bit with bfxil; constants come from fmov's
;; 8-bit immediates, the zero register or the pool. The trapping
;; truncations check NaN (fcmp x, x; b.vs) and the range before fcvtzs;
;; the saturating ones are fcvtzs/fcvtzu alone.
(module
  (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
  (func (export "nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
  (func (export "copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
  (func (export "consts") (param f64) (result f64)
    (f64.add (f64.mul (local.get 0) (f64.const 2.5)) (f64.const 0.1)))
  (func (export "lt") (param f32 f32) (result i32) (f32.lt (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
  (func (export "trunc_u64") (param f32) (result i64) (i64.trunc_f32_u (local.get 0)))
  (func (export "trunc_sat") (param f64) (result i64) (i64.trunc_sat_f64_u (local.get 0)))
  (func (export "convert") (param i64) (result f32) (f32.convert_i64_u (local.get 0))))
