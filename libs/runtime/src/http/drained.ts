import type { ServerResponse } from 'node:http';

/**
 * Resolves when `res` may take more bytes, or once it is closed (the client went away: then
 * `res.destroyed` is true and the caller stops writing). Leaves no listener behind either way.
 */
export function drained(res: ServerResponse): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}
