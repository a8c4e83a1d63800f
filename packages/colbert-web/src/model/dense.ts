import { ColbertError, ErrorCode } from '../errors.js';
import type { TensorMap } from './safetensors.js';

export type DenseActivation = 'identity' | 'tanh' | 'relu' | 'gelu' | 'sigmoid';

/** One PyLate Dense module: y = activation(x·Wᵀ + b). */
export interface DenseLayer {
  readonly path: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] row-major. */
  readonly weight: Float32Array;
  readonly bias: Float32Array | undefined;
  readonly activation: DenseActivation;
}

const ACTIVATIONS: Record<string, DenseActivation> = {
  'torch.nn.modules.linear.Identity': 'identity',
  'torch.nn.modules.activation.Tanh': 'tanh',
  'torch.nn.modules.activation.ReLU': 'relu',
  'torch.nn.modules.activation.GELU': 'gelu',
  'torch.nn.modules.activation.Sigmoid': 'sigmoid',
};

/** Validates one Dense module's config.json and weights. */
export function readDenseLayer(path: string, config: Record<string, unknown>, tensors: TensorMap): DenseLayer {
  const configFile = `${path}/config.json`;
  const weightsFile = `${path}/model.safetensors`;
  const inFeatures = config['in_features'];
  const outFeatures = config['out_features'];
  if (!Number.isSafeInteger(inFeatures) || !Number.isSafeInteger(outFeatures) || (inFeatures as number) <= 0 || (outFeatures as number) <= 0) {
    throw new ColbertError(ErrorCode.ModelFileCorrupt, `${configFile}: in_features and out_features must be positive integers.`, { subject: configFile });
  }
  const activationName = String(config['activation_function'] ?? 'torch.nn.modules.linear.Identity');
  const activation = ACTIVATIONS[activationName];
  if (!activation) {
    throw new ColbertError(ErrorCode.ModelUnsupported, `${configFile}: activation_function ${activationName} is not supported (supported: ${Object.keys(ACTIVATIONS).join(', ')}).`, { subject: configFile });
  }
  const weight = tensors.get('linear.weight');
  if (!weight) throw new ColbertError(ErrorCode.ModelFileCorrupt, `${weightsFile} has no tensor linear.weight.`, { subject: weightsFile });
  const expected = [outFeatures as number, inFeatures as number];
  if (weight.shape.length !== 2 || weight.shape[0] !== expected[0] || weight.shape[1] !== expected[1]) {
    throw new ColbertError(
      ErrorCode.ModelShapeMismatch,
      `${weightsFile}: linear.weight has shape [${weight.shape.join(', ')}] but ${configFile} says [${expected.join(', ')}] (out_features, in_features).`,
      { subject: weightsFile },
    );
  }
  const hasBias = config['bias'] === true;
  const bias = tensors.get('linear.bias');
  if (hasBias && (!bias || bias.shape.length !== 1 || bias.shape[0] !== outFeatures)) {
    throw new ColbertError(ErrorCode.ModelShapeMismatch, `${configFile} sets bias but ${weightsFile} has no linear.bias of shape [${String(outFeatures)}].`, { subject: weightsFile });
  }
  return { path, inFeatures: inFeatures as number, outFeatures: outFeatures as number, weight: weight.data, bias: hasBias ? bias!.data : undefined, activation };
}

/** Checks that each module's input width is the previous module's output width, starting from the backbone's hidden size. */
export function checkDenseChain(hiddenSize: number, layers: readonly DenseLayer[]): void {
  let width = hiddenSize;
  let from = 'the backbone (hidden_size)';
  for (const layer of layers) {
    if (layer.inFeatures !== width) {
      throw new ColbertError(
        ErrorCode.ModelShapeMismatch,
        `${layer.path}/config.json: in_features is ${layer.inFeatures} but ${from} outputs ${width}; the Dense modules do not chain.`,
        { subject: `${layer.path}/config.json` },
      );
    }
    width = layer.outFeatures;
    from = layer.path;
  }
}
