// Host -> wasm entry trampoline and trap landing for x86-64 (SysV).
//
// swasm_enter's frame, from its stack pointer after the prologue (saved_sp):
//     0   the activation pointer
//     8   r15, r14, r13, r12, rbx, rbp  (8..48)
//    56   return address
// saved_sp is 16-byte aligned. A trap resumes at swasm_trap_landing with
// rsp = saved_sp (the signal handler or swasm_unwind_to_activation sets it),
// which unlinks the activation and returns its trap code through the same
// epilogue. Nothing is read from registers the trapping code may have
// clobbered except rsp.
#if defined(__x86_64__)
#include "internal.h"

    .text

    .globl swasm_enter
    .type swasm_enter, @function
    .p2align 4
// uint32_t swasm_enter(const void *tramp /*rdi*/, void *vmctx /*rsi*/,
//                      uint64_t *args /*rdx*/, swasm_activation *act /*rcx*/)
swasm_enter:
    .cfi_startproc
    pushq %rbp
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbp, 0
    movq %rsp, %rbp
    pushq %rbx
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %rbx, 0
    pushq %r12
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r12, 0
    pushq %r13
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r13, 0
    pushq %r14
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r14, 0
    pushq %r15
    .cfi_adjust_cfa_offset 8
    .cfi_rel_offset %r15, 0
    pushq %rcx
    .cfi_adjust_cfa_offset 8
    movq %rdi, %r12                 // trampoline
    movq %rsi, %r13                 // vmctx
    movq %rdx, %r14                 // args_and_results
    movq %rcx, %rbx                 // activation
    movq %rsp, SWASM_ACTIVATION_SAVED_SP(%rcx)
    movq %rcx, %rdi
    movq %rsp, %rdx
    call swasm_activation_begin@PLT // (act, vmctx, sp)
    movq %r13, %rdi
    movq %r14, %rsi
    call *%r12                      // tramp(vmctx, args)
    movq %rbx, %rdi
    call swasm_activation_end@PLT
    xorl %eax, %eax
.Lswasm_enter_return:
    addq $8, %rsp
    .cfi_adjust_cfa_offset -8
    popq %r15
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r15
    popq %r14
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r14
    popq %r13
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r13
    popq %r12
    .cfi_adjust_cfa_offset -8
    .cfi_restore %r12
    popq %rbx
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbx
    popq %rbp
    .cfi_adjust_cfa_offset -8
    .cfi_restore %rbp
    ret
    .cfi_endproc
    .size swasm_enter, .-swasm_enter

    .globl swasm_trap_landing
    .hidden swasm_trap_landing
    .type swasm_trap_landing, @function
    .p2align 4
// Reached with rsp = act->saved_sp (by sigreturn or a jump); same CFA rules
// as swasm_enter after its prologue.
swasm_trap_landing:
    .cfi_startproc
    .cfi_def_cfa_offset 64
    .cfi_offset %rbp, -16
    .cfi_offset %rbx, -24
    .cfi_offset %r12, -32
    .cfi_offset %r13, -40
    .cfi_offset %r14, -48
    .cfi_offset %r15, -56
    cld
    movq (%rsp), %rdi
    call swasm_activation_end@PLT
    movq (%rsp), %rdi
    movl SWASM_ACTIVATION_TRAP_CODE(%rdi), %eax
    jmp .Lswasm_enter_return
    .cfi_endproc
    .size swasm_trap_landing, .-swasm_trap_landing

    .globl swasm_unwind_to_activation
    .hidden swasm_unwind_to_activation
    .type swasm_unwind_to_activation, @function
    .p2align 4
// void swasm_unwind_to_activation(swasm_activation *act) -- does not return.
swasm_unwind_to_activation:
    .cfi_startproc
    movq SWASM_ACTIVATION_SAVED_SP(%rdi), %rsp
    jmp swasm_trap_landing
    .cfi_endproc
    .size swasm_unwind_to_activation, .-swasm_unwind_to_activation

    .section .note.GNU-stack, "", @progbits
#endif
