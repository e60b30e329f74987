/** Injection token of the pino Logger provided by ObservabilityModule: `@Inject(LOGGER) logger: Logger`. */
export const LOGGER = Symbol.for('@muster/observability:logger');
