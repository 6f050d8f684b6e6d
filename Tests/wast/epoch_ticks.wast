;; Epoch deadlines reached during a call, run with
;; `swasm-spec run --epoch-deadline 1`: every call from the script starts
;; with the deadline one tick beyond the epoch, and each call of spectest's
;; `print` advances the epoch one tick. After the tick the next check (a
;; loop head, a function entry) traps; code with no check after it returns.
(module
  (import "spectest" "print" (func $tick))
  (func $leaf (result i32) i32.const 1)

  ;; The entry check passes; the loop head after the tick traps.
  (func (export "tick_then_loop") (param $n i32) (result i32)
    call $tick
    (loop $again
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    local.get $n)

  ;; Every check comes before the tick.
  (func (export "loop_then_tick") (param $n i32) (result i32)
    (loop $again
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    call $tick
    local.get $n)

  ;; The callee's entry check, after the tick, traps.
  (func (export "tick_then_call") (result i32)
    call $tick
    call $leaf)

  ;; The tick in the third iteration: the loop head after it traps, so
  ;; the loop never finishes (it would return 0).
  (func (export "tick_in_loop") (param $n i32) (result i32)
    (loop $again
      (if (i32.eq (local.get $n) (i32.const 7)) (then (call $tick)))
      (br_if $again (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    local.get $n))

(assert_trap (invoke "tick_then_loop" (i32.const 10)) "interrupted")
;; Each call starts with its deadline one tick ahead again.
(assert_return (invoke "loop_then_tick" (i32.const 10)) (i32.const 0))
(assert_trap (invoke "tick_then_call") "interrupted")
(assert_return (invoke "loop_then_tick" (i32.const 3)) (i32.const 0))
(assert_trap (invoke "tick_in_loop" (i32.const 9)) "interrupted")
;; Counting down from 6 never ticks.
(assert_return (invoke "tick_in_loop" (i32.const 6)) (i32.const 0))
