// RUN: fmc-opt %s -pass-pipeline='builtin.module(fm-fp8-activations{group=0})' -verify-diagnostics

// expected-error @+1 {{fm-fp8-activations: group must be positive, got 0}}
module {
}
