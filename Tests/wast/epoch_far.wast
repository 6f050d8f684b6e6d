;; Epoch deadlines, run with `swasm-spec run --epoch-deadline 1000000`: the
;; epoch never advances during the run, so every check passes and the code
;; computes what it would without them.
(module
  (func (export "spin") (param $n i32) (result i32)
    (loop $again
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $n)
  ;; Values live through a checked loop (floats too, which the check's out
  ;; of line call must keep).
  (func (export "sums") (param $n i32) (result i64 f64)
    (local $i i64) (local $f f64)
    (loop $again
      local.get $i
      local.get $n
      i64.extend_i32_u
      i64.add
      local.set $i
      local.get $f
      f64.const 0.5
      f64.add
      local.set $f
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $i
    local.get $f)
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)))))
      (else (i32.const 0)))))

(assert_return (invoke "spin" (i32.const 100000)) (i32.const 0))
;; n + (n-1) + ... + 1 = 5000050000 for n = 100000; 0.5 each iteration.
(assert_return (invoke "sums" (i32.const 100000)) (i64.const 5000050000) (f64.const 50000))
(assert_return (invoke "down" (i32.const 1000)) (i32.const 1000))
