import { describe, expect, it } from 'vitest';
import { postgresArgs } from './postgres.launcher.js';
import { redisArgs } from './redis.launcher.js';

const pairs = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '-c' ? [a] : []));

describe('postgres command line', () => {
  it('listens on loopback only, on the given port, with Unix sockets off', () => {
    const args = postgresArgs('/d/pgdata', 5999, false);
    expect(args.slice(0, 2)).toEqual(['-D', '/d/pgdata']);
    expect(pairs(args)).toEqual(
      expect.arrayContaining(['listen_addresses=127.0.0.1', 'port=5999', 'unix_socket_directories=']),
    );
  });

  it('turns durability off only for throw-away test clusters', () => {
    expect(pairs(postgresArgs('/d', 1, false))).toEqual(
      expect.arrayContaining(['fsync=off', 'synchronous_commit=off', 'full_page_writes=off']),
    );
    expect(pairs(postgresArgs('/d', 1, true)).some((s) => s.startsWith('fsync='))).toBe(false);
  });

  it('lets extra settings override the defaults', () => {
    expect(pairs(postgresArgs('/d', 1, false, { max_connections: '50' }))).toContain('max_connections=50');
    expect(pairs(postgresArgs('/d', 1, false, { max_connections: '50' }))).not.toContain(
      'max_connections=200',
    );
  });
});

describe('redis command line', () => {
  it('runs in the foreground on loopback', () => {
    const args = redisArgs('/d', 6999, false);
    expect(args.join(' ')).toContain('--bind 127.0.0.1 --port 6999 --daemonize no --dir /d');
  });

  it('persists only in persistent mode', () => {
    expect(redisArgs('/d', 1, false)).toEqual(expect.arrayContaining(['--appendonly', 'no']));
    expect(redisArgs('/d', 1, false)[redisArgs('/d', 1, false).indexOf('--save') + 1]).toBe('');
    expect(redisArgs('/d', 1, true)).toEqual(expect.arrayContaining(['--appendonly', 'yes']));
  });
});
