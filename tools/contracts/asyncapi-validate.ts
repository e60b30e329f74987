import specs from '@asyncapi/specs';
import { Ajv, type ValidateFunction } from 'ajv';
import ajvFormats from 'ajv-formats';

/**
 * Structural validation of an AsyncAPI 3.0 document without the network: the official JSON
 * Schema of the specification (@asyncapi/specs, 7 MB of JSON) plus the checks a schema cannot
 * express — every `$ref` resolves, channel parameters match the address's `{tokens}`, and an
 * operation only names messages of its own channel. (@asyncapi/parser does all this too and
 * runs offline on Node 24, but brings 169 packages / 55 MB and a telemetry postinstall.)
 */
export function validateAsyncApi(doc: unknown): string[] {
  const schemaErrors = validator()(doc) ? [] : (validator().errors ?? []);
  return [
    ...schemaErrors.map((e) => `schema: ${e.instancePath || '/'} ${e.message ?? ''}`.trim()),
    ...unresolvedRefs(doc),
    ...parameterMismatches(doc),
    ...foreignOperationMessages(doc),
  ];
}

let compiled: ValidateFunction | undefined;
function validator(): ValidateFunction {
  if (compiled) return compiled;
  // The specification's schema embeds its own copy of the draft-07 meta-schema: ajv must not
  // add a second one (meta: false), nor validate the schema itself against it.
  const ajv = new Ajv({ allErrors: true, strict: false, meta: false, validateSchema: false });
  // ajv-formats is CommonJS: under ESM its plugin is the module's `default`.
  ajvFormats.default(ajv);
  compiled = ajv.compile(specs.schemas['3.0.0']);
  return compiled;
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Follows a local JSON pointer (`#/a/b`), and the `$ref` it may lead to in turn; undefined
 * when it leads nowhere.
 */
export function resolvePointer(doc: unknown, ref: string, depth = 0): unknown {
  if (!ref.startsWith('#/') || depth > 16) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !(key in node)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  const next = isNode(node) ? node['$ref'] : undefined;
  return typeof next === 'string' ? resolvePointer(doc, next, depth + 1) : node;
}

function unresolvedRefs(doc: unknown): string[] {
  const problems: string[] = [];
  const walk = (node: unknown, path: string): void => {
    if (Array.isArray(node)) node.forEach((v, i) => walk(v, `${path}/${i}`));
    if (!isNode(node)) return;
    const ref = node['$ref'];
    if (typeof ref === 'string' && resolvePointer(doc, ref) === undefined) {
      problems.push(`${path}: $ref ${ref} does not resolve`);
    }
    for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
  };
  walk(doc, '');
  return problems;
}

function entries(node: unknown): [string, Node][] {
  return isNode(node) ? Object.entries(node).filter((e): e is [string, Node] => isNode(e[1])) : [];
}

function parameterMismatches(doc: unknown): string[] {
  const problems: string[] = [];
  for (const [name, channel] of entries(isNode(doc) ? doc['channels'] : undefined)) {
    const address = typeof channel['address'] === 'string' ? channel['address'] : '';
    const tokens = [...address.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!).sort();
    const params = Object.keys(isNode(channel['parameters']) ? channel['parameters'] : {}).sort();
    if (tokens.join() !== params.join()) {
      problems.push(`channel ${name}: address tokens [${tokens.join()}] but parameters [${params.join()}]`);
    }
  }
  return problems;
}

function foreignOperationMessages(doc: unknown): string[] {
  const problems: string[] = [];
  for (const [name, op] of entries(isNode(doc) ? doc['operations'] : undefined)) {
    const check = (channelRef: unknown, messages: unknown, what: string): void => {
      const ref = isNode(channelRef) ? channelRef['$ref'] : undefined;
      if (typeof ref !== 'string') {
        problems.push(`operation ${name}: ${what} has no channel $ref`);
        return;
      }
      for (const m of Array.isArray(messages) ? messages : []) {
        const mref = isNode(m) ? m['$ref'] : undefined;
        if (typeof mref !== 'string' || !mref.startsWith(`${ref}/messages/`)) {
          problems.push(`operation ${name}: ${what} message ${String(mref)} is not a message of ${ref}`);
        }
      }
    };
    check(op['channel'], op['messages'], 'channel');
    if (isNode(op['reply'])) check(op['reply']['channel'], op['reply']['messages'], 'reply');
  }
  return problems;
}
