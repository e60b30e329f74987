import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allContracts } from './registry.js';

const PROTO = join(import.meta.dirname, '..', '..', '..', 'proto');

/** The comment lines right above `message <name> {` in its .proto file. */
function leadingComment(file: string, message: string): string {
  const lines = readFileSync(join(PROTO, `${file}.proto`), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith(`message ${message} {`));
  if (at < 0) throw new Error(`no message ${message} in proto/${file}.proto`);
  const comment: string[] = [];
  for (let i = at - 1; i >= 0 && lines[i]!.startsWith('//'); i--) comment.unshift(lines[i]!);
  return comment.join('\n');
}

describe('the proto files', () => {
  it('document each message’s NATS subject, stream and CloudEvents type, as the contracts table has them', () => {
    for (const c of allContracts) {
      expect(leadingComment(c.schema.file.name, c.schema.name), c.name).toContain(
        `// Subject: ${c.subjectTemplate} (stream ${c.stream}, CloudEvents type ${c.type}).`,
      );
    }
  });
});
