import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '@muster/config';
import { bootConfig } from './boot.config.js';

const load = (value: string) =>
  loadConfig({ boot: bootConfig() }, { MUSTER_BOOT_PUBLIC_URL: value }).boot.publicUrl;

describe('MUSTER_BOOT_PUBLIC_URL', () => {
  it('takes a plain base URL and drops a trailing slash', () => {
    expect(load('http://10.0.0.5:8085/')).toBe('http://10.0.0.5:8085');
    expect(load('https://boot.example/muster')).toBe('https://boot.example/muster');
  });

  it.each([
    'ftp://boot.example',
    'http://user:pw@boot.example',
    'http://boot.example/?x=1',
    'http://boot.example/#x',
    'http://boot.example/a||shell',
    'http://boot.example/a;b',
    'http://boot.example/${x}',
  ])('refuses %s', (value) => {
    expect(() => load(value)).toThrow(ConfigError);
  });

  it('is required', () => {
    expect(() => loadConfig({ boot: bootConfig() }, {})).toThrow(/MUSTER_BOOT_PUBLIC_URL: required/);
  });
});
