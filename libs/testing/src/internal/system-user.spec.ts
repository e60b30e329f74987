import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lookupUser } from './system-user.js';

describe('lookupUser', () => {
  it('reads uid and gid from a passwd file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'muster-passwd-'));
    try {
      const file = join(dir, 'passwd');
      await writeFile(
        file,
        'root:x:0:0:root:/root:/bin/bash\npostgres:x:101:104:PostgreSQL:/var/lib/postgresql:/bin/bash\n',
      );
      expect(await lookupUser('postgres', file)).toEqual({ name: 'postgres', uid: 101, gid: 104 });
      expect(await lookupUser('nobody-here', file)).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
