;; A loop's compare whose flags the branch reuses only while nothing in
;; between changes them: the xor right before the branch does.
;; run: count(0, 10) == 11
;; run: count(5, 3) == 6
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "count") (param $i i32) (param $n i32) (result i32) (local $c i32) (local $acc i32)
    (loop
      (local.set $c (i32.lt_u (local.get $i) (local.get $n)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (local.set $acc (i32.xor (local.get $acc) (local.get $i)))
      (br_if 0 (local.get $c)))
    (local.get $i)))
