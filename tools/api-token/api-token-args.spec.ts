import { describe, expect, it } from 'vitest';
import { parseApiTokenArgs, UsageError } from './api-token-args.js';

describe('npm run api-token', () => {
  it('parses create, list and revoke', () => {
    expect(parseApiTokenArgs(['create', '--name', 'alice'])).toEqual({ kind: 'create', name: 'alice' });
    expect(parseApiTokenArgs(['create', '--name', 'ci', '--expires-in-days', '30'])).toEqual({
      kind: 'create',
      name: 'ci',
      expiresInDays: 30,
    });
    expect(parseApiTokenArgs(['list'])).toEqual({ kind: 'list' });
    expect(parseApiTokenArgs(['revoke', '0123456789abcdef'])).toEqual({
      kind: 'revoke',
      tokenId: '0123456789abcdef',
    });
  });

  it('refuses what it cannot do, naming it', () => {
    const refused = (argv: string[], message: string) => {
      expect(() => parseApiTokenArgs(argv)).toThrow(UsageError);
      expect(() => parseApiTokenArgs(argv)).toThrow(message);
    };
    refused([], 'no command');
    refused(['mint'], 'unknown command "mint"');
    refused(['create'], 'needs --name');
    refused(['create', '--name'], '--name needs a value');
    refused(['create', '--name', 'has space'], '--name "has space"');
    refused(['create', '--name', 'a', '--expires-in-days', '0'], '--expires-in-days "0"');
    refused(['create', '--name', 'a', '--force'], 'unknown option --force');
    refused(['revoke'], 'needs one TOKEN_ID');
    refused(['revoke', 'mst_abc'], 'is not a token id');
  });
});
