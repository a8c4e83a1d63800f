// Kernels of the compressed, pruned index for the CPU (src/cpu/compressed-kernels.ts), compiled by
// scripts/build-wasm.mjs into one module (plain SIMD, private or shared memory). The memory is imported and laid
// out by the TypeScript side; nothing here allocates. Every kernel takes the address of a job block (job.ts).
export { centroidScores, probe } from './centroid-scores';
export { approximateScores, exactScores, residualTable } from './document-scores';
export { assignCentroids } from './assign';
