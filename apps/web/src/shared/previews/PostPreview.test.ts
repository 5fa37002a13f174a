import { networkIds, validateVariant, type VariantPreview, type VariantRulesInput } from '@omni/contracts/network-rules';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { i18next, loadLanguage } from '../i18n/i18n';
import { PostPreview } from './PostPreview';

/** Previews driven by network-rules: the same validator the server runs produces the issues they show. */
function previewOf(input: Partial<VariantRulesInput> & Pick<VariantRulesInput, 'network'>, extra: Partial<VariantPreview> = {}): VariantPreview {
  const variant: VariantRulesInput = { text: 'Hello', media: [], link: null, options: {}, ...input };
  return {
    network: variant.network,
    destinationName: 'Bella Bakery',
    destinationKind: variant.destinationKinds?.[0] ?? null,
    text: variant.text,
    link: variant.link,
    media: variant.media.map((item, index) => ({ url: `https://cdn.example.com/${index}.jpg`, kind: item.kind, altText: item.altText ?? null, width: item.width, height: item.height })),
    options: variant.options,
    issues: validateVariant(variant),
    ...extra,
  };
}

const render = (preview: VariantPreview) => renderToStaticMarkup(createElement(PostPreview, { preview }));
const image = (width = 1080, height = 1080) => ({ kind: 'image' as const, mimeType: 'image/jpeg', width, height, altText: 'Fresh bread' });
const count = (html: string, needle: string) => html.split(needle).length - 1;

describe('post previews', () => {
  beforeAll(async () => {
    await i18next.changeLanguage('en');
  });

  it('renders every network with its name and a ready line when the variant has no issues', () => {
    for (const network of networkIds) {
      const html = render(previewOf({ network, media: [image(1080, 1350)], destinationKinds: network === 'pinterest' ? ['board'] : undefined }));
      expect(html).toContain(`data-network="${network}"`);
      expect(html).toContain('data-testid="preview-ready"');
    }
  });

  it('Facebook: highlights links and hashtags, folds long text, shows a link card without media, escapes HTML', () => {
    const text = `<script>alert(1)</script> New loaves at https://bella.example.com/bread #Fresh ${'word '.repeat(120)}`;
    const html = render(previewOf({ network: 'facebook', text, link: 'https://www.bella.example.com/menu' }));
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<span class="text-primary">https://bella.example.com/bread</span>');
    expect(html).toContain('<span class="text-primary">#Fresh</span>');
    expect(html).toContain('… more');
    expect(html).toContain('bella.example.com');
    expect(html).toMatch(/\d+ of 63206 characters/);
  });

  it('Instagram: without media shows the placeholder and the validator’s error', () => {
    const html = render(previewOf({ network: 'instagram', text: 'Caption' }));
    expect(html).toContain('Add an image or video');
    expect(html).toContain('data-severity="error"');
    expect(html).toContain('Instagram: add at least one image or video.');
  });

  it('Instagram: a 9:16 image is named with the accepted range', () => {
    const html = render(previewOf({ network: 'instagram', media: [image(), image(1080, 1920)] }));
    expect(html).toContain('Instagram: image 2 is 9:16; Instagram accepts 4:5 to 1.91:1 — crop it or pick another.');
    expect(html).toContain('1 of 2');
  });

  it('X: a thread shows each post with its weighted count, and a too-long follow-up’s error on that post', () => {
    const html = render(previewOf({ network: 'x', text: 'Thread start 🧵', options: { thread: ['Second', '😀'.repeat(141)] } }));
    expect(count(html, 'data-testid="x-post"')).toBe(3);
    expect(html).toContain('Post 2 of 3');
    expect(html).toContain('15 of 280 characters');
    expect(html).toMatch(/font-semibold text-danger" data-testid="character-count">282 of 280 characters/);
    expect(html).toContain('X: follow-up post 2 has 282 of 280 characters');
    // The thread's issue shows on its post, not again below.
    expect(count(html, 'X: follow-up post 2 has')).toBe(1);
    expect(html).not.toContain('data-testid="preview-ready"');
  });

  it('Pinterest: names the board, or says none is chosen with the error', () => {
    const onBoard = render(previewOf({ network: 'pinterest', media: [image(1000, 1500)], options: { title: 'Sourdough' }, destinationKinds: ['board'] }));
    expect(onBoard).toContain('Board: Bella Bakery');
    expect(onBoard).toContain('Sourdough');
    const onProfile = render(previewOf({ network: 'pinterest', media: [image(1000, 1500)], destinationKinds: ['profile'] }));
    expect(onProfile).toContain('No board chosen');
    expect(onProfile).toContain('Pinterest: choose a board (this destination is not a board).');
  });

  it('LinkedIn: folds after about 210 characters with "see more"; warnings follow errors', () => {
    const html = render(previewOf({ network: 'linkedin', text: 'a '.repeat(200) }));
    expect(html).toContain('…see more');
    const mixed = render(
      previewOf({ network: 'pinterest', media: [image(500, 1500)], destinationKinds: ['profile'] }),
    );
    expect(mixed.indexOf('data-severity="error"')).toBeLessThan(mixed.indexOf('data-severity="warning"'));
  });

  it('speaks German when the console does', async () => {
    await loadLanguage('de');
    await i18next.changeLanguage('de');
    try {
      const html = render(previewOf({ network: 'sandbox', text: '' , media: [image()] }));
      expect(html).toContain('Noch kein Text');
      expect(html).toContain('Bereit für Sandbox.');
    } finally {
      await i18next.changeLanguage('en');
    }
  });
});
