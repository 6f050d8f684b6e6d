// Hand-written AArch64 code that follows the swasm ABI the way compiled
// code does (docs/abi.md): vmctx in x0, a frame record (x29, x30) linked
// before anything else, the stack-limit check against [x0 + 16], traps as
// `udf` at trap sites, helpers through the table at [x0 + 24]. The runtime
// test (runtime_test.c) registers [swasm_test_code_start, swasm_test_code_end)
// with a trap table naming the sites below.
#include "swasm_abi.h"

    .text
    .p2align 4
    .globl swasm_test_code_start
swasm_test_code_start:

// Array-call trampoline for (i64) -> i64: frame[0] the callee, frame[1] the
// argument and then the result.
    .globl swasm_test_trampoline
swasm_test_trampoline:
    stp x29, x30, [sp, #-32]!
    mov x29, sp
    str x1, [sp, #16]
    ldr x9, [x1]
    ldr x1, [x1, #8]
    blr x9
    .globl swasm_test_return_in_trampoline
swasm_test_return_in_trampoline:
    ldr x1, [sp, #16]
    str x0, [x1, #8]
    ldp x29, x30, [sp], #32
    ret

// The prologue every function has: frame record, then the limit check.
.macro prologue stack_site
    stp x29, x30, [sp, #-16]!
    mov x29, sp
    ldr x16, [x0, #SWASM_VMCTX_STACK_LIMIT]
    cmp sp, x16
    b.lo \stack_site
.endm

// add_one(x) = x + 1, with a scratch spill to show the frame works.
    .globl swasm_test_add_one
swasm_test_add_one:
    prologue 9f
    add x0, x1, #1
    ldp x29, x30, [sp], #16
    ret
9:  udf #0

// outer(x) calls inner(x), which traps at swasm_test_site_unreachable.
    .globl swasm_test_outer
swasm_test_outer:
    prologue 9f
    bl swasm_test_inner
    .globl swasm_test_return_in_outer
swasm_test_return_in_outer:
    ldp x29, x30, [sp], #16
    ret
9:  udf #0

swasm_test_inner:
    prologue 9f
    // What a register allocator may do before trapping: every callee-saved
    // register of the host now holds garbage (they are not restored here,
    // since this function never returns).
    mov x19, #0x1919
    mov x20, #0x2020
    mov x21, #0x2121
    mov x22, #0x2222
    mov x23, #0x2323
    mov x24, #0x2424
    mov x25, #0x2525
    mov x26, #0x2626
    mov x27, #0x2727
    mov x28, #0x2828
    fmov d8, #1.0
    fmov d9, #2.0
    fmov d10, #3.0
    fmov d11, #4.0
    fmov d12, #5.0
    fmov d13, #6.0
    fmov d14, #7.0
    fmov d15, #8.0
    .globl swasm_test_site_unreachable
swasm_test_site_unreachable:
    udf #0
9:  udf #0

// recurse(x) calls itself forever; the limit check must stop it.
    .globl swasm_test_recurse
swasm_test_recurse:
    prologue swasm_test_site_stack
    sub sp, sp, #64
    bl swasm_test_recurse
    add sp, sp, #64
    ldp x29, x30, [sp], #16
    ret
    .globl swasm_test_site_stack
swasm_test_site_stack:
    udf #0

// load(x) = zext(memory[x]) as i32 from vmctx's memory: faults in the
// guard region past the accessible pages.
    .globl swasm_test_load
swasm_test_load:
    prologue 9f
    ldr x9, [x0, #SWASM_VMCTX_MEMORY_BASE]
    .globl swasm_test_site_load
swasm_test_site_load:
    ldr w0, [x9, w1, uxtw]
    ldp x29, x30, [sp], #16
    ret
9:  udf #0

// raise(x) traps with code x through the raiseTrap helper, as compiled
// code does for conditions it checks in a call.
    .globl swasm_test_raise
swasm_test_raise:
    prologue 9f
    ldr x16, [x0, #SWASM_VMCTX_HELPERS]
    ldr x16, [x16, #(SWASM_HELPER_RAISE_TRAP * 8)]
    blr x16
    .globl swasm_test_return_from_raise
swasm_test_return_from_raise:
    ldp x29, x30, [sp], #16
    ret
9:  udf #0

// divide(x) = 100 / x, with the explicit zero check AArch64 needs.
    .globl swasm_test_divide
swasm_test_divide:
    prologue 9f
    cbz x1, swasm_test_site_divide
    mov x9, #100
    udiv x0, x9, x1
    ldp x29, x30, [sp], #16
    ret
    .globl swasm_test_site_divide
swasm_test_site_divide:
    udf #0
9:  udf #0

    .globl swasm_test_code_end
swasm_test_code_end:

// Calls swasm_enter with canary values in every callee-saved register and
// returns the trap code in the low 32 bits and a mask of the registers that
// no longer hold their canary in the high 32 (bit i: x19+i for i < 10,
// d8+(i-10) above). Not compiled code: not registered.
//   uint64_t swasm_test_enter_with_canaries(tramp, vmctx, args, act)
    .globl swasm_test_enter_with_canaries
swasm_test_enter_with_canaries:
    stp x29, x30, [sp, #-160]!
    mov x29, sp
    stp x19, x20, [sp, #16]
    stp x21, x22, [sp, #32]
    stp x23, x24, [sp, #48]
    stp x25, x26, [sp, #64]
    stp x27, x28, [sp, #80]
    stp d8, d9, [sp, #96]
    stp d10, d11, [sp, #112]
    stp d12, d13, [sp, #128]
    stp d14, d15, [sp, #144]
    mov x19, #0xc019
    mov x20, #0xc020
    mov x21, #0xc021
    mov x22, #0xc022
    mov x23, #0xc023
    mov x24, #0xc024
    mov x25, #0xc025
    mov x26, #0xc026
    mov x27, #0xc027
    mov x28, #0xc028
    mov x9, #0xd008
    fmov d8, x9
    mov x9, #0xd009
    fmov d9, x9
    mov x9, #0xd010
    fmov d10, x9
    mov x9, #0xd011
    fmov d11, x9
    mov x9, #0xd012
    fmov d12, x9
    mov x9, #0xd013
    fmov d13, x9
    mov x9, #0xd014
    fmov d14, x9
    mov x9, #0xd015
    fmov d15, x9
    bl swasm_enter
    mov w0, w0
    mov x10, #0                     // mismatch mask
.macro check_x reg, value, bit
    mov x9, #\value
    cmp \reg, x9
    b.eq 1f
    orr x10, x10, #(1 << \bit)
1:
.endm
.macro check_d reg, value, bit
    fmov x11, \reg
    mov x9, #\value
    cmp x11, x9
    b.eq 1f
    orr x10, x10, #(1 << \bit)
1:
.endm
    check_x x19, 0xc019, 0
    check_x x20, 0xc020, 1
    check_x x21, 0xc021, 2
    check_x x22, 0xc022, 3
    check_x x23, 0xc023, 4
    check_x x24, 0xc024, 5
    check_x x25, 0xc025, 6
    check_x x26, 0xc026, 7
    check_x x27, 0xc027, 8
    check_x x28, 0xc028, 9
    check_d d8, 0xd008, 10
    check_d d9, 0xd009, 11
    check_d d10, 0xd010, 12
    check_d d11, 0xd011, 13
    check_d d12, 0xd012, 14
    check_d d13, 0xd013, 15
    check_d d14, 0xd014, 16
    check_d d15, 0xd015, 17
    orr x0, x0, x10, lsl #32
    ldp d14, d15, [sp, #144]
    ldp d12, d13, [sp, #128]
    ldp d10, d11, [sp, #112]
    ldp d8, d9, [sp, #96]
    ldp x27, x28, [sp, #80]
    ldp x25, x26, [sp, #64]
    ldp x23, x24, [sp, #48]
    ldp x21, x22, [sp, #32]
    ldp x19, x20, [sp, #16]
    ldp x29, x30, [sp], #160
    ret

    .section .note.GNU-stack, "", %progbits
