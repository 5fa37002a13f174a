import type { SocialNetworkId } from './social.js';

/**
 * Per-network rules for a post variant: text length (X's weighted count included), media count, mix, type,
 * size, aspect ratio and duration, and required fields (a Pinterest board, Instagram media). One table and
 * one validator serve the server (authoritative: save, submit, schedule, import) and the console (live).
 * The per-network image renditions are defined here too, so rules and the media pipeline cannot disagree.
 * Sources of the numbers: docs/design/content-studio.md §4.
 */

type NetworkId = SocialNetworkId;
export type VariantMediaKind = 'image' | 'video';
export type VariantIssueSeverity = 'error' | 'warning';

/** One finding of `validateVariant`. `path` names the field: `text`, `media.1`, `options.thread.0`, … */
export type VariantIssue = { path: string; code: string; severity: VariantIssueSeverity; message: string };

/** What the validator knows of one media item: the network rendition's metadata (or the original's). */
export type VariantRulesMedia = {
  assetId?: string | null;
  kind: VariantMediaKind;
  mimeType: string | null;
  width: number | null;
  height: number | null;
  durationMs?: number | null;
  byteSize?: number | null;
  altText?: string | null;
};

export type VariantRulesOptions = { title?: string | null; boardId?: string | null; thread?: string[] | null; coverAssetId?: string | null };

/** A variant's effective (resolved) content on one network. */
export type VariantRulesInput = {
  network: NetworkId;
  text: string;
  media: VariantRulesMedia[];
  link: string | null;
  options: VariantRulesOptions;
  /**
   * Destination kinds of the connections the variant goes to (from social's `destinationKind`). A
   * Pinterest variant needs a board: every destination is a board, or `options.boardId` is set. Unknown
   * (undefined) skips the board check where it cannot be decided (e.g. no destination chosen yet).
   */
  destinationKinds?: string[];
};

type Range = { min: number; max: number };
type AspectRule = { min: number; max: number; minLabel: string; maxLabel: string; severity: VariantIssueSeverity };

export type NetworkRules = {
  network: NetworkId;
  displayName: string;
  /** What the network calls the text. */
  textLabel: string;
  /** Characters: Unicode code points after NFC, or X's weighted count. */
  textCounting: 'code_points' | 'x_weighted';
  maxText: number;
  maxHashtags: number | null;
  maxMentions: number | null;
  /** text, link or media / text or media / media */
  requires: 'text_link_or_media' | 'text_or_media' | 'media';
  media: {
    min: number;
    max: number;
    /** Images and videos in one post. */
    mixed: boolean;
    maxImages: number;
    maxVideos: number;
    /** Animated GIFs count as their own kind on X (one, alone). */
    maxGifs: number | null;
    /** When several images form a carousel: allowed counts (Pinterest 2–5; Instagram 2–10). */
    carousel: Range | null;
    gifMaxBytes: number | null;
    imageAspect: AspectRule | null;
    imageMinWidth: number | null;
    videoMaxBytes: number | null;
    videoDurationMs: Range | null;
    videoAspect: AspectRule | null;
    videoMimeTypes: string[] | null;
  };
  maxTitle: number | null;
  maxLink: number;
  maxAltText: number;
  /** X: follow-up posts of a thread, each counted like the first. */
  thread: { maxPosts: number } | null;
  needsBoard: boolean;
};

const MB = 1024 * 1024;
const GB = 1024 * MB;
const minute = 60_000;

const baseMedia: NetworkRules['media'] = {
  min: 0,
  max: 20,
  mixed: true,
  maxImages: 20,
  maxVideos: 20,
  maxGifs: null,
  carousel: null,
  gifMaxBytes: null,
  imageAspect: null,
  imageMinWidth: null,
  videoMaxBytes: null,
  videoDurationMs: null,
  videoAspect: null,
  videoMimeTypes: null,
};

const mp4OrMov = ['video/mp4', 'video/quicktime'];

export const networkRules: Record<NetworkId, NetworkRules> = {
  facebook: {
    network: 'facebook',
    displayName: 'Facebook',
    textLabel: 'text',
    textCounting: 'code_points',
    maxText: 63_206,
    maxHashtags: null,
    maxMentions: null,
    requires: 'text_link_or_media',
    media: { ...baseMedia, max: 10, mixed: false, maxImages: 10, maxVideos: 1, videoMaxBytes: 1 * GB, videoMimeTypes: mp4OrMov },
    maxTitle: null,
    maxLink: 2048,
    maxAltText: 1000,
    thread: null,
    needsBoard: false,
  },
  instagram: {
    network: 'instagram',
    displayName: 'Instagram',
    textLabel: 'caption',
    textCounting: 'code_points',
    maxText: 2200,
    maxHashtags: 30,
    maxMentions: 20,
    requires: 'media',
    media: {
      ...baseMedia,
      min: 1,
      max: 10,
      mixed: true,
      maxImages: 10,
      maxVideos: 10,
      carousel: { min: 2, max: 10 },
      imageAspect: { min: 4 / 5, max: 1.91, minLabel: '4:5', maxLabel: '1.91:1', severity: 'error' },
      imageMinWidth: 320,
      videoMaxBytes: 1 * GB,
      videoDurationMs: { min: 3000, max: 15 * minute },
      videoMimeTypes: mp4OrMov,
    },
    maxTitle: null,
    maxLink: 2048,
    maxAltText: 1000,
    thread: null,
    needsBoard: false,
  },
  x: {
    network: 'x',
    displayName: 'X',
    textLabel: 'text',
    textCounting: 'x_weighted',
    maxText: 280,
    maxHashtags: null,
    maxMentions: null,
    requires: 'text_or_media',
    media: {
      ...baseMedia,
      max: 4,
      mixed: false,
      maxImages: 4,
      maxVideos: 1,
      maxGifs: 1,
      gifMaxBytes: 15 * MB,
      videoMaxBytes: 512 * MB,
      videoDurationMs: { min: 500, max: 140_000 },
      videoAspect: { min: 1 / 3, max: 3, minLabel: '1:3', maxLabel: '3:1', severity: 'error' },
      videoMimeTypes: mp4OrMov,
    },
    maxTitle: null,
    maxLink: 2048,
    maxAltText: 1000,
    thread: { maxPosts: 25 },
    needsBoard: false,
  },
  linkedin: {
    network: 'linkedin',
    displayName: 'LinkedIn',
    textLabel: 'text',
    textCounting: 'code_points',
    maxText: 3000,
    maxHashtags: null,
    maxMentions: null,
    requires: 'text_or_media',
    media: { ...baseMedia, max: 20, mixed: false, maxImages: 20, maxVideos: 1, videoMaxBytes: 500 * MB, videoDurationMs: { min: 0, max: 30 * minute }, videoMimeTypes: mp4OrMov },
    maxTitle: null,
    maxLink: 2048,
    maxAltText: 1000,
    thread: null,
    needsBoard: false,
  },
  pinterest: {
    network: 'pinterest',
    displayName: 'Pinterest',
    textLabel: 'description',
    textCounting: 'code_points',
    maxText: 500,
    maxHashtags: null,
    maxMentions: null,
    requires: 'media',
    media: {
      ...baseMedia,
      min: 1,
      max: 5,
      mixed: false,
      maxImages: 5,
      maxVideos: 1,
      carousel: { min: 2, max: 5 },
      imageAspect: { min: 1 / 2.1, max: 1.91, minLabel: '1:2.1', maxLabel: '1.91:1', severity: 'warning' },
      videoMaxBytes: 2 * GB,
      videoDurationMs: { min: 4000, max: 15 * minute },
      videoAspect: { min: 1 / 2, max: 1.91, minLabel: '1:2', maxLabel: '1.91:1', severity: 'error' },
      videoMimeTypes: mp4OrMov,
    },
    maxTitle: 100,
    maxLink: 2048,
    maxAltText: 500,
    thread: null,
    needsBoard: true,
  },
  sandbox: {
    network: 'sandbox',
    displayName: 'Sandbox',
    textLabel: 'text',
    textCounting: 'code_points',
    maxText: 20_000,
    maxHashtags: null,
    maxMentions: null,
    requires: 'text_or_media',
    media: { ...baseMedia },
    maxTitle: null,
    maxLink: 2048,
    maxAltText: 1000,
    thread: null,
    needsBoard: false,
  },
};

export const networkIds = Object.keys(networkRules) as NetworkId[];

// ---------------------------------------------------------------------------------------------------------
// Renditions (media pipeline, design §5.3)

export type RenditionName = 'thumb' | 'medium' | 'facebook' | 'instagram' | 'x' | 'linkedin' | 'pinterest';

export type RenditionSpec = {
  name: RenditionName;
  /** webp; jpeg; or jpeg unless the image has transparency (then png). */
  format: 'webp' | 'jpeg' | 'jpeg_or_png';
  /** Longest side at most (px); null: unchanged. */
  maxLongestSide: number | null;
  /** Width at most (px); null: unchanged. */
  maxWidth: number | null;
  /** Quality lowered stepwise until the output is at most this many bytes; null: no cap. */
  maxBytes: number | null;
  /** Transparency flattened on white. */
  flattenOnWhite: boolean;
  /** Animated GIFs at most this size are kept as they are (X). */
  keepAnimatedGifUpToBytes: number | null;
};

export const renditionSpecs: Record<RenditionName, RenditionSpec> = {
  thumb: { name: 'thumb', format: 'webp', maxLongestSide: 320, maxWidth: null, maxBytes: null, flattenOnWhite: false, keepAnimatedGifUpToBytes: null },
  medium: { name: 'medium', format: 'webp', maxLongestSide: 1080, maxWidth: null, maxBytes: null, flattenOnWhite: false, keepAnimatedGifUpToBytes: null },
  facebook: { name: 'facebook', format: 'jpeg_or_png', maxLongestSide: 2048, maxWidth: null, maxBytes: 4 * MB, flattenOnWhite: false, keepAnimatedGifUpToBytes: null },
  linkedin: { name: 'linkedin', format: 'jpeg_or_png', maxLongestSide: 2048, maxWidth: null, maxBytes: 5 * MB, flattenOnWhite: false, keepAnimatedGifUpToBytes: null },
  instagram: { name: 'instagram', format: 'jpeg', maxLongestSide: null, maxWidth: 1440, maxBytes: 8 * MB, flattenOnWhite: true, keepAnimatedGifUpToBytes: null },
  x: { name: 'x', format: 'jpeg_or_png', maxLongestSide: null, maxWidth: null, maxBytes: 5 * MB, flattenOnWhite: false, keepAnimatedGifUpToBytes: 15 * MB },
  pinterest: { name: 'pinterest', format: 'jpeg_or_png', maxLongestSide: 3000, maxWidth: null, maxBytes: 20 * MB, flattenOnWhite: false, keepAnimatedGifUpToBytes: null },
};

/** The rendition a network is sent (Sandbox takes the medium one). */
export function renditionForNetwork(network: NetworkId): RenditionName {
  return network === 'sandbox' ? 'medium' : network;
}

// ---------------------------------------------------------------------------------------------------------
// Counting

/**
 * X's weighted length, as twitter-text's `parseTweet` (configuration v3) computes it: the text is NFC
 * normalized; every URL counts 23; every emoji (a whole sequence: skin tones, ZWJ families, flags, keycaps)
 * counts 2; any other code point counts 1 when it is in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F or
 * U+2032–U+2037, and 2 otherwise. URLs are recognized as twitter-text does for the common cases: with an
 * http(s) scheme and a domain, or without a scheme when the domain is ASCII and ends in a known top-level
 * domain; trailing punctuation and an unbalanced closing parenthesis are not part of a URL.
 * apps/server/test/contracts/x-weighted-length.test.ts proves it equal to twitter-text with fast-check.
 */
export function xWeightedLength(text: string): number {
  const normalized = text.normalize('NFC');
  const urls = findTweetUrls(normalized);
  let weight = 0;
  let position = 0;
  const step = (chunk: string) => {
    for (const match of chunk.matchAll(emojiOrCodePointPattern())) {
      if (match[1] !== undefined) {
        weight += 2;
        continue;
      }
      const codePoint = match[0].codePointAt(0)!;
      weight += isLightCodePoint(codePoint) ? 1 : 2;
    }
  };
  for (const url of urls) {
    step(normalized.slice(position, url.start));
    weight += xUrlWeight;
    position = url.end;
  }
  step(normalized.slice(position));
  return weight;
}

/** Every URL, whatever its length, counts as a t.co link of 23 characters. */
export const xUrlWeight = 23;

function isLightCodePoint(codePoint: number): boolean {
  return (
    codePoint <= 0x10ff ||
    (codePoint >= 0x2000 && codePoint <= 0x200d) ||
    (codePoint >= 0x2010 && codePoint <= 0x201f) ||
    (codePoint >= 0x2032 && codePoint <= 0x2037)
  );
}

// An emoji sequence (RGI: with its modifiers, ZWJ parts, keycaps and flags) or else one code point. Built
// on first use: an engine without the `v` flag (browsers before 2023) gets a close approximation instead of
// failing to load this module.
let emojiPattern: RegExp | null = null;
function emojiOrCodePointPattern(): RegExp {
  if (!emojiPattern) {
    try {
      emojiPattern = new RegExp('(\\p{RGI_Emoji})|[\\s\\S]', 'gv');
    } catch {
      const part = '\\p{Extended_Pictographic}(?:\\uFE0F|\\p{Emoji_Modifier})?';
      emojiPattern = new RegExp(`(\\p{Regional_Indicator}{2}|[#*0-9]\\uFE0F?\\u20E3|${part}(?:\\u200D${part})*)|[\\s\\S]`, 'gu');
    }
  }
  return emojiPattern;
}

/**
 * Top-level domains recognized without a scheme. twitter-text knows the whole IANA list; these are the ones
 * people type without "https://" in practice. A scheme-less "name.rare-tld" counts by its characters here.
 */
const schemelessTlds = new Set(
  (
    'com net org info biz edu gov mil int io co ai app dev me tv fm ly gl gg to cc ws so sh us uk de fr es it nl be ch at se ' +
    'no dk fi pl pt ie cz sk hu ro gr tr ru ua by kz jp cn kr tw hk sg in id my th vn ph au nz ca mx br ar cl pe ' +
    've za ng ke eg ma il ae sa ir pk bd lk np is lu li mt cy ee lv lt si hr rs ba bg md am ge az eu asia xyz online site shop ' +
    'store tech blog news club live media cloud space website page link art design agency studio digital email network ' +
    'company world today life email social global group bar world'
  ).split(' '),
);

const urlCandidate = new RegExp(
  String.raw`(?<=^|[^\p{L}\p{N}@＠$#＃\u202A-\u202E])` +
    String.raw`(?<scheme>https?:\/\/)?` +
    String.raw`(?<host>(?:[\p{L}\p{N}](?:[\p{L}\p{N}_\-]*[\p{L}\p{N}])?\.)+(?<tld>[\p{L}]{2,}|xn--[a-z0-9\-]+))` +
    String.raw`(?::\d{1,5})?` +
    String.raw`(?<rest>[\/?][A-Za-z0-9\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0400-\u04FF!*';:=+,.$\/%#\[\]\-\u2013_~&|@()?]*)?`,
  'giu',
);

const asciiHost = /^[A-Za-z0-9.\-_]+$/;
const urlEnd = /[A-Za-z0-9=_#/+\-\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u0400-\u04FF]/;

type Span = { start: number; end: number };

function trimUrlTail(rest: string): string {
  let tail = rest;
  for (;;) {
    const last = tail.at(-1);
    if (last === undefined) return tail;
    if (last === ')') {
      const opens = tail.split('(').length - 1;
      const closes = tail.split(')').length - 1;
      if (opens >= closes) return tail;
    } else if (urlEnd.test(last)) {
      return tail;
    }
    tail = tail.slice(0, -1);
  }
}

function findTweetUrls(text: string): Span[] {
  if (!text.includes('.')) return [];
  const spans: Span[] = [];
  for (const match of text.matchAll(urlCandidate)) {
    const groups = match.groups!;
    const host = groups.host!;
    // The name before the top-level domain takes no underscore (subdomains may).
    if (host.split('.').at(-2)!.includes('_')) continue;
    const tld = groups.tld!.toLowerCase();
    const before = match.index > 0 ? text[match.index - 1]! : '';
    if (!groups.scheme) {
      if (!asciiHost.test(host) || (!schemelessTlds.has(tld) && !tld.startsWith('xn--')) || /[-_./]/.test(before)) continue;
    }
    const rest = groups.rest ? trimUrlTail(groups.rest) : '';
    const length = match[0].length - (groups.rest?.length ?? 0) + rest.length;
    spans.push({ start: match.index, end: match.index + length });
  }
  return spans;
}

/** Characters of `text` on `network`: X's weighted count, else Unicode code points after NFC. */
export function countText(network: NetworkId, text: string): number {
  return networkRules[network].textCounting === 'x_weighted' ? xWeightedLength(text) : codePointLength(text);
}

export function codePointLength(text: string): number {
  let count = 0;
  for (const _ of text.normalize('NFC')) count += 1;
  return count;
}

// ---------------------------------------------------------------------------------------------------------
// Validation

const ratioNames: Array<[number, string]> = [
  [1, '1:1'],
  [4 / 5, '4:5'],
  [5 / 4, '5:4'],
  [3 / 4, '3:4'],
  [4 / 3, '4:3'],
  [2 / 3, '2:3'],
  [3 / 2, '3:2'],
  [9 / 16, '9:16'],
  [16 / 9, '16:9'],
  [1.91, '1.91:1'],
  [1 / 1.91, '1:1.91'],
  [1 / 2, '1:2'],
  [2, '2:1'],
  [1 / 3, '1:3'],
  [3, '3:1'],
  [21 / 9, '21:9'],
];

/** "9:16" for the usual ratios, else "1.23:1" (or "1:1.23" for tall media). */
export function formatAspectRatio(width: number, height: number): string {
  const ratio = width / height;
  const known = ratioNames.find(([value]) => Math.abs(value - ratio) / value < 0.01);
  if (known) return known[1];
  return ratio >= 1 ? `${trimNumber(ratio)}:1` : `1:${trimNumber(1 / ratio)}`;
}

function trimNumber(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function formatBytes(bytes: number): string {
  if (bytes >= GB) return `${trimNumber(bytes / GB)} GB`;
  return `${trimNumber(bytes / MB)} MB`;
}

function formatDuration(ms: number): string {
  if (ms >= minute && ms % minute === 0) return `${ms / minute} min`;
  return `${trimNumber(ms / 1000)} s`;
}

const thousands = (value: number) => value.toLocaleString('en-US');

const hashtagPattern = /(?:^|[^\p{L}\p{N}_&])[#＃][\p{L}\p{N}_]*\p{L}[\p{L}\p{N}_]*/gu;
const mentionPattern = /(?:^|[^\p{L}\p{N}_])[@＠][A-Za-z0-9_.]+/gu;

function isGif(media: VariantRulesMedia): boolean {
  return media.kind === 'image' && media.mimeType === 'image/gif';
}

function textIssues(rules: NetworkRules, text: string, path: string, label: string): VariantIssue[] {
  const issues: VariantIssue[] = [];
  const count = rules.textCounting === 'x_weighted' ? xWeightedLength(text) : codePointLength(text);
  if (count > rules.maxText) {
    const note = rules.textCounting === 'x_weighted' ? ` (links count as ${xUrlWeight}, emoji and most non-Latin characters as 2)` : '';
    issues.push({
      path,
      code: 'text_too_long',
      severity: 'error',
      message: `${rules.displayName}: ${label} has ${thousands(count)} of ${thousands(rules.maxText)} characters${note}.`,
    });
  }
  if (rules.maxHashtags !== null) {
    const hashtags = text.match(hashtagPattern)?.length ?? 0;
    if (hashtags > rules.maxHashtags) {
      issues.push({ path, code: 'too_many_hashtags', severity: 'error', message: `${rules.displayName}: ${hashtags} hashtags; at most ${rules.maxHashtags} are allowed.` });
    }
  }
  if (rules.maxMentions !== null) {
    const mentions = text.match(mentionPattern)?.length ?? 0;
    if (mentions > rules.maxMentions) {
      issues.push({ path, code: 'too_many_mentions', severity: 'error', message: `${rules.displayName}: ${mentions} @mentions; at most ${rules.maxMentions} are allowed.` });
    }
  }
  return issues;
}

function mediaCountIssues(rules: NetworkRules, media: VariantRulesMedia[]): VariantIssue[] {
  const name = rules.displayName;
  const m = rules.media;
  const images = media.filter((item) => item.kind === 'image' && !(m.maxGifs !== null && isGif(item)));
  const gifs = m.maxGifs === null ? [] : media.filter(isGif);
  const videos = media.filter((item) => item.kind === 'video');
  if (media.length < m.min) {
    return [{ path: 'media', code: 'media_required', severity: 'error', message: `${name}: add at least ${m.min === 1 ? 'one image or video' : `${m.min} media items`}.` }];
  }
  if (media.length > m.max) {
    return [{ path: 'media', code: 'too_many_media', severity: 'error', message: `${name}: ${media.length} media items; at most ${m.max} are allowed.` }];
  }
  const kinds = [images.length > 0, gifs.length > 0, videos.length > 0].filter(Boolean).length;
  if (!m.mixed && kinds > 1) {
    const what = m.maxGifs !== null ? `up to ${m.maxImages} images, one GIF or one video` : `up to ${m.maxImages} images or one video`;
    return [{ path: 'media', code: 'media_mixed', severity: 'error', message: `${name}: a post takes ${what}, not a mix.` }];
  }
  if (videos.length > m.maxVideos) {
    return [{ path: 'media', code: 'too_many_videos', severity: 'error', message: `${name}: ${videos.length} videos; at most ${m.maxVideos} ${m.maxVideos === 1 ? 'is' : 'are'} allowed.` }];
  }
  if (m.maxGifs !== null && gifs.length > m.maxGifs) {
    return [{ path: 'media', code: 'too_many_gifs', severity: 'error', message: `${name}: ${gifs.length} GIFs; at most ${m.maxGifs} is allowed.` }];
  }
  if (images.length > m.maxImages) {
    return [{ path: 'media', code: 'too_many_images', severity: 'error', message: `${name}: ${images.length} images; at most ${m.maxImages} are allowed.` }];
  }
  return [];
}

function aspectIssue(rules: NetworkRules, rule: AspectRule, item: VariantRulesMedia, index: number, what: 'image' | 'video'): VariantIssue | null {
  if (!item.width || !item.height) return null;
  const ratio = item.width / item.height;
  const epsilon = 0.005;
  if (ratio >= rule.min - epsilon && ratio <= rule.max + epsilon) return null;
  const advice = rule.severity === 'error' ? 'crop it or pick another' : 'it may be cropped';
  return {
    path: `media.${index}`,
    code: 'aspect_ratio',
    severity: rule.severity,
    message: `${rules.displayName}: ${what} ${index + 1} is ${formatAspectRatio(item.width, item.height)}; ${rules.displayName} accepts ${rule.minLabel} to ${rule.maxLabel} — ${advice}.`,
  };
}

function mediaItemIssues(rules: NetworkRules, item: VariantRulesMedia, index: number): VariantIssue[] {
  const name = rules.displayName;
  const m = rules.media;
  const path = `media.${index}`;
  const issues: VariantIssue[] = [];
  if (item.altText && codePointLength(item.altText) > rules.maxAltText) {
    issues.push({ path: `${path}.altText`, code: 'alt_text_too_long', severity: 'error', message: `${name}: alt text of item ${index + 1} has ${codePointLength(item.altText)} of ${rules.maxAltText} characters.` });
  }
  if (item.kind === 'image') {
    if (m.imageAspect) {
      const issue = aspectIssue(rules, m.imageAspect, item, index, 'image');
      if (issue) issues.push(issue);
    }
    if (m.imageMinWidth !== null && item.width && item.width < m.imageMinWidth) {
      issues.push({ path, code: 'image_too_small', severity: 'error', message: `${name}: image ${index + 1} is ${item.width} px wide; at least ${m.imageMinWidth} px are needed.` });
    }
    if (isGif(item) && m.gifMaxBytes !== null && item.byteSize && item.byteSize > m.gifMaxBytes) {
      issues.push({ path, code: 'file_too_large', severity: 'error', message: `${name}: GIF ${index + 1} is ${formatBytes(item.byteSize)}; at most ${formatBytes(m.gifMaxBytes)}.` });
    }
    return issues;
  }
  if (m.videoMimeTypes && item.mimeType && !m.videoMimeTypes.includes(item.mimeType)) {
    issues.push({ path, code: 'unsupported_type', severity: 'error', message: `${name}: video ${index + 1} must be MP4 or MOV.` });
  }
  if (m.videoMaxBytes !== null && item.byteSize && item.byteSize > m.videoMaxBytes) {
    issues.push({ path, code: 'file_too_large', severity: 'error', message: `${name}: video ${index + 1} is ${formatBytes(item.byteSize)}; at most ${formatBytes(m.videoMaxBytes)}.` });
  }
  if (m.videoDurationMs && item.durationMs != null) {
    const { min, max } = m.videoDurationMs;
    if (item.durationMs < min || item.durationMs > max) {
      const range = min > 0 ? `${formatDuration(min)} to ${formatDuration(max)}` : `at most ${formatDuration(max)}`;
      issues.push({ path, code: 'video_duration', severity: 'error', message: `${name}: video ${index + 1} runs ${formatDuration(item.durationMs)}; ${name} accepts ${range}.` });
    }
  }
  if (m.videoAspect) {
    const issue = aspectIssue(rules, m.videoAspect, item, index, 'video');
    if (issue) issues.push(issue);
  }
  return issues;
}

function carouselIssues(rules: NetworkRules, media: VariantRulesMedia[]): VariantIssue[] {
  if (rules.network !== 'pinterest') return [];
  const images = media.filter((item) => item.kind === 'image');
  if (images.length < 2) return [];
  const first = images[0]!;
  const same = images.every((item) => item.width === first.width && item.height === first.height);
  return same
    ? []
    : [{ path: 'media', code: 'carousel_dimensions', severity: 'warning', message: 'Pinterest: carousel images should all have the same dimensions; Pinterest crops the others.' }];
}

/**
 * Every problem of a variant on its network, errors and warnings, each naming the field and the numbers.
 * Drafts may be saved with errors; submitting and scheduling refuse them (the caller decides).
 */
export function validateVariant(input: VariantRulesInput): VariantIssue[] {
  const rules = networkRules[input.network];
  const name = rules.displayName;
  const issues: VariantIssue[] = [];
  const text = input.text ?? '';
  const hasText = text.trim().length > 0;
  const hasLink = Boolean(input.link && input.link.trim());
  const media = input.media ?? [];

  if (rules.requires === 'text_link_or_media' && !hasText && !hasLink && media.length === 0) {
    issues.push({ path: 'text', code: 'content_required', severity: 'error', message: `${name}: write some text, or add a link or media.` });
  } else if (rules.requires === 'text_or_media' && !hasText && media.length === 0) {
    issues.push({ path: 'text', code: 'content_required', severity: 'error', message: `${name}: write some text or add media.` });
  }
  issues.push(...textIssues(rules, text, 'text', rules.textLabel));
  issues.push(...mediaCountIssues(rules, media));
  media.forEach((item, index) => issues.push(...mediaItemIssues(rules, item, index)));
  issues.push(...carouselIssues(rules, media));

  if (input.link && input.link.length > rules.maxLink) {
    issues.push({ path: 'link', code: 'link_too_long', severity: 'error', message: `${name}: the link has ${thousands(input.link.length)} of ${thousands(rules.maxLink)} characters.` });
  }

  const options = input.options ?? {};
  if (rules.maxTitle !== null && options.title && codePointLength(options.title) > rules.maxTitle) {
    issues.push({ path: 'options.title', code: 'title_too_long', severity: 'error', message: `${name}: the title has ${codePointLength(options.title)} of ${rules.maxTitle} characters.` });
  }
  if (rules.needsBoard && !(options.boardId && options.boardId.trim())) {
    const kinds = input.destinationKinds;
    if (kinds !== undefined && (kinds.length === 0 || kinds.some((kind) => kind !== 'board'))) {
      issues.push({ path: 'options.boardId', code: 'board_required', severity: 'error', message: `${name}: choose a board (this destination is not a board).` });
    }
  }
  const thread = options.thread ?? [];
  if (rules.thread) {
    if (thread.length > rules.thread.maxPosts) {
      issues.push({ path: 'options.thread', code: 'thread_too_long', severity: 'error', message: `${name}: the thread has ${thread.length} follow-up posts; at most ${rules.thread.maxPosts}.` });
    }
    thread.forEach((post, index) => {
      const path = `options.thread.${index}`;
      if (!post.trim()) {
        issues.push({ path, code: 'thread_post_empty', severity: 'error', message: `${name}: follow-up post ${index + 1} is empty — write it or remove it.` });
        return;
      }
      issues.push(...textIssues(rules, post, path, `follow-up post ${index + 1}`));
    });
  } else if (thread.length > 0) {
    issues.push({ path: 'options.thread', code: 'thread_unsupported', severity: 'warning', message: `${name}: threads are an X feature; the follow-up posts are not published here.` });
  }
  return issues;
}

export function hasErrors(issues: VariantIssue[]): boolean {
  return issues.some((issue) => issue.severity === 'error');
}

// ---------------------------------------------------------------------------------------------------------
// Previews (console: apps/web/src/shared/previews)

/** What a per-network preview shows: the resolved variant as one destination will display it. */
export type VariantPreview = {
  network: NetworkId;
  /** The page, profile, account or board name. */
  destinationName: string;
  destinationKind?: string | null;
  /** Avatar of the destination, when known. */
  pictureUrl?: string | null;
  text: string;
  link: string | null;
  /** Signed URLs of renditions fit for display (thumb/medium). */
  media: Array<{ url: string; kind: VariantMediaKind; altText: string | null; width: number | null; height: number | null }>;
  options: VariantRulesOptions;
  /** From validateVariant; the preview lists them. */
  issues: VariantIssue[];
};
