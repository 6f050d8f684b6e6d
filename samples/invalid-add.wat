;; Deliberately invalid: adds an i64 to an i32. `make demo` shows the error.
(module
  (func $mixed (export "mixed") (param i32 i64) (result i32)
    (i32.add (local.get 0) (local.get 1))))
