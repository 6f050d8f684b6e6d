(module
  (func (export "add") (param i32 i32) (result i32)
    local.get 0
    local.get 1
    i32.add)
  (func $fib (export "fib") (param i64) (result i64)
    (local $a i64) (local $b i64) (local $t i64)
    (local.set $b (i64.const 1))
    (block $done
      (loop $next
        (br_if $done (i64.eqz (local.get 0)))
        (local.set $t (i64.add (local.get $a) (local.get $b)))
        (local.set $a (local.get $b))
        (local.set $b (local.get $t))
        (local.set 0 (i64.sub (local.get 0) (i64.const 1)))
        (br $next)))
    (local.get $a))
  (func (export "divmod") (param i32 i32) (result i32 i32)
    (i32.div_s (local.get 0) (local.get 1))
    (i32.rem_s (local.get 0) (local.get 1)))
  (func (export "hypot") (param f64 f64) (result f64)
    (f64.sqrt (f64.add (f64.mul (local.get 0) (local.get 0)) (f64.mul (local.get 1) (local.get 1)))))
  (func (export "tick"))
  ;; Names that are no Swift identifiers, and a signature with no Swift
  ;; member (reachable through arith.instance.func("keep")).
  (func (export "return") (result i32) (i32.const 7))
  (func (export "forty-two") (result i32) (i32.const 42))
  (func (export "keep") (param externref) (result externref) (local.get 0)))
