;; Locals meeting at the ends of blocks and ifs, at else, and at loop
;; headers: changed in one arm or both, before and after a branch out, in a
;; nested construct, through br_table, in a loop only on some paths, and in
;; code that ends unreachable.
;; run: arms(0) == 1001
;; run: arms(1) == 2010
;; run: arms(2) == 2012
;; run: early(0) == 999
;; run: early(1) == 2
;; run: early(5) == 105
;; run: table(0) == 20
;; run: table(1) == 31
;; run: table(2) == 12
;; run: table(7) == 47
;; run: loops(0) == 0
;; run: loops(1) == 1000
;; run: loops(10) == 4025
;; run: dead(0) == 7
;; run: dead(1) == 3
;; run: tee(4) == 24
(module
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))

  ;; Each arm changes different locals; the then arm may change one twice.
  (func (export "arms") (param $x i32) (result i32) (local $a i32) (local $b i32)
    (local.set $a (i32.const 10))
    (if (i32.eqz (local.get $x))
      (then (local.set $a (i32.const 1)) (local.set $b (i32.const 1)))
      (else (local.set $b (i32.const 2))
            (if (i32.eq (local.get $x) (i32.const 2)) (then (local.set $a (i32.const 12)) (local.set $a (i32.add (local.get $a) (i32.const 0)))))))
    (i32.add (i32.mul (local.get $b) (i32.const 1000)) (local.get $a)))

  ;; A branch out of a block before and after a local changes.
  (func (export "early") (param $x i32) (result i32) (local $r i32)
    (local.set $r (i32.const 1))
    (block $out
      (br_if $out (i32.eq (local.get $x) (i32.const 1)))
      (local.set $r (i32.const 100))
      (block $inner
        (br_if $out (local.get $x))
        (local.set $r (i32.add (local.get $r) (i32.const 10)))
        (br $inner))
      (local.set $r (i32.const 999)))
    (i32.add (local.get $r) (local.get $x)))

  ;; br_table to three depths, with a local changed between the blocks.
  (func (export "table") (param $x i32) (result i32) (local $r i32)
    (local.set $r (i32.const 40))
    (block $c
      (block $b
        (block $a
          (local.set $r (i32.const 10))
          (br_table $a $b $c $c (local.get $x)))
        (local.set $r (i32.const 20))
        (br $c))
      (local.set $r (i32.const 30)))
    (if (i32.gt_u (local.get $x) (i32.const 2)) (then (local.set $r (i32.const 40))))
    (i32.add (local.get $r) (local.get $x)))

  ;; Nested loops; the outer one changes $acc only on odd counts, the inner
  ;; one leaves through a block with $acc changed or not.
  (func (export "loops") (param $n i32) (result i32) (local $i i32) (local $j i32) (local $acc i32)
    (block $done
      (loop $outer
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.and (local.get $i) (i32.const 1))
          (then (local.set $acc (i32.add (local.get $acc) (local.get $i)))))
        (local.set $j (i32.const 0))
        (block $leave
          (loop $inner
            (br_if $leave (i32.eq (local.get $j) (i32.const 3)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br_if $inner (i32.lt_u (local.get $j) (local.get $i)))
            (local.set $acc (i32.add (local.get $acc) (i32.const 1000)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outer)))
    (i32.add (local.get $acc) (i32.const 0)))

  ;; Arms that end unreachable: the locals they changed must not leak.
  (func (export "dead") (param $x i32) (result i32) (local $r i32)
    (local.set $r (i32.const 3))
    (block $out
      (if (local.get $x)
        (then (local.set $r (i32.const 5)) (br $out))
        (else (local.set $r (i32.const 6)) (br $out)))
      (local.set $r (i32.const 8)))
    (if (i32.eqz (local.get $x))
      (then (local.set $r (i32.const 1)) (return (i32.const 7))))
    (block $skip (loop $l (br $skip) (local.set $r (i32.const 9)) (br $l)))
    (i32.sub (local.get $r) (i32.const 2)))

  (func (export "tee") (param $x i32) (result i32) (local $y i32)
    (if (local.get $x) (then (drop (local.tee $y (i32.mul (local.get $x) (i32.const 5))))))
    (i32.add (local.get $y) (local.get $x))))
