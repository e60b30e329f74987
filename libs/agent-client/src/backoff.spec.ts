import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.js';

const policy = { baseMs: 100, capMs: 1_000 };
const always = (r: number) => () => r;

describe('backoffDelay (full jitter)', () => {
  it('draws uniformly below a ceiling that doubles per attempt', () => {
    expect(backoffDelay(0, always(0.5), policy)).toBe(50);
    expect(backoffDelay(1, always(0.5), policy)).toBe(100);
    expect(backoffDelay(2, always(0.5), policy)).toBe(200);
    expect(backoffDelay(3, always(0.999), policy)).toBe(799);
  });

  it('never lets the ceiling pass the cap, however many attempts', () => {
    expect(backoffDelay(4, always(0.5), policy)).toBe(500);
    expect(backoffDelay(60, always(0.999), policy)).toBe(999);
    expect(backoffDelay(10_000, always(0.999), policy)).toBe(999);
  });

  it('can be zero: the whole window is used, not only its upper half', () => {
    expect(backoffDelay(5, always(0), policy)).toBe(0);
  });

  it('puts a gateway-given floor in front of the jitter', () => {
    expect(backoffDelay(0, always(0), policy, 5_000)).toBe(5_000);
    expect(backoffDelay(2, always(0.5), policy, 5_000)).toBe(5_200);
  });

  it('spreads a fleet: 1,000 agents at the same attempt do not pick the same delay', () => {
    let seed = 42;
    const lcg = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(3, lcg, policy));
    expect(new Set(delays).size).toBeGreaterThan(500);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delays)).toBeLessThan(800);
  });

  it('treats a random source outside [0, 1) as 0 rather than waiting past the ceiling', () => {
    expect(backoffDelay(1, always(1), policy)).toBe(0);
    expect(backoffDelay(1, always(Number.NaN), policy)).toBe(0);
    expect(backoffDelay(-3, always(0.5), policy)).toBe(50);
  });
});
