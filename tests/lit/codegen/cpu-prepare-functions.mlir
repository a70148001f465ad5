// RUN: fmc-opt %s -fm-cpu-prepare-functions | FileCheck %s
// RUN: fmc-opt %s -fm-cpu-prepare-functions=entries=step | FileCheck %s --check-prefix=ENTRIES
// RUN: not fmc-opt %s -fm-cpu-prepare-functions=entries=helper 2>&1 | FileCheck %s --check-prefix=MISSING

// Public functions are entry points: read-only arguments, a C interface, and
// no fm attributes, which only describe tensors.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%{{.+}}: tensor<4xf32> {bufferization.writable = false}, %{{.+}}: tensor<4xf32> {bufferization.writable = false})
// CHECK-SAME: -> tensor<4xf32> attributes {llvm.emit_c_interface} {
// CHECK-LABEL: func.func @other
// CHECK-SAME: attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func private @helper
// CHECK-NOT: llvm.emit_c_interface

// With entries, the other public functions become private.
// ENTRIES-LABEL: func.func @step
// ENTRIES-SAME: attributes {llvm.emit_c_interface}
// ENTRIES-LABEL: func.func private @other
// ENTRIES-NOT: llvm.emit_c_interface

// MISSING: error: no public function @helper to compile

// No entry point can call into a nested module: it is erased.
// CHECK-NOT: module {
// CHECK-NOT: @unreachable
func.func @step(%w: tensor<4xf32> {fm.name = "w", fm.param},
                %x: tensor<4xf32> {fm.data}) -> (tensor<4xf32> {fm.name = "w", fm.feeds = 0 : i64}) {
  %0 = call @helper(%w, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  return %0 : tensor<4xf32>
}
func.func @other(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}
func.func private @helper(%a: tensor<4xf32>, %b: tensor<4xf32>) -> tensor<4xf32> {
  %0 = fm.add %a, %b : tensor<4xf32>
  return %0 : tensor<4xf32>
}
module {
  func.func @unreachable(%x: tensor<4xf32> {fm.data}) -> tensor<4xf32> {
    return %x : tensor<4xf32>
  }
}
