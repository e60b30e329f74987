import { createRequire, syncBuiltinESMExports } from 'node:module';

import type { TracerProvider } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';

const require = createRequire(import.meta.url);

/**
 * One HttpInstrumentation per process: require-in-the-middle remembers a builtin it has patched,
 * so a second instance would never see `http` load again. Re-starting telemetry re-enables it.
 */
let instrumentation: HttpInstrumentation | undefined;

export function enableHttpInstrumentation(
  tracerProvider: TracerProvider,
  ignoreIncomingPaths: readonly string[],
): () => void {
  const ignored = new Set(ignoreIncomingPaths);
  const config = {
    ignoreIncomingRequestHook: (req: { url?: string }) => ignored.has((req.url ?? '').split('?')[0] ?? ''),
  };
  if (instrumentation) {
    instrumentation.setConfig(config);
    instrumentation.setTracerProvider(tracerProvider);
    instrumentation.enable();
  } else {
    instrumentation = new HttpInstrumentation(config);
    registerInstrumentations({ instrumentations: [instrumentation], tracerProvider });
  }
  // ESM code imports `node:http` without `require`, which the hook never sees: requiring the
  // builtins here patches the shared module objects (Server.prototype.emit covers incoming
  // requests), and syncBuiltinESMExports refreshes the named ESM bindings (`import { request }`).
  require('node:http');
  require('node:https');
  syncBuiltinESMExports();
  const enabled = instrumentation;
  return () => {
    enabled.disable();
    syncBuiltinESMExports();
  };
}
