;; Epoch deadlines where the code must go on, run two ways:
;;   --epoch-deadline 1000000: nothing advances the epoch here, so every
;;     check passes inline;
;;   --epoch-deadline 0 --epoch-deadline-continues: every check finds the
;;     deadline reached and calls the deadline helper (out of line), which
;;     answers "continue";
;; either way the code computes what it would without checks.
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
  ;; Ten i64 and ten f64 values live through every check of the loop (with
  ;; --epoch-deadline-continues each check calls the deadline helper out of
  ;; line, which must keep them all).
  (func (export "many") (param $n i32) (result i64 f64)
    (local $m i64)
    (local $a0 i64) (local $a1 i64) (local $a2 i64) (local $a3 i64) (local $a4 i64) (local $a5 i64) (local $a6 i64) (local $a7 i64) (local $a8 i64) (local $a9 i64)
    (local $b0 f64) (local $b1 f64) (local $b2 f64) (local $b3 f64) (local $b4 f64) (local $b5 f64) (local $b6 f64) (local $b7 f64) (local $b8 f64) (local $b9 f64)
    (loop $again
      (local.set $m (i64.extend_i32_u (local.get $n)))
      (local.set $a0 (i64.add (local.get $a0) (i64.mul (local.get $m) (i64.const 1))))
      (local.set $a1 (i64.add (local.get $a1) (i64.mul (local.get $m) (i64.const 2))))
      (local.set $a2 (i64.add (local.get $a2) (i64.mul (local.get $m) (i64.const 3))))
      (local.set $a3 (i64.add (local.get $a3) (i64.mul (local.get $m) (i64.const 4))))
      (local.set $a4 (i64.add (local.get $a4) (i64.mul (local.get $m) (i64.const 5))))
      (local.set $a5 (i64.add (local.get $a5) (i64.mul (local.get $m) (i64.const 6))))
      (local.set $a6 (i64.add (local.get $a6) (i64.mul (local.get $m) (i64.const 7))))
      (local.set $a7 (i64.add (local.get $a7) (i64.mul (local.get $m) (i64.const 8))))
      (local.set $a8 (i64.add (local.get $a8) (i64.mul (local.get $m) (i64.const 9))))
      (local.set $a9 (i64.add (local.get $a9) (i64.mul (local.get $m) (i64.const 10))))
      (local.set $b0 (f64.add (local.get $b0) (f64.const 0.5)))
      (local.set $b1 (f64.add (local.get $b1) (f64.const 1.0)))
      (local.set $b2 (f64.add (local.get $b2) (f64.const 1.5)))
      (local.set $b3 (f64.add (local.get $b3) (f64.const 2.0)))
      (local.set $b4 (f64.add (local.get $b4) (f64.const 2.5)))
      (local.set $b5 (f64.add (local.get $b5) (f64.const 3.0)))
      (local.set $b6 (f64.add (local.get $b6) (f64.const 3.5)))
      (local.set $b7 (f64.add (local.get $b7) (f64.const 4.0)))
      (local.set $b8 (f64.add (local.get $b8) (f64.const 4.5)))
      (local.set $b9 (f64.add (local.get $b9) (f64.const 5.0)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (i64.const 0)
    (i64.add (i64.mul (local.get $a0) (i64.const 1)))
    (i64.add (i64.mul (local.get $a1) (i64.const 3)))
    (i64.add (i64.mul (local.get $a2) (i64.const 5)))
    (i64.add (i64.mul (local.get $a3) (i64.const 7)))
    (i64.add (i64.mul (local.get $a4) (i64.const 9)))
    (i64.add (i64.mul (local.get $a5) (i64.const 11)))
    (i64.add (i64.mul (local.get $a6) (i64.const 13)))
    (i64.add (i64.mul (local.get $a7) (i64.const 15)))
    (i64.add (i64.mul (local.get $a8) (i64.const 17)))
    (i64.add (i64.mul (local.get $a9) (i64.const 19)))
    (f64.const 0)
    (f64.add (f64.mul (local.get $b0) (f64.const 1)))
    (f64.add (f64.mul (local.get $b1) (f64.const 2)))
    (f64.add (f64.mul (local.get $b2) (f64.const 3)))
    (f64.add (f64.mul (local.get $b3) (f64.const 4)))
    (f64.add (f64.mul (local.get $b4) (f64.const 5)))
    (f64.add (f64.mul (local.get $b5) (f64.const 6)))
    (f64.add (f64.mul (local.get $b6) (f64.const 7)))
    (f64.add (f64.mul (local.get $b7) (f64.const 8)))
    (f64.add (f64.mul (local.get $b8) (f64.const 9)))
    (f64.add (f64.mul (local.get $b9) (f64.const 10))))
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (i32.add (i32.const 1) (call $down (i32.sub (local.get $n) (i32.const 1)))))
      (else (i32.const 0)))))

(assert_return (invoke "spin" (i32.const 100000)) (i32.const 0))
;; n + (n-1) + ... + 1 = 5000050000 for n = 100000; 0.5 each iteration.
(assert_return (invoke "sums" (i32.const 100000)) (i64.const 5000050000) (f64.const 50000))
(assert_return (invoke "down" (i32.const 1000)) (i32.const 1000))
;; a_k = (k+1)(1000 + 999 + ... + 1) = 500500(k+1), folded with weights
;; 2k+1: 500500 * 715; b_k = 500(k+1), folded with weights k+1: 500 * 385.
(assert_return (invoke "many" (i32.const 1000)) (i64.const 357857500) (f64.const 192500))
