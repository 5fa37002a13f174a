import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { en as enCore } from './locales/en';
import { enFeatures } from './locales/en-features';
import { de } from './locales/de';

/** Every leaf as [dotted key, text]; keys may themselves contain dots (problem codes). */
function leaves(value: unknown, prefix = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[prefix, value]];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, child]) => leaves(child, prefix ? `${prefix}.${key}` : key));
}
const flatten = (value: unknown) => leaves(value).map(([key]) => key);

function sourceFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const full = path.join(directory, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return /\.tsx?$/.test(name) && !name.endsWith('.test.ts') ? [full] : [];
  });
}

const pluralSuffix = /_(one|other)$/;

const en = { ...enCore, ...enFeatures };

describe('translations', () => {
  const english = new Set(flatten(en).map((key) => key.replace(pluralSuffix, '')));

  it('German has exactly the English keys', () => {
    expect(flatten(de).sort()).toEqual(flatten(en).sort());
  });

  it('no German text is left empty or in English by accident', () => {
    const englishValues = new Map(leaves(en));
    const same = leaves(de)
      .filter(([key, german]) => german.trim() === '' || (german === englishValues.get(key) && german.split(' ').length > 2))
      .map(([key]) => key);
    expect(same).toEqual([]);
  });

  it('every static key the source uses exists', () => {
    const root = path.resolve(__dirname, '../..');
    const missing: string[] = [];
    for (const file of sourceFiles(root)) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.-]+)'/g)) if (!english.has(match[1]!)) missing.push(`${path.basename(file)}: ${match[1]}`);
      for (const match of text.matchAll(/(?:labelKey|titleKey): '([a-zA-Z0-9_.-]+)'/g)) if (!english.has(match[1]!)) missing.push(`${path.basename(file)}: ${match[1]}`);
    }
    expect(missing).toEqual([]);
  });
});
