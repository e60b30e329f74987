import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { OWN_AUTHENTICATION } from './own-authentication.decorator.js';
import { PROBE_PATHS } from './probe-paths.js';

/** Where a declared input comes from, and the schema (zod) it is validated with. */
export interface RouteInput {
  readonly in: 'query' | 'path' | 'body';
  readonly schema: unknown;
}

/** One route as its controller declares it (Nest metadata), before any application runs. */
export interface RouteDescription {
  readonly method: string;
  /** Express form, as `routesOf` lists it: `/v1/machines/:id`. */
  readonly path: string;
  /** How the route authenticates its callers when it takes no operator token. */
  readonly own?: string;
  /** The status of a success (`@HttpCode`, else 201 for POST, 200 otherwise). */
  readonly status: number;
  readonly controller: string;
  readonly handler: string;
  readonly inputs: readonly RouteInput[];
}

// Nest's metadata keys (@nestjs/common constants), read here without an application.
const PATH = 'path';
const METHOD = 'method';
const HTTP_CODE = '__httpCode__';
const ROUTE_ARGS = '__routeArguments__';
const PARAM_TYPES: Readonly<Record<number, RouteInput['in']>> = { 3: 'body', 4: 'query', 5: 'path' };

type ModuleRef = Type | DynamicModule | Promise<DynamicModule> | { forwardRef: () => unknown };

const join = (...parts: string[]): string =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter((p) => p !== '')
    .join('/')}`;

function controllersOf(modules: readonly ModuleRef[]): Type[] {
  const seen = new Set<unknown>();
  const found: Type[] = [];
  const visit = (ref: ModuleRef | undefined): void => {
    if (!ref || seen.has(ref) || ref instanceof Promise) return;
    seen.add(ref);
    if ('forwardRef' in ref) return visit(ref.forwardRef() as ModuleRef);
    const dynamic = typeof ref === 'function' ? undefined : ref;
    const type = typeof ref === 'function' ? ref : ref.module;
    const own = [
      ...((Reflect.getMetadata('controllers', type) as Type[] | undefined) ?? []),
      ...(dynamic?.controllers ?? []),
    ];
    for (const c of own) if (!found.includes(c)) found.push(c);
    for (const i of [
      ...((Reflect.getMetadata('imports', type) as ModuleRef[] | undefined) ?? []),
      ...((dynamic?.imports as ModuleRef[] | undefined) ?? []),
    ])
      visit(i);
  };
  for (const m of modules) visit(m);
  return found;
}

const asList = (value: unknown): string[] =>
  value === undefined ? [''] : Array.isArray(value) ? (value as string[]) : [value as string];

/**
 * Every route the modules' controllers declare, with its inputs' schemas and whether it takes an
 * operator token: what the OpenAPI document is generated from. Walks the modules statically
 * (no database, no bus), so a route added to any controller is in it.
 */
export function describeRoutes(modules: readonly ModuleRef[]): RouteDescription[] {
  const routes: RouteDescription[] = [];
  for (const controller of controllersOf(modules)) {
    const bases = asList(Reflect.getMetadata(PATH, controller));
    const classOwn = Reflect.getMetadata(OWN_AUTHENTICATION, controller) as string | undefined;
    const proto = controller.prototype as Record<string, unknown>;
    for (const handler of Object.getOwnPropertyNames(proto)) {
      const fn = proto[handler];
      if (handler === 'constructor' || typeof fn !== 'function') continue;
      const method = Reflect.getMetadata(METHOD, fn) as RequestMethod | undefined;
      const paths = Reflect.getMetadata(PATH, fn) as unknown;
      if (method === undefined || paths === undefined) continue;
      const own = (Reflect.getMetadata(OWN_AUTHENTICATION, fn) as string | undefined) ?? classOwn;
      const verb = RequestMethod[method];
      const declared = Reflect.getMetadata(HTTP_CODE, fn) as number | undefined;
      const args = (Reflect.getMetadata(ROUTE_ARGS, controller, handler) ?? {}) as Record<
        string,
        { schema?: unknown }
      >;
      const inputs: RouteInput[] = [];
      for (const [key, arg] of Object.entries(args)) {
        const where = PARAM_TYPES[Number(key.split(':')[0])];
        if (where && arg.schema !== undefined) inputs.push({ in: where, schema: arg.schema });
      }
      for (const base of bases) {
        for (const sub of asList(paths)) {
          routes.push({
            method: verb,
            path: join(base, sub),
            ...(own === undefined ? {} : { own }),
            status: declared ?? (verb === 'POST' ? 201 : 200),
            controller: controller.name,
            handler,
            inputs,
          });
        }
      }
    }
  }
  return routes;
}

/** The probes every service answers (libs/observability), without a token. */
export function probeRoutes(): RouteDescription[] {
  return [...PROBE_PATHS].map((path) => ({
    method: 'GET',
    path,
    own: 'none: a probe for orchestrators and Prometheus',
    status: 200,
    controller: 'observability',
    handler: path.slice(1),
    inputs: [],
  }));
}
