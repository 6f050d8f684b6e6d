;; epoch-interruption
;; Epoch checks at the entry and the loop head compare inline and call the
;; deadline helper out of line, saving and restoring the registers in use:
;; the float accumulator and the counter stay in caller-saved registers
;; through the loop, with no spill and no callee-saved register.
(module
  (func (export "sum") (param $n i32) (param $x f64) (result f64)
    (local $acc f64)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $acc (f64.add (local.get $acc) (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc)))
