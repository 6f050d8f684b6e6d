;; Epoch deadlines (docs/fuel-and-epochs.md), run with
;; `swasm-spec run --epoch-deadline 0`: the deadline is the current epoch,
;; so the first check (a function entry or a loop head) traps.
(module
  (func (export "spin") (param $n i32) (result i32)
    (loop $again
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $n)
  (func (export "leaf") (result i32) i32.const 7)
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (call $down (i32.sub (local.get $n) (i32.const 1))))
      (else (i32.const 0)))))

(assert_trap (invoke "spin" (i32.const 1000000)) "interrupted")
(assert_trap (invoke "leaf") "interrupted")
(assert_trap (invoke "down" (i32.const 10)) "interrupted")
;; The deadline stays passed.
(assert_trap (invoke "leaf") "interrupted")

(assert_trap
  (module
    (func $start)
    (start $start))
  "interrupted")
