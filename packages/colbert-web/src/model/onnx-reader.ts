/**
 * The one protobuf reader behind the ONNX inspectors (`onnx-signature.ts`, `onnx-topology.ts`): walks a message's
 * top-level fields without a schema, so each inspector picks the fields it needs and skips the weights.
 */

/**
 * The top-level fields of one protobuf message: varints as numbers, length-delimited fields as views (no copy);
 * fixed-width fields are skipped. Throws RangeError on bytes that are not a well-formed message.
 *
 * @example
 * for (const [field, value] of protobufFields(model)) if (field === 7 && value instanceof Uint8Array) graph = value;
 */
export function* protobufFields(bytes: Uint8Array): Generator<[number, number | Uint8Array]> {
  let at = 0;
  const varint = (): number => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const byte = bytes[at++];
      if (byte === undefined) throw new RangeError('truncated protobuf varint');
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) return value;
      scale *= 128;
    }
    throw new RangeError('protobuf varint longer than 10 bytes');
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    if (field === 0) throw new RangeError('protobuf field number 0');
    switch (key & 7) {
      case 0:
        yield [field, varint()];
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = varint();
        if (at + length > bytes.length) throw new RangeError('truncated protobuf field');
        yield [field, bytes.subarray(at, at + length)];
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new RangeError(`unsupported protobuf wire type ${key & 7}`);
    }
  }
  if (at > bytes.length) throw new RangeError('truncated protobuf field');
}
