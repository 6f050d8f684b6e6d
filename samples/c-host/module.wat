;; The module samples/c-host/host.c links: arithmetic, a memory the host
;; writes into, a mutable global, and a function that traps.
(module
  (memory (export "memory") 1 4)
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (func $count (global.set $calls (i32.add (global.get $calls) (i32.const 1))))
  (func (export "add") (param i32 i32) (result i32)
    (call $count)
    (i32.add (local.get 0) (local.get 1)))
  (func (export "fib") (param i32) (result i64) (local i64 i64)
    (call $count)
    (local.set 2 (i64.const 1))
    (block (loop
      (br_if 1 (i32.eqz (local.get 0)))
      (local.set 2 (i64.add (local.get 1) (local.tee 1 (local.get 2))))
      (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
      (br 0)))
    (local.get 1))
  ;; Sum of `n` bytes at `address`.
  (func (export "sum") (param $address i32) (param $n i32) (result i32) (local $total i32)
    (call $count)
    (block (loop
      (br_if 1 (i32.eqz (local.get $n)))
      (local.set $total (i32.add (local.get $total) (i32.load8_u (local.get $address))))
      (local.set $address (i32.add (local.get $address) (i32.const 1)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br 0)))
    (local.get $total))
  (func (export "divide") (param i32 i32) (result i32)
    (i32.div_s (local.get 0) (local.get 1)))
  (func (export "scale") (param f64 f32) (result f64 f32)
    (f64.mul (local.get 0) (f64.const 2))
    (f32.mul (local.get 1) (f32.const 3))))
