import fastJsonStringify from 'fast-json-stringify';
import type { FastifySerializerCompiler } from 'fastify';
import { ResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';

type ZodSchema = z.ZodType;

function resolveSchema(schema: unknown): ZodSchema {
  if (schema instanceof z.ZodType) return schema;
  const properties = (schema as { properties?: unknown } | null)?.properties;
  if (properties instanceof z.ZodType) return properties;
  throw new Error(`Response schema is not a zod schema: ${JSON.stringify(schema)}`);
}

type Stringify = (data: unknown) => string;

// Contract schemas are module-level constants, so one compilation serves every app built in the process.
const compiled = new WeakMap<ZodSchema, Stringify | null>();

function compileStringify(zodSchema: ZodSchema): Stringify | null {
  if (compiled.has(zodSchema)) return compiled.get(zodSchema)!;
  let stringify: Stringify | null;
  try {
    const jsonSchema = z.toJSONSchema(zodSchema, { io: 'output', unrepresentable: 'throw', target: 'draft-7' });
    stringify = fastJsonStringify(jsonSchema as Parameters<typeof fastJsonStringify>[0]) as Stringify;
  } catch {
    stringify = null;
  }
  compiled.set(zodSchema, stringify);
  return stringify;
}

/**
 * Response serialization from the route's zod schema, compiled once per route into fast-json-stringify
 * (which writes only the declared properties, so nothing undeclared can leak). Re-validating every
 * response with zod cost a measurable share of a request's CPU (docs/benchmarks.md), so it runs only
 * when `validate` is on — development and tests, where a response that drifts from its contract must
 * fail loudly. Schemas JSON Schema cannot express fall back to zod encoding + JSON.stringify.
 */
export function createResponseSerializer(options: { validate: boolean }): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url }) => {
    const zodSchema = resolveSchema(schema);
    const stringify = compileStringify(zodSchema);
    return (data: unknown) => {
      if (options.validate || !stringify) {
        const result = z.safeEncode(zodSchema, data as never);
        if (!result.success) throw new ResponseSerializationError(method, url, { cause: result.error });
        return stringify ? stringify(result.data) : JSON.stringify(result.data);
      }
      return stringify(data);
    };
  };
}
