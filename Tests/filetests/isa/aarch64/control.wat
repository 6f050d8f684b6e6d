;; br_table: a bounds check to the default, then adr/ldrsw/add/br through a
;; table of 32-bit offsets placed after the function. Compares feeding a
;; branch or select become flags (cmp then b.cond or csel); other
;; conditions branch with cbz/cbnz. Bit counts: clz, rbit+clz, cnt+addv.
(module
  (func (export "switch") (param i32) (result i32)
    (block $a (block $b (block $c
      (br_table $a $b $c (local.get 0)))
      (return (i32.const 10)))
      (return (i32.const 20)))
    (i32.const 30))
  (func (export "max") (param i64 i64) (result i64)
    (select (local.get 0) (local.get 1) (i64.gt_s (local.get 0) (local.get 1))))
  (func (export "bits") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_u (i32.add (i32.clz (local.get 0)) (i32.ctz (local.get 0))))
             (i64.popcnt (local.get 1))))
  (func (export "rot") (param i32 i32) (result i32)
    (i32.rotl (local.get 0) (local.get 1))))
