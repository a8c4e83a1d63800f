import type { Worker } from '@playwright/test';

/**
 * Simulates a GPU device loss inside a worker, the usual way: the next command encoder the worker's device
 * creates (in the middle of its next GPU work) destroys the device. Returns the worker's name.
 */
export function destroyDeviceOnNextCommandEncoder(worker: Worker): Promise<string> {
  return worker.evaluate(() => {
    const proto = GPUDevice.prototype;
    const original = proto.createCommandEncoder;
    proto.createCommandEncoder = function (this: GPUDevice, descriptor?: GPUCommandEncoderDescriptor) {
      proto.createCommandEncoder = original;
      const encoder = original.call(this, descriptor);
      this.destroy();
      return encoder;
    };
    return self.name;
  });
}
