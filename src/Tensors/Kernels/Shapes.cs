namespace Reasoner.Tensors.Kernels;

// Shape letters used in every kernel's comments (llm.c's convention):
//   B batch rows, T time steps, C channels (d_model), H heads, hs = C/H head size, V vocabulary,
//   N = B*T flattened rows, L layers, S cache slots.
// Buffers are flat, row-major float spans; backward kernels ADD into their gradient outputs (the caller zeroes).
