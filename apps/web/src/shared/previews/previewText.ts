import type { VariantIssue } from '@omni/contracts/network-rules';

/** Pure helpers of the post previews: what shows before "… more", and links, hashtags and mentions to highlight. */

export type TextSegment = { kind: 'text' | 'link' | 'hashtag' | 'mention'; value: string };

/**
 * How much of a text a network shows before its "… more" link (approximate, as the apps show it), cut at
 * whole code points and, when possible, at a word boundary.
 */
export function foldText(text: string, visible: number | null): { shown: string; folded: boolean } {
  const codePoints = [...text];
  if (visible === null || codePoints.length <= visible) return { shown: text, folded: false };
  const cut = codePoints.slice(0, visible).join('');
  const atSpace = cut.replace(/\s+\S*$/u, '');
  return { shown: (atSpace.length >= visible * 0.6 ? atSpace : cut).trimEnd(), folded: true };
}

const tokenPattern = /(https?:\/\/[^\s]+[^\s.,:;!?'")\]])|((?<![\p{L}\p{N}_&])#[\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*)|((?<![\p{L}\p{N}_])@[A-Za-z0-9_.]*[A-Za-z0-9_])/gu;

/** The text split into plain runs, links, #hashtags and @mentions (rendered highlighted, never as HTML). */
export function segmentText(text: string): TextSegment[] {
  const segments: TextSegment[] = [];
  let position = 0;
  for (const match of text.matchAll(tokenPattern)) {
    if (match.index > position) segments.push({ kind: 'text', value: text.slice(position, match.index) });
    segments.push({ kind: match[1] ? 'link' : match[2] ? 'hashtag' : 'mention', value: match[0] });
    position = match.index + match[0].length;
  }
  if (position < text.length) segments.push({ kind: 'text', value: text.slice(position) });
  return segments;
}

/** The issues of one field and everything below it (`media` → `media.0`, `media.0.altText`). */
export function issuesAt(issues: VariantIssue[], path: string): VariantIssue[] {
  return issues.filter((issue) => issue.path === path || issue.path.startsWith(`${path}.`));
}

/** The host of a link, for link cards ("example.com"); the text itself when it is not a URL. */
export function linkHost(link: string): string {
  try {
    return new URL(link).hostname.replace(/^www\./, '');
  } catch {
    return link;
  }
}
