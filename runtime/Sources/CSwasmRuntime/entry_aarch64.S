// Host -> wasm entry trampoline and trap landing for AArch64 (AAPCS64).
//
// swasm_enter's frame, from its stack pointer after the prologue (saved_sp):
//     0   the activation pointer (8 bytes of padding after it)
//    16   x29, x30: the frame record (x29 points here)
//    32   x19..x28  (32..112)
//   112   d8..d15   (112..176; AAPCS64 preserves only their low 64 bits)
// saved_sp is 16-byte aligned, as sp always is on AArch64. A trap resumes at
// swasm_trap_landing with sp = saved_sp (the signal handler or
// swasm_unwind_to_activation sets it), which unlinks the activation and
// returns its trap code through the same epilogue. Nothing is read from
// registers the trapping code may have clobbered except sp.
#if defined(__aarch64__)
#include "internal.h"

#define FRAME_SIZE 176

    .text

    .globl swasm_enter
    .type swasm_enter, %function
    .p2align 4
// uint32_t swasm_enter(const void *tramp /*x0*/, void *vmctx /*x1*/,
//                      uint64_t *args /*x2*/, swasm_activation *act /*x3*/)
swasm_enter:
    .cfi_startproc
    sub sp, sp, #FRAME_SIZE
    .cfi_def_cfa_offset FRAME_SIZE
    stp x29, x30, [sp, #16]
    .cfi_offset x29, -160
    .cfi_offset x30, -152
    add x29, sp, #16
    stp x19, x20, [sp, #32]
    .cfi_offset x19, -144
    .cfi_offset x20, -136
    stp x21, x22, [sp, #48]
    .cfi_offset x21, -128
    .cfi_offset x22, -120
    stp x23, x24, [sp, #64]
    .cfi_offset x23, -112
    .cfi_offset x24, -104
    stp x25, x26, [sp, #80]
    .cfi_offset x25, -96
    .cfi_offset x26, -88
    stp x27, x28, [sp, #96]
    .cfi_offset x27, -80
    .cfi_offset x28, -72
    stp d8, d9, [sp, #112]
    .cfi_offset d8, -64
    .cfi_offset d9, -56
    stp d10, d11, [sp, #128]
    .cfi_offset d10, -48
    .cfi_offset d11, -40
    stp d12, d13, [sp, #144]
    .cfi_offset d12, -32
    .cfi_offset d13, -24
    stp d14, d15, [sp, #160]
    .cfi_offset d14, -16
    .cfi_offset d15, -8
    str x3, [sp]
    mov x19, x0                     // trampoline
    mov x20, x1                     // vmctx
    mov x21, x2                     // args_and_results
    mov x22, x3                     // activation
    mov x9, sp
    str x9, [x3, #SWASM_ACTIVATION_SAVED_SP]
    mov x0, x3
    mov x2, x9
    bl swasm_activation_begin       // (act, vmctx, sp)
    mov x0, x20
    mov x1, x21
    blr x19                         // tramp(vmctx, args)
    mov x0, x22
    bl swasm_activation_end
    mov w0, #0
.Lswasm_enter_return:
    ldp d14, d15, [sp, #160]
    ldp d12, d13, [sp, #144]
    ldp d10, d11, [sp, #128]
    ldp d8, d9, [sp, #112]
    ldp x27, x28, [sp, #96]
    ldp x25, x26, [sp, #80]
    ldp x23, x24, [sp, #64]
    ldp x21, x22, [sp, #48]
    ldp x19, x20, [sp, #32]
    ldp x29, x30, [sp, #16]
    add sp, sp, #FRAME_SIZE
    .cfi_def_cfa_offset 0
    ret
    .cfi_endproc
    .size swasm_enter, .-swasm_enter

    .globl swasm_trap_landing
    .hidden swasm_trap_landing
    .type swasm_trap_landing, %function
    .p2align 4
// Reached with sp = act->saved_sp (by sigreturn or a branch); same CFA rules
// as swasm_enter after its prologue. x29 is relinked to this frame's record
// so that anything walking frames from the helpers below finds a valid chain.
swasm_trap_landing:
    .cfi_startproc
    .cfi_def_cfa_offset FRAME_SIZE
    .cfi_offset x29, -160
    .cfi_offset x30, -152
    .cfi_offset x19, -144
    .cfi_offset x20, -136
    .cfi_offset x21, -128
    .cfi_offset x22, -120
    .cfi_offset x23, -112
    .cfi_offset x24, -104
    .cfi_offset x25, -96
    .cfi_offset x26, -88
    .cfi_offset x27, -80
    .cfi_offset x28, -72
    .cfi_offset d8, -64
    .cfi_offset d9, -56
    .cfi_offset d10, -48
    .cfi_offset d11, -40
    .cfi_offset d12, -32
    .cfi_offset d13, -24
    .cfi_offset d14, -16
    .cfi_offset d15, -8
    add x29, sp, #16
    ldr x0, [sp]
    bl swasm_activation_end
    ldr x0, [sp]
    ldr w0, [x0, #SWASM_ACTIVATION_TRAP_CODE]
    b .Lswasm_enter_return
    .cfi_endproc
    .size swasm_trap_landing, .-swasm_trap_landing

    .globl swasm_unwind_to_activation
    .hidden swasm_unwind_to_activation
    .type swasm_unwind_to_activation, %function
    .p2align 4
// void swasm_unwind_to_activation(swasm_activation *act) -- does not return.
swasm_unwind_to_activation:
    .cfi_startproc
    ldr x9, [x0, #SWASM_ACTIVATION_SAVED_SP]
    mov sp, x9
    b swasm_trap_landing
    .cfi_endproc
    .size swasm_unwind_to_activation, .-swasm_unwind_to_activation

    .section .note.GNU-stack, "", %progbits
#endif
