import type { FastifyInstance } from 'fastify';
import fc from 'fast-check';

/**
 * The sweeps read the routes from the app's own OpenAPI document, so every route a module adds is swept
 * without anyone listing it here.
 */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
};

type Parameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema?: JsonSchema };

type OperationObject = {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};

export type OpenApiDocument = {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type Operation = {
  method: HttpMethod;
  /** The OpenAPI path, e.g. /api/accounts/{id}. */
  path: string;
  pathParams: string[];
  queryParams: Array<{ name: string; required: boolean; schema: JsonSchema }>;
  /** The JSON request body schema, or null when the route takes no body. */
  bodySchema: JsonSchema | null;
};

const methods: HttpMethod[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

export async function fetchOpenApiDocument(app: FastifyInstance): Promise<OpenApiDocument> {
  const response = await app.inject({ url: '/openapi.json' });
  if (response.statusCode !== 200) throw new Error(`GET /openapi.json answered ${response.statusCode}`);
  return response.json() as OpenApiDocument;
}

export function listOperations(document: OpenApiDocument): Operation[] {
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of methods) {
      const operation = item[method.toLowerCase()];
      if (!operation) continue;
      const parameters = operation.parameters ?? [];
      const pathParams = [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1]!);
      operations.push({
        method,
        path,
        pathParams,
        queryParams: parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => ({ name: parameter.name, required: parameter.required === true, schema: parameter.schema ?? {} })),
        bodySchema: operation.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
  return operations.sort((left, right) => `${left.path} ${left.method}`.localeCompare(`${right.path} ${right.method}`));
}

/** Replace each {param} with its URL-encoded value. */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_whole, name: string) => encodeURIComponent(values[name] ?? ''));
}

export function resolveSchema(schema: JsonSchema, document: OpenApiDocument): JsonSchema {
  let current = schema;
  for (let depth = 0; current.$ref && depth < 20; depth += 1) {
    const name = current.$ref.replace(/^#\/components\/schemas\//, '');
    const target = document.components?.schemas?.[name];
    if (!target) throw new Error(`Unresolvable $ref ${current.$ref}`);
    current = target;
  }
  return current;
}

function typesOf(schema: JsonSchema): string[] {
  if (Array.isArray(schema.type)) return schema.type;
  return schema.type ? [schema.type] : [];
}

const stringCandidates = [
  'sample',
  'sample-name',
  'Sample Name',
  'abc',
  '#4f46e5',
  'Inter, sans-serif',
  'www.example.com',
  'en',
  'UTC',
  'correct horse battery staple',
];

function minimalString(schema: JsonSchema): string {
  switch (schema.format) {
    case 'uuid':
      return '00000000-0000-4000-8000-000000000000';
    case 'email':
      return 'sweep@example.test';
    case 'date-time':
      return '2030-01-01T00:00:00Z';
    case 'date':
      return '2030-01-01';
    case 'uri':
    case 'url':
      return 'https://example.com/';
    default:
      break;
  }
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? Number.POSITIVE_INFINITY;
  const pattern = schema.pattern ? new RegExp(schema.pattern, 'u') : null;
  const fits = (value: string) => value.length >= minLength && value.length <= maxLength && (!pattern || pattern.test(value));
  const candidate = stringCandidates.find(fits) ?? [...stringCandidates].map((value) => value.padEnd(minLength, 'a')).find(fits);
  return candidate ?? 'a'.repeat(Math.max(minLength, 1));
}

/**
 * A small value the schema accepts (required properties only), used where a request must get past
 * validation to reach the code under test. Refinements that JSON Schema cannot express may still refuse it.
 */
export function minimalValue(input: JsonSchema, document: OpenApiDocument): unknown {
  const schema = resolveSchema(input, document);
  if ('const' in schema) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants?.length) {
    const chosen = variants.find((variant) => !typesOf(resolveSchema(variant, document)).includes('null')) ?? variants[0]!;
    return minimalValue(chosen, document);
  }
  if (schema.allOf?.length) {
    return Object.assign({}, ...schema.allOf.map((part) => minimalValue(part, document) as object));
  }
  const type = typesOf(schema).find((candidate) => candidate !== 'null') ?? (schema.properties ? 'object' : typesOf(schema)[0]);
  switch (type) {
    case 'object': {
      const value: Record<string, unknown> = {};
      for (const name of schema.required ?? []) value[name] = minimalValue(schema.properties?.[name] ?? {}, document);
      return value;
    }
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => minimalValue(schema.items ?? {}, document));
    case 'string':
      return minimalString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return {};
  }
}

/** Values chosen to break parsers, validators and queries: wrong types, extremes, odd unicode, injections. */
export const nastyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null,
    true,
    false,
    0,
    -1,
    1e308,
    -1e308,
    Number.MAX_SAFE_INTEGER + 2,
    0.1,
    '',
    ' ',
    '\u0000',
    '\u202e\u200b',
    '😀'.repeat(500),
    'a'.repeat(100_000),
    "' OR 1=1 --",
    '"; DROP TABLE users; --',
    '../../etc/passwd',
    '<script>alert(1)</script>',
    '{{7*7}}{% raw %}<%= 7*7 %>#{7*7}',
    '__proto__',
    'constructor',
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '2030-13-45T99:99:99Z',
    '-1',
    'NaN',
    [],
    {},
    [null],
    { $ne: null },
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double(),
  fc.uuid(),
  fc.emailAddress(),
  fc.jsonValue({ maxDepth: 2 }),
);

/**
 * Objects shaped like the schema (its property names, at any depth of one level) carrying a mix of
 * nearly-valid and nasty values, so validation sees plausible bodies that are wrong in one or many ways.
 */
export function shapedBodyArbitrary(input: JsonSchema, document: OpenApiDocument): fc.Arbitrary<unknown> {
  const schema = resolveSchema(input, document);
  const properties = Object.keys(schema.properties ?? {});
  if (properties.length === 0) return fc.dictionary(fc.string({ maxLength: 12 }), nastyValue, { maxKeys: 4 });
  const base = minimalValue(schema, document) as Record<string, unknown>;
  const overrides = fc.dictionary(fc.constantFrom(...properties, '__proto__', 'extra'), nastyValue, { maxKeys: properties.length + 1 });
  const removals = fc.subarray(Object.keys(base));
  return fc.tuple(overrides, removals).map(([changes, removed]) => {
    const body: Record<string, unknown> = { ...base };
    for (const key of removed) delete body[key];
    // Assign own properties (even "__proto__") the way JSON.parse would produce them.
    for (const [key, value] of Object.entries(changes)) Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    return body;
  });
}
