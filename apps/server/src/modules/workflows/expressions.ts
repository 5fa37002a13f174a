import jsonata from 'jsonata';
import { Liquid } from 'liquidjs';
import { StepFailure } from './step-failure.js';

/**
 * Expressions (JSONata) and text templates (Liquid) over a run's data:
 *   {trigger: {kind, payload}, steps: {<nodeId>: {output, port}}, workflow: {id, name, version}, run: {id, test}}.
 * JSONata runs no user code: an expression is compiled on save (syntax errors located on the node) and
 * evaluated with a time box, a depth limit and a sequence limit. Liquid is strict: a variable that is not
 * in the data is an error, never an empty string; no tag reaches the file system.
 */

/** The names a run's data has at its root; expressions and templates may start only from these. */
export const dataRoots = ['trigger', 'steps', 'workflow', 'run'] as const;

export type RunData = {
  trigger: { kind: string; payload: unknown };
  steps: Record<string, { output: unknown; port: string | null }>;
  workflow: { id: string; name: string; version: number };
  run: { id: string; test: boolean };
};

/** 100 ms of evaluation, 200 nested calls, 100,000 items in one sequence. */
export const expressionLimits = { timeoutMs: 100, stackDepth: 200, sequenceLength: 100_000 };

/** A reference to the run's data: its root name and, under `steps`, the step id. */
export type DataReference = { root: string; stepId: string | null };

const regexRefusal = 'Regular expressions are not available in workflow expressions (a bad one can stall a worker past any time box): use $contains, $substringBefore, $split with plain text.';

/** A native regular expression runs in one call the time box cannot interrupt (catastrophic backtracking). */
class RefusedRegexEngine {
  constructor() {
    throw new Error(regexRefusal);
  }
}

function compile(source: string): jsonata.Expression {
  return jsonata(source, {
    timeout: expressionLimits.timeoutMs,
    stack: expressionLimits.stackDepth,
    sequence: expressionLimits.sequenceLength,
    RegexEngine: RefusedRegexEngine as unknown as RegExpConstructor,
  });
}

/** Whether the tree holds a regular expression literal anywhere. */
function containsRegex(node: unknown, seen = new WeakSet<object>()): boolean {
  if (!node || typeof node !== 'object' || seen.has(node)) return false;
  seen.add(node);
  if ((node as { type?: unknown }).type === 'regex') return true;
  return Object.values(node).some((value) => containsRegex(value, seen));
}

/** Compile an expression: the data it refers to, or why it cannot be used (a syntax error with its position, a regex). */
export function analyseExpression(source: string): { ok: true; references: DataReference[] } | { ok: false; message: string } {
  try {
    const ast = compile(source).ast();
    if (containsRegex(ast)) return { ok: false, message: regexRefusal };
    const references: DataReference[] = [];
    collectRootPaths(ast, references);
    return { ok: true, references };
  } catch (error) {
    const { message, position } = error as { message?: string; position?: number };
    return { ok: false, message: `The expression does not compile: ${message ?? 'syntax error'}${typeof position === 'number' ? ` (at character ${position})` : ''}` };
  }
}

type AstNode = jsonata.ExprNode & { expression?: AstNode; expressions?: AstNode[]; condition?: AstNode; then?: AstNode; else?: AstNode };

/**
 * The paths evaluated against the root of the data (not those inside predicates, lambdas or later steps of
 * a path, which are relative to something else): enough to catch `trigger.paylod` and `steps.typo`.
 */
function collectRootPaths(node: AstNode | undefined, out: DataReference[]): void {
  if (!node || typeof node !== 'object') return;
  const visit = (child: unknown) => collectRootPaths(child as AstNode, out);
  switch (node.type as string) {
    case 'path': {
      const [first, second] = node.steps ?? [];
      if (first?.type === 'name') out.push({ root: String(first.value), stepId: first.value === 'steps' && second?.type === 'name' ? String(second.value) : null });
      else visit(first);
      return;
    }
    case 'name':
      out.push({ root: String(node.value), stepId: null });
      return;
    case 'binary':
    case 'apply':
      visit(node.lhs);
      visit(node.rhs);
      return;
    case 'bind':
      visit(node.rhs);
      return;
    case 'unary':
      if (node.value === '-') visit(node.expression);
      if (node.value === '[') node.expressions?.forEach(visit);
      if (node.value === '{') (node.lhs as AstNode[][] | undefined)?.forEach((pair) => pair.forEach(visit));
      return;
    case 'condition':
      visit(node.condition);
      visit(node.then);
      visit(node.else);
      return;
    case 'function':
    case 'partial':
      node.arguments?.forEach(visit);
      return;
    case 'block':
      node.expressions?.forEach(visit);
      return;
    default:
      return;
  }
}

/** JSONata results can be sequences and carry functions: keep what JSON can say. */
function toPlainJson(value: unknown): unknown {
  if (value === undefined) return null;
  const text = JSON.stringify(value);
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

/** JSONata's error code for its time box. */
const expressionTimeoutCode = 'D1012';

/**
 * Evaluate over the run's data; an error (syntax, type) is a non-retryable step failure. The time box
 * measures wall time, which a starved or freshly started worker can pass with a cheap expression: that
 * failure is retryable (a truly runaway expression fails once the step's retries are spent).
 */
export async function evaluateExpression(source: string, data: RunData): Promise<unknown> {
  try {
    return toPlainJson(await compile(source).evaluate(data));
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    throw new StepFailure('workflows.expression_failed', `The expression could not be evaluated${code ? ` (${code})` : ''}: ${message ?? String(error)}`, { retryable: code === expressionTimeoutCode });
  }
}

const truthiness = jsonata('$boolean($value)');

/** JSONata's own truthiness ($boolean): empty strings, 0, empty arrays and objects are false, nothing is false. */
export async function isTruthy(value: unknown): Promise<boolean> {
  if (value === null || value === undefined) return false;
  return (await truthiness.evaluate({}, { value })) === true;
}

const allowedFilters = new Set([
  'append', 'capitalize', 'date', 'default', 'divided_by', 'downcase', 'escape', 'first', 'join', 'last', 'minus',
  'plus', 'prepend', 'replace', 'round', 'size', 'strip', 'strip_html', 'times', 'truncate', 'upcase',
]);

function createTemplateEngine(): Liquid {
  // lenientIf: `{% if trigger.payload.optional %}` tests for data that may be missing; output stays strict.
  const engine = new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true, parseLimit: 100_000, renderLimit: 100, memoryLimit: 10_000_000 });
  for (const name of Object.keys(engine.filters)) if (!allowedFilters.has(name)) delete engine.filters[name];
  for (const name of ['include', 'render', 'layout', 'block']) delete engine.tags[name];
  return engine;
}

const templates = createTemplateEngine();

/** Parse a template: the data it refers to, or the parse error. */
export function analyseTemplate(source: string): { ok: true; references: DataReference[] } | { ok: false; message: string } {
  try {
    const parsed = templates.parse(source);
    const references = templates.globalVariableSegmentsSync(parsed).map((segments) => ({
      root: String(segments[0]),
      stepId: segments[0] === 'steps' && segments.length > 1 ? String(segments[1]) : null,
    }));
    return { ok: true, references };
  } catch (error) {
    return { ok: false, message: `The text does not parse: ${(error as Error).message}` };
  }
}

/**
 * Render a template with the run's data; a missing variable or a bad filter is a non-retryable step failure.
 * The render time limit measures wall time (a starved or freshly started worker can pass it with a cheap
 * template): that failure is retryable, so a runaway template fails once the step's retries are spent.
 */
export function renderTemplate(source: string, data: RunData): string {
  try {
    return templates.parseAndRenderSync(source, data as unknown as Record<string, unknown>);
  } catch (error) {
    const message = (error as Error).message;
    throw new StepFailure('workflows.template_failed', `The text could not be written: ${message}`, { retryable: message.includes('template render limit exceeded') });
  }
}
