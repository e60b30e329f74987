export const secondsToNanos = (seconds: number): number => Math.round(seconds * 1e9);
export const millisToNanos = (ms: number): number => Math.round(ms * 1e6);
