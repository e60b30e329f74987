import { fromJson, type DescMessage, type MessageShape } from '@bufbuild/protobuf';
import { InvalidMessageError, validate } from '@muster/contracts';
import { InvalidInputError } from '@muster/runtime';
import { z } from 'zod';

/** Any JSON object: the protobuf message is read from it by `protoJsonBody`. */
export const jsonObject = z.record(z.string(), z.unknown());

/**
 * Reads a request body in protobuf JSON form and checks the message's rules; a 400 names each
 * field that breaks one.
 */
export function protoJsonBody<S extends DescMessage>(
  schema: S,
  body: Record<string, unknown>,
): MessageShape<S> {
  let message: MessageShape<S>;
  try {
    message = fromJson(schema, body as never);
  } catch (err) {
    throw InvalidInputError.of(
      'body',
      'body',
      `not a ${schema.typeName} in protobuf JSON: ${(err as Error).message}`,
    );
  }
  try {
    return validate(schema, message);
  } catch (err) {
    if (!(err instanceof InvalidMessageError)) throw err;
    throw new InvalidInputError(
      err.violations.map((v) => {
        const cut = v.indexOf(':');
        return { name: cut > 0 ? v.slice(0, cut) : 'body', in: 'body' as const, reason: v };
      }),
    );
  }
}
