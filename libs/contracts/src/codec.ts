import {
  create,
  fromBinary,
  toBinary,
  type DescMessage,
  type MessageInitShape,
  type MessageShape,
} from '@bufbuild/protobuf';
import { createValidator } from '@bufbuild/protovalidate';

/** A message that does not decode, or breaks a rule written in its schema. */
export class InvalidMessageError extends Error {
  override readonly name = 'InvalidMessageError';
  constructor(
    readonly schemaName: string,
    readonly reason: string,
    readonly violations: readonly string[] = [],
  ) {
    super(`invalid ${schemaName}: ${reason}`);
  }
}

const validator = createValidator();

/** Validates against the protovalidate rules in the schema; throws InvalidMessageError. */
export function validate<S extends DescMessage>(schema: S, message: MessageShape<S>): MessageShape<S> {
  const result = validator.validate(schema, message);
  if (result.kind === 'valid') return message;
  if (result.kind === 'invalid') {
    const violations = result.violations.map((v) => v.toString());
    throw new InvalidMessageError(schema.typeName, violations.join('; '), violations);
  }
  throw new InvalidMessageError(schema.typeName, `validation could not run: ${result.error.message}`);
}

/** Builds and validates a message: a producer never sends what a consumer would reject. */
export function build<S extends DescMessage>(schema: S, init: MessageInitShape<S>): MessageShape<S> {
  return validate(schema, create(schema, init));
}

export function encode<S extends DescMessage>(schema: S, message: MessageShape<S>): Uint8Array {
  return toBinary(schema, validate(schema, message));
}

/** Decodes and validates; every decode goes through the schema's rules. */
export function decode<S extends DescMessage>(schema: S, bytes: Uint8Array): MessageShape<S> {
  let message: MessageShape<S>;
  try {
    message = fromBinary(schema, bytes);
  } catch (err) {
    throw new InvalidMessageError(schema.typeName, `does not decode: ${(err as Error).message}`);
  }
  return validate(schema, message);
}
