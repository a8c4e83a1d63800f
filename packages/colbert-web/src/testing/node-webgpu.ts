import { create, globals } from 'webgpu';
import { requestScorerDevice } from '../gpu/request-device.js';

/** Kept for the life of the process: when the `GPU` object is garbage-collected, Dawn tears down the instance under every device it made (and the process aborts in a mutex). */
let gpu: GPU | undefined;

/**
 * A WebGPU device under Node through the npm package `webgpu` (Dawn). Here its adapter is SwiftShader, found
 * through LD_LIBRARY_PATH and VK_ICD_FILENAMES (set in vitest.config.ts). One per test file: an adapter may
 * yield only one device.
 */
export async function nodeScorerDevice(): Promise<GPUDevice> {
  Object.assign(globalThis, globals);
  gpu ??= create([]);
  return requestScorerDevice({ gpu });
}
