import { brandingColorsSchema, brandingFontsSchema, defaultBranding, isSafeLogoUrl, type Branding, type UpdateBrandingBody } from '@omni/contracts/tenancy';
import { parse, tokenize, tokenTypes, walk, type CssNode } from 'css-tree';
import { createHash } from 'node:crypto';
import { badRequest } from '../../kernel/errors.js';

/**
 * White-label theming: the stored branding, the custom-CSS safety check, and the theme.css document.
 * Custom CSS is served to every visitor of the tenant's pages, so it may style but never load code or
 * foreign resources: css-tree parses it and anything it cannot parse cleanly is refused.
 */

const fieldPath = 'body.customCss';

/** The stored JSON (possibly partial or from an older shape) with defaults for whatever is missing or invalid. */
export function readBranding(stored: Record<string, unknown> | null | undefined): Branding {
  const value = stored ?? {};
  const colors = brandingColorsSchema.partial().safeParse(value.colors);
  const fonts = brandingFontsSchema.partial().safeParse(value.fonts);
  const logoUrl = typeof value.logoUrl === 'string' && isSafeLogoUrl(value.logoUrl) ? value.logoUrl : null;
  const customCss = typeof value.customCss === 'string' && value.customCss.length > 0 ? value.customCss : null;
  return {
    logoUrl,
    colors: { ...defaultBranding.colors, ...(colors.success ? stripUndefined(colors.data) : {}) },
    fonts: { ...defaultBranding.fonts, ...(fonts.success ? stripUndefined(fonts.data) : {}) },
    customCss,
  };
}

function stripUndefined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** The branding a PUT body describes (omitted colours and fonts take the defaults), after the CSS check. */
export function buildBranding(input: UpdateBrandingBody): Branding {
  const customCss = input.customCss && input.customCss.trim().length > 0 ? input.customCss : null;
  if (customCss !== null) assertSafeCustomCss(customCss);
  return {
    logoUrl: input.logoUrl ?? null,
    colors: { ...defaultBranding.colors, ...stripUndefined(input.colors ?? {}) },
    fonts: { ...defaultBranding.fonts, ...stripUndefined(input.fonts ?? {}) },
    customCss,
  };
}

const forbiddenText: Array<[RegExp, string]> = [
  [/javascript\s*:/i, 'javascript: URLs are not allowed.'],
  [/vbscript\s*:/i, 'vbscript: URLs are not allowed.'],
  [/expression\s*\(/i, 'expression() is not allowed.'],
];

/** Find every reason the CSS is refused; an empty list means it is safe to serve. */
export function findCustomCssProblems(css: string): string[] {
  const problems = new Set<string>();
  for (const [pattern, message] of forbiddenText) if (pattern.test(css)) problems.add(message);

  // Token pass: css-tree's parser recovers from broken input, so balance and escapes are checked here.
  const closers: number[] = [];
  const pairs = new Map<number, number>([
    [tokenTypes.LeftCurlyBracket, tokenTypes.RightCurlyBracket],
    [tokenTypes.LeftParenthesis, tokenTypes.RightParenthesis],
    [tokenTypes.Function, tokenTypes.RightParenthesis],
    [tokenTypes.LeftSquareBracket, tokenTypes.RightSquareBracket],
  ]);
  const closingTypes = new Set([tokenTypes.RightCurlyBracket, tokenTypes.RightParenthesis, tokenTypes.RightSquareBracket]);
  let balanced = true;
  tokenize(css, (type, start, end) => {
    const text = css.slice(start, end);
    if (type === tokenTypes.BadString || type === tokenTypes.BadUrl) problems.add('A string or url() is not closed.');
    if (type === tokenTypes.CDO || type === tokenTypes.CDC) problems.add('HTML comment markers (<!-- -->) are not allowed.');
    if (type === tokenTypes.Delim && text === '<') problems.add('"<" is not allowed in custom CSS.');
    if (type !== tokenTypes.String && type !== tokenTypes.Comment && text.includes('\\')) {
      problems.add('Backslash escapes are not allowed outside quoted strings.');
    }
    const closer = pairs.get(type);
    if (closer !== undefined) closers.push(closer);
    else if (closingTypes.has(type) && closers.pop() !== type) balanced = false;
  });
  if (!balanced || closers.length > 0) problems.add('Brackets are not balanced: every {, ( and [ needs its matching }, ) or ].');

  let ast: CssNode;
  try {
    ast = parse(css, {
      positions: true,
      onParseError: (error) => problems.add(`${error.message} (line ${error.line}, column ${error.column}).`),
    });
  } catch (error) {
    problems.add(`The CSS could not be parsed: ${(error as Error).message}.`);
    return [...problems];
  }

  walk(ast, function visit(node) {
    switch (node.type) {
      case 'Atrule':
        if (node.name.toLowerCase() === 'import') problems.add('@import is not allowed: custom CSS cannot load other style sheets.');
        break;
      case 'Url':
        if (!isAllowedResource(node.value)) problems.add(`url(${node.value.slice(0, 60)}) is not allowed: use https: URLs or data:image/ URIs.`);
        break;
      case 'Function':
        if (node.name.toLowerCase() === 'expression') problems.add('expression() is not allowed.');
        break;
      case 'String':
        // Strings inside functions such as image-set("…") are resources too.
        if (this.function && /^\s*[a-z][a-z0-9+.-]*:/i.test(node.value) && !isAllowedResource(node.value)) {
          problems.add(`"${node.value.slice(0, 60)}" is not allowed: use https: URLs or data:image/ URIs.`);
        }
        break;
      case 'Declaration': {
        const property = node.property.toLowerCase();
        if (property === 'behavior' || property.endsWith('-behavior')) problems.add('The behavior property is not allowed.');
        if (property === '-moz-binding') problems.add('The -moz-binding property is not allowed.');
        const value = node.value;
        const isEmpty = value.type === 'Raw' ? value.value.trim() === '' : value.children.isEmpty;
        if (isEmpty) problems.add(`The declaration "${node.property}" has no value.`);
        break;
      }
      case 'Raw':
        // Custom properties hold arbitrary tokens by design; css-tree keeps their values raw.
        if (this.declaration?.property.startsWith('--')) break;
        if (node.value.trim().replace(/;/g, '') !== '') problems.add(`Unexpected input "${node.value.trim().slice(0, 60)}".`);
        break;
      default:
        break;
    }
  });
  return [...problems];
}

function isAllowedResource(value: string): boolean {
  const trimmed = value.trim().toLowerCase();
  return trimmed.startsWith('https:') || trimmed.startsWith('data:image/');
}

/** 400 branding.invalid_css with one field error per problem. */
export function assertSafeCustomCss(css: string): void {
  const problems = findCustomCssProblems(css);
  if (problems.length === 0) return;
  throw badRequest(
    'branding.invalid_css',
    `Custom CSS was refused: ${problems[0]}${problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''}`,
    problems.map((message) => ({ path: fieldPath, message })),
  );
}

/** The tenant's theme as CSS custom properties, followed by its custom CSS. */
export function renderThemeCss(branding: Branding): string {
  const variables = [
    ['--omni-color-primary', branding.colors.primary],
    ['--omni-color-secondary', branding.colors.secondary],
    ['--omni-color-accent', branding.colors.accent],
    ['--omni-color-background', branding.colors.background],
    ['--omni-color-foreground', branding.colors.foreground],
    ['--omni-font-heading', branding.fonts.heading],
    ['--omni-font-body', branding.fonts.body],
    ...(branding.logoUrl ? [['--omni-logo-url', `url("${branding.logoUrl}")`]] : []),
  ];
  const root = `:root{${variables.map(([name, value]) => `${name}:${value}`).join(';')}}\n`;
  return branding.customCss ? `${root}${branding.customCss}\n` : root;
}

/** A strong validator for theme.css: the digest of the exact bytes served. */
export function themeEtag(css: string): string {
  return `"${createHash('sha256').update(css, 'utf8').digest('base64url').slice(0, 27)}"`;
}
