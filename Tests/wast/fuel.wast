;; Fuel (docs/fuel-and-epochs.md), run with `swasm-spec run --fuel 1000`:
;; every call from the script starts with 1000 units. Each operator costs 1
;; (`loop`, `block`, `end`, `else`, `nop`, `drop`, `return`, `unreachable`
;; cost 0); the fuel is checked at every function entry and loop head, and a
;; check that finds none left (<= 0) traps. The boundaries below follow from
;; those rules alone, so they are the same on every machine, at every
;; optimization level and in both bounds-check modes.
(module
  ;; 5 units an iteration. Running n iterations passes the loop head with
  ;; 1000 - 5i for i = 1 ... n-1: completes if and only if 1000 > 5(n-1).
  (func (export "spin") (param $n i32) (result i32)
    (loop $again
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $n)

  ;; The same after 4 units (`drop` costs 0): completes if and only if
  ;; 1000 > 4 + 5(n-1). With "spin" 201 trapping, 200 iterations here pin
  ;; the fuel at exactly 1000: 999 or 1001 fail one of the two.
  (func (export "spin_after_4") (param $n i32) (result i32)
    i32.const 0 drop i32.const 0 drop i32.const 0 drop i32.const 0 drop
    (loop $again
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $n)

  ;; 10 units an iteration (call 1, the leaf's constant 1, 3 to add, 5 to
  ;; count). The leaf's entry check of iteration n sees
  ;; 1000 - 10(n-1) - 1: completes if and only if 1000 > 10(n-1) + 1.
  (func $leaf (result i32) i32.const 1)
  (func (export "calls") (param $n i32) (result i32) (local $sum i32)
    (loop $again
      call $leaf
      local.get $sum
      i32.add
      local.set $sum
      local.get $n
      i32.const 1
      i32.sub
      local.tee $n
      br_if $again)
    local.get $sum)

  ;; No loop, only function entries: 6 units a level (local.get, if,
  ;; local.get, i32.const, i32.sub, call); the entry of level n (counting
  ;; from 0) sees 1000 - 6n: n levels down complete if and only if
  ;; 1000 > 6n.
  (func $down (export "down") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (call $down (i32.sub (local.get $n) (i32.const 1))))
      (else (i32.const 0))))

  ;; The same through call_indirect (the table read and the type check are
  ;; not wasm operators of their own: 7 units a level with the index).
  (type $down_type (func (param i32) (result i32)))
  (table funcref (elem $down_indirect))
  (func $down_indirect (export "down_indirect") (param $n i32) (result i32)
    (if (result i32) (local.get $n)
      (then (call_indirect (type $down_type) (i32.sub (local.get $n) (i32.const 1)) (i32.const 0)))
      (else (i32.const 0))))
)

(assert_return (invoke "spin" (i32.const 1)) (i32.const 0))
(assert_return (invoke "spin" (i32.const 200)) (i32.const 0))
(assert_trap (invoke "spin" (i32.const 201)) "all fuel consumed")
(assert_return (invoke "spin_after_4" (i32.const 200)) (i32.const 0))
(assert_trap (invoke "spin_after_4" (i32.const 201)) "all fuel consumed")
(assert_trap (invoke "spin" (i32.const 100000)) "all fuel consumed")
;; Every call starts afresh: the traps above left nothing behind.
(assert_return (invoke "spin" (i32.const 200)) (i32.const 0))

(assert_return (invoke "calls" (i32.const 100)) (i32.const 100))
(assert_trap (invoke "calls" (i32.const 101)) "all fuel consumed")

(assert_return (invoke "down" (i32.const 166)) (i32.const 0))
(assert_trap (invoke "down" (i32.const 167)) "all fuel consumed")

;; 7 units a level: 1000 > 7n.
(assert_return (invoke "down_indirect" (i32.const 142)) (i32.const 0))
(assert_trap (invoke "down_indirect" (i32.const 143)) "all fuel consumed")

;; A start function draws on the fuel of its instantiation: 6 units an
;; iteration, so a count of n completes if and only if 1000 > 6(n-1).
(module
  (global $g (mut i32) (i32.const 167))
  (func $start
    (loop $again
      global.get $g
      i32.const 1
      i32.sub
      global.set $g
      global.get $g
      br_if $again))
  (start $start)
  (func (export "g") (result i32) global.get $g))
(assert_return (invoke "g") (i32.const 0))
(assert_trap
  (module
    (global $g (mut i32) (i32.const 168))
    (func $start
      (loop $again
        global.get $g
        i32.const 1
        i32.sub
        global.set $g
        global.get $g
        br_if $again))
    (start $start))
  "all fuel consumed")
