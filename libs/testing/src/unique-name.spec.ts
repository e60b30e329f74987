import { describe, expect, it } from 'vitest';
import { uniqueBucketName, uniqueName } from './unique-name.js';

// S3's rules for new buckets (AWS and Ceph): 3–63 of [a-z0-9.-], alphanumeric at both ends.
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
// An unquoted PostgreSQL identifier that needs no case folding; also a JetStream name.
const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

describe('uniqueName', () => {
  it('is prefix_<8 hex>', () => {
    expect(uniqueName('orders')).toMatch(/^orders_[0-9a-f]{8}$/);
  });

  it('is different every time', () => {
    const names = new Set(Array.from({ length: 2_000 }, () => uniqueName('x')));
    expect(names.size).toBe(2_000);
  });

  it('is a valid identifier whatever the prefix', () => {
    for (const prefix of ['Inventory', 'my-stream.v1', '1st', '', 'ü ber*>', 'a'.repeat(200)]) {
      const name = uniqueName(prefix);
      expect(name, prefix).toMatch(PG_IDENTIFIER);
      expect(name.length).toBeLessThanOrEqual(63);
    }
  });

  it('keeps a valid prefix as it is', () => {
    expect(uniqueName('inv_machines').startsWith('inv_machines_')).toBe(true);
  });
});

describe('uniqueBucketName', () => {
  it('is prefix-<8 hex>', () => {
    expect(uniqueBucketName('artifacts')).toMatch(/^artifacts-[0-9a-f]{8}$/);
  });

  it('is a valid S3 bucket name whatever the prefix', () => {
    for (const prefix of ['Artifacts', 'my_bucket', '-x-', '', '..', 'a'.repeat(100), 'Ü__', '9lives']) {
      const name = uniqueBucketName(prefix);
      expect(name, prefix).toMatch(S3_BUCKET);
      expect(name).not.toContain('..');
    }
  });

  it('is different every time', () => {
    const names = new Set(Array.from({ length: 2_000 }, () => uniqueBucketName()));
    expect(names.size).toBe(2_000);
  });
});
