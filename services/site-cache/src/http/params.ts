import { isSafeName } from '@muster/chunks';
import { z } from 'zod';

export const sha256Value = z.string().regex(/^[0-9a-f]{64}$/, { error: 'must be a lower-case hex SHA-256' });
export const safeName = z.string().refine(isSafeName, {
  error: 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$ without ..',
});
export const releaseIdValue = z.uuid({ error: 'must be a release id (a UUID)' });
