import { describe, expect, it } from 'vitest';
import {
  codePointLength,
  countText,
  formatAspectRatio,
  hasErrors,
  networkIds,
  networkRules,
  renditionForNetwork,
  renditionSpecs,
  validateVariant,
  type VariantIssue,
  type VariantRulesInput,
  type VariantRulesMedia,
} from '@omni/contracts/network-rules';

const MB = 1024 * 1024;
const jpeg = (width = 1080, height = 1080, extra: Partial<VariantRulesMedia> = {}): VariantRulesMedia => ({ kind: 'image', mimeType: 'image/jpeg', width, height, byteSize: 500_000, ...extra });
const gif = (byteSize = 2 * MB): VariantRulesMedia => ({ kind: 'image', mimeType: 'image/gif', width: 480, height: 270, byteSize });
const mp4 = (durationMs = 30_000, width = 1080, height = 1920, extra: Partial<VariantRulesMedia> = {}): VariantRulesMedia => ({
  kind: 'video',
  mimeType: 'video/mp4',
  width,
  height,
  durationMs,
  byteSize: 50 * MB,
  ...extra,
});

function variant(network: VariantRulesInput['network'], partial: Partial<VariantRulesInput> = {}): VariantRulesInput {
  return { network, text: 'Hello', media: [], link: null, options: {}, ...partial };
}

const codes = (issues: VariantIssue[]) => issues.map((issue) => `${issue.severity}:${issue.path}:${issue.code}`);

type Row = { name: string; input: VariantRulesInput; expected: string[]; message?: string };

const rows: Row[] = [
  // facebook
  { name: 'facebook: text only is fine', input: variant('facebook'), expected: [] },
  { name: 'facebook: a link alone is fine', input: variant('facebook', { text: '', link: 'https://example.com' }), expected: [] },
  { name: 'facebook: nothing at all', input: variant('facebook', { text: ' ' }), expected: ['error:text:content_required'], message: 'Facebook: write some text, or add a link or media.' },
  { name: 'facebook: 63,206 characters fit', input: variant('facebook', { text: 'a'.repeat(63_206) }), expected: [] },
  { name: 'facebook: 63,207 characters', input: variant('facebook', { text: 'a'.repeat(63_207) }), expected: ['error:text:text_too_long'], message: 'Facebook: text has 63,207 of 63,206 characters.' },
  { name: 'facebook: 10 images fit', input: variant('facebook', { media: Array.from({ length: 10 }, () => jpeg()) }), expected: [] },
  { name: 'facebook: 11 images', input: variant('facebook', { media: Array.from({ length: 11 }, () => jpeg()) }), expected: ['error:media:too_many_media'] },
  { name: 'facebook: images and a video do not mix', input: variant('facebook', { media: [jpeg(), mp4()] }), expected: ['error:media:media_mixed'], message: 'Facebook: a post takes up to 10 images or one video, not a mix.' },
  { name: 'facebook: a video over 1 GB', input: variant('facebook', { media: [mp4(30_000, 1920, 1080, { byteSize: 1.5 * 1024 * MB })] }), expected: ['error:media.0:file_too_large'], message: 'Facebook: video 1 is 1.5 GB; at most 1 GB.' },
  // instagram
  { name: 'instagram: media is required', input: variant('instagram'), expected: ['error:media:media_required'], message: 'Instagram: add at least one image or video.' },
  { name: 'instagram: a square image', input: variant('instagram', { media: [jpeg()] }), expected: [] },
  { name: 'instagram: 4:5 and 1.91:1 are the bounds', input: variant('instagram', { media: [jpeg(1080, 1350), jpeg(1910, 1000)] }), expected: [] },
  {
    name: 'instagram: a 9:16 image',
    input: variant('instagram', { media: [jpeg(), jpeg(1080, 1920)] }),
    expected: ['error:media.1:aspect_ratio'],
    message: 'Instagram: image 2 is 9:16; Instagram accepts 4:5 to 1.91:1 — crop it or pick another.',
  },
  { name: 'instagram: an image narrower than 320 px', input: variant('instagram', { media: [jpeg(300, 300)] }), expected: ['error:media.0:image_too_small'] },
  { name: 'instagram: 2,200 characters of caption fit', input: variant('instagram', { media: [jpeg()], text: 'é'.repeat(2200) }), expected: [] },
  { name: 'instagram: caption over 2,200', input: variant('instagram', { media: [jpeg()], text: 'a'.repeat(2201) }), expected: ['error:text:text_too_long'], message: 'Instagram: caption has 2,201 of 2,200 characters.' },
  { name: 'instagram: 31 hashtags', input: variant('instagram', { media: [jpeg()], text: Array.from({ length: 31 }, (_, i) => `#tag${i}`).join(' ') }), expected: ['error:text:too_many_hashtags'] },
  { name: 'instagram: 30 hashtags fit', input: variant('instagram', { media: [jpeg()], text: Array.from({ length: 30 }, (_, i) => `#tag${i}`).join(' ') }), expected: [] },
  { name: 'instagram: 21 mentions', input: variant('instagram', { media: [jpeg()], text: Array.from({ length: 21 }, (_, i) => `@user${i}`).join(' ') }), expected: ['error:text:too_many_mentions'] },
  { name: 'instagram: a carousel may mix images and videos', input: variant('instagram', { media: [jpeg(), mp4(10_000, 1080, 1350)] }), expected: [] },
  { name: 'instagram: 11 items', input: variant('instagram', { media: Array.from({ length: 11 }, () => jpeg()) }), expected: ['error:media:too_many_media'] },
  { name: 'instagram: a 2 s video', input: variant('instagram', { media: [mp4(2000)] }), expected: ['error:media.0:video_duration'], message: 'Instagram: video 1 runs 2 s; Instagram accepts 3 s to 15 min.' },
  // x
  { name: 'x: 280 weighted characters fit', input: variant('x', { text: 'a'.repeat(280) }), expected: [] },
  { name: 'x: 141 CJK characters weigh 282', input: variant('x', { text: '日'.repeat(141) }), expected: ['error:text:text_too_long'] },
  {
    name: 'x: a long text with a link',
    input: variant('x', { text: `${'a'.repeat(288)} https://example.com/${'p'.repeat(60)}` }),
    expected: ['error:text:text_too_long'],
    message: 'X: text has 312 of 280 characters (links count as 23, emoji and most non-Latin characters as 2).',
  },
  { name: 'x: four images fit', input: variant('x', { media: [jpeg(), jpeg(), jpeg(), jpeg()] }), expected: [] },
  { name: 'x: five images', input: variant('x', { media: [jpeg(), jpeg(), jpeg(), jpeg(), jpeg()] }), expected: ['error:media:too_many_media'] },
  { name: 'x: a GIF and an image do not mix', input: variant('x', { media: [gif(), jpeg()] }), expected: ['error:media:media_mixed'], message: 'X: a post takes up to 4 images, one GIF or one video, not a mix.' },
  { name: 'x: two GIFs', input: variant('x', { media: [gif(), gif()] }), expected: ['error:media:too_many_gifs'] },
  { name: 'x: a GIF over 15 MB', input: variant('x', { media: [gif(16 * MB)] }), expected: ['error:media.0:file_too_large'] },
  { name: 'x: two videos', input: variant('x', { media: [mp4(10_000, 1280, 720), mp4(10_000, 1280, 720)] }), expected: ['error:media:too_many_videos'] },
  { name: 'x: a 141 s video', input: variant('x', { media: [mp4(141_000, 1280, 720)] }), expected: ['error:media.0:video_duration'] },
  { name: 'x: a 4:1 video', input: variant('x', { media: [mp4(10_000, 2000, 500)] }), expected: ['error:media.0:aspect_ratio'] },
  { name: 'x: a video over 512 MB', input: variant('x', { media: [mp4(10_000, 1280, 720, { byteSize: 600 * MB })] }), expected: ['error:media.0:file_too_large'] },
  { name: 'x: a thread of short posts', input: variant('x', { options: { thread: ['two', 'three'] } }), expected: [] },
  { name: 'x: an empty follow-up', input: variant('x', { options: { thread: ['two', ' '] } }), expected: ['error:options.thread.1:thread_post_empty'] },
  { name: 'x: a follow-up over 280', input: variant('x', { options: { thread: ['ok', '😀'.repeat(141)] } }), expected: ['error:options.thread.1:text_too_long'], message: 'X: follow-up post 2 has 282 of 280 characters (links count as 23, emoji and most non-Latin characters as 2).' },
  { name: 'x: 26 follow-ups', input: variant('x', { options: { thread: Array.from({ length: 26 }, () => 'more') } }), expected: ['error:options.thread:thread_too_long'] },
  { name: 'x: nothing at all', input: variant('x', { text: '' }), expected: ['error:text:content_required'] },
  // linkedin
  { name: 'linkedin: 3,000 characters fit', input: variant('linkedin', { text: 'a'.repeat(3000) }), expected: [] },
  { name: 'linkedin: 3,001 characters', input: variant('linkedin', { text: 'a'.repeat(3001) }), expected: ['error:text:text_too_long'] },
  { name: 'linkedin: 20 images fit', input: variant('linkedin', { media: Array.from({ length: 20 }, () => jpeg()) }), expected: [] },
  { name: 'linkedin: 21 images', input: variant('linkedin', { media: Array.from({ length: 21 }, () => jpeg()) }), expected: ['error:media:too_many_media'] },
  { name: 'linkedin: image and video', input: variant('linkedin', { media: [jpeg(), mp4()] }), expected: ['error:media:media_mixed'] },
  { name: 'linkedin: a 31 min video', input: variant('linkedin', { media: [mp4(31 * 60_000)] }), expected: ['error:media.0:video_duration'], message: 'LinkedIn: video 1 runs 31 min; LinkedIn accepts at most 30 min.' },
  { name: 'linkedin: a video over 500 MB', input: variant('linkedin', { media: [mp4(60_000, 1920, 1080, { byteSize: 501 * MB })] }), expected: ['error:media.0:file_too_large'] },
  // pinterest
  { name: 'pinterest: a 2:3 pin on a board', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['board'] }), expected: [] },
  { name: 'pinterest: media required', input: variant('pinterest', { destinationKinds: ['board'] }), expected: ['error:media:media_required'] },
  { name: 'pinterest: no board on a profile destination', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['profile'] }), expected: ['error:options.boardId:board_required'], message: 'Pinterest: choose a board (this destination is not a board).' },
  { name: 'pinterest: boardId satisfies the board rule', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['profile'], options: { boardId: '123' } }), expected: [] },
  { name: 'pinterest: unknown destinations skip the board rule', input: variant('pinterest', { media: [jpeg(1000, 1500)] }), expected: [] },
  { name: 'pinterest: description over 500', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['board'], text: 'a'.repeat(501) }), expected: ['error:text:text_too_long'], message: 'Pinterest: description has 501 of 500 characters.' },
  { name: 'pinterest: title over 100', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['board'], options: { title: 't'.repeat(101) } }), expected: ['error:options.title:title_too_long'] },
  { name: 'pinterest: link over 2,048', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['board'], link: `https://example.com/${'a'.repeat(2040)}` }), expected: ['error:link:link_too_long'] },
  { name: 'pinterest: alt text over 500', input: variant('pinterest', { media: [jpeg(1000, 1500, { altText: 'a'.repeat(501) })], destinationKinds: ['board'] }), expected: ['error:media.0.altText:alt_text_too_long'] },
  { name: 'pinterest: a very tall image is a warning', input: variant('pinterest', { media: [jpeg(500, 1500)], destinationKinds: ['board'] }), expected: ['warning:media.0:aspect_ratio'] },
  { name: 'pinterest: carousel of 5 same-size images', input: variant('pinterest', { media: Array.from({ length: 5 }, () => jpeg(1000, 1500)), destinationKinds: ['board'] }), expected: [] },
  { name: 'pinterest: carousel of 6', input: variant('pinterest', { media: Array.from({ length: 6 }, () => jpeg(1000, 1500)), destinationKinds: ['board'] }), expected: ['error:media:too_many_media'] },
  { name: 'pinterest: carousel of different sizes is a warning', input: variant('pinterest', { media: [jpeg(1000, 1500), jpeg(1000, 1000)], destinationKinds: ['board'] }), expected: ['warning:media:carousel_dimensions'] },
  { name: 'pinterest: image and video do not mix', input: variant('pinterest', { media: [jpeg(1000, 1500), mp4(10_000)], destinationKinds: ['board'] }), expected: ['error:media:media_mixed'] },
  { name: 'pinterest: a 3 s video', input: variant('pinterest', { media: [mp4(3000)], destinationKinds: ['board'] }), expected: ['error:media.0:video_duration'] },
  { name: 'pinterest: a 16:9 video is wider than 1.91:1? no, it fits', input: variant('pinterest', { media: [mp4(10_000, 1920, 1080)], destinationKinds: ['board'] }), expected: [] },
  { name: 'pinterest: a 9:21 video', input: variant('pinterest', { media: [mp4(10_000, 900, 2100)], destinationKinds: ['board'] }), expected: ['error:media.0:aspect_ratio'] },
  { name: 'pinterest: a thread is ignored with a warning', input: variant('pinterest', { media: [jpeg(1000, 1500)], destinationKinds: ['board'], options: { thread: ['x'] } }), expected: ['warning:options.thread:thread_unsupported'] },
  // sandbox
  { name: 'sandbox: text', input: variant('sandbox'), expected: [] },
  { name: 'sandbox: 20,001 characters', input: variant('sandbox', { text: 'a'.repeat(20_001) }), expected: ['error:text:text_too_long'] },
  { name: 'sandbox: 21 media', input: variant('sandbox', { media: Array.from({ length: 21 }, () => jpeg()) }), expected: ['error:media:too_many_media'] },
  { name: 'sandbox: images and videos mix', input: variant('sandbox', { media: [jpeg(), mp4()] }), expected: [] },
  { name: 'sandbox: empty', input: variant('sandbox', { text: '' }), expected: ['error:text:content_required'] },
];

describe('network rules, row by row', () => {
  it.each(rows.map((row) => [row.name, row] as const))('%s', (_name, row) => {
    const issues = validateVariant(row.input);
    expect(codes(issues)).toEqual(row.expected);
    if (row.message) expect(issues[0]?.message).toBe(row.message);
  });

  it('covers every network', () => {
    const covered = new Set(rows.map((row) => row.input.network));
    expect([...covered].sort()).toEqual([...networkIds].sort());
  });
});

describe('counting and helpers', () => {
  it('counts code points after NFC, not UTF-16 units', () => {
    expect(codePointLength('e\u0301')).toBe(1);
    expect(codePointLength('😀')).toBe(1);
    expect(countText('linkedin', '😀😀')).toBe(2);
    expect(countText('x', '😀😀')).toBe(4);
  });

  it('names aspect ratios', () => {
    expect(formatAspectRatio(1080, 1920)).toBe('9:16');
    expect(formatAspectRatio(1080, 1350)).toBe('4:5');
    expect(formatAspectRatio(1234, 1000)).toBe('1.23:1');
    expect(formatAspectRatio(1000, 2500)).toBe('1:2.5');
  });

  it('tells errors from warnings', () => {
    expect(hasErrors(validateVariant(variant('pinterest', { media: [jpeg(500, 1500)], destinationKinds: ['board'] })))).toBe(false);
    expect(hasErrors(validateVariant(variant('instagram')))).toBe(true);
  });

  it('defines a rendition for every network, with the limits the rules rely on', () => {
    for (const network of networkIds) expect(renditionSpecs[renditionForNetwork(network)]).toBeDefined();
    expect(renditionSpecs.instagram.maxWidth).toBe(1440);
    expect(renditionSpecs.facebook.maxBytes).toBe(4 * MB);
    expect(renditionSpecs.x.keepAnimatedGifUpToBytes).toBe(networkRules.x.media.gifMaxBytes);
  });
});
