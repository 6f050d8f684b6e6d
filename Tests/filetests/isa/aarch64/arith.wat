;; Integer selection: a multiply feeding an add is one madd; add/sub and
;; logical immediates are encoded in the instruction (a negative addend as
;; sub); shifts and rotates by a constant are bitfield moves and extr (ror),
;; their amount taken modulo the width. Guard-region accesses index memory
;; as [base, wIndex, uxtw], or add the index first when there is an offset.
(module
  (memory 1)
  (func (export "madd") (param i64 i64 i64) (result i64)
    (i64.add (local.get 2) (i64.mul (local.get 0) (local.get 1))))
  (func (export "imm") (param i32) (result i32)
    (i32.xor (i32.and (i32.add (local.get 0) (i32.const -4)) (i32.const 0xff00)) (i32.const 1)))
  (func (export "shifts") (param i64) (result i64)
    (i64.rotl (i64.shr_s (i64.shl (local.get 0) (i64.const 67)) (i64.const 2)) (i64.const 8)))
  (func (export "copy") (param i32 i32)
    (i64.store offset=16 (local.get 1) (i64.load (local.get 0)))
    (i32.store8 (local.get 1) (i32.const 0))))
