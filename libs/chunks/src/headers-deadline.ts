/**
 * An abort signal for one request that fires if the response headers have not come within
 * `ms`; `arrived()` disarms it, so the body may take as long as it needs (a pack of 8 MiB on a
 * slow site link takes minutes). `AbortSignal.timeout` would also cut the body.
 */
export function headersDeadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; arrived(): void } {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no response headers within ${ms} ms`, 'TimeoutError')),
    ms,
  );
  timer.unref?.();
  return {
    signal: outer ? AbortSignal.any([outer, controller.signal]) : controller.signal,
    arrived: () => clearTimeout(timer),
  };
}
