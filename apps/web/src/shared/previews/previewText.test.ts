import { describe, expect, it } from 'vitest';
import { foldText, issuesAt, linkHost, segmentText } from './previewText';

describe('preview text helpers', () => {
  it('folds long texts at a word boundary, counting code points', () => {
    expect(foldText('short', 125)).toEqual({ shown: 'short', folded: false });
    expect(foldText('one two three four', 10)).toEqual({ shown: 'one two', folded: true });
    expect(foldText('😀😀😀😀', 2)).toEqual({ shown: '😀😀', folded: true });
    expect(foldText('a'.repeat(300), null)).toEqual({ shown: 'a'.repeat(300), folded: false });
  });

  it('finds links, hashtags and mentions, leaving trailing punctuation and e-mail addresses alone', () => {
    expect(segmentText('New menu at https://example.com/menu. #Food @bella_cafe, mail me@example.com')).toEqual([
      { kind: 'text', value: 'New menu at ' },
      { kind: 'link', value: 'https://example.com/menu' },
      { kind: 'text', value: '. ' },
      { kind: 'hashtag', value: '#Food' },
      { kind: 'text', value: ' ' },
      { kind: 'mention', value: '@bella_cafe' },
      { kind: 'text', value: ', mail me@example.com' },
    ]);
    expect(segmentText('')).toEqual([]);
    expect(segmentText('#1 is not a tag, #café is')).toEqual([
      { kind: 'text', value: '#1 is not a tag, ' },
      { kind: 'hashtag', value: '#café' },
      { kind: 'text', value: ' is' },
    ]);
  });

  it('selects the issues of a field and its children', () => {
    const issues = [
      { path: 'media', code: 'a', severity: 'error' as const, message: 'a' },
      { path: 'media.1', code: 'b', severity: 'error' as const, message: 'b' },
      { path: 'mediaX', code: 'c', severity: 'error' as const, message: 'c' },
      { path: 'text', code: 'd', severity: 'warning' as const, message: 'd' },
    ];
    expect(issuesAt(issues, 'media').map((issue) => issue.code)).toEqual(['a', 'b']);
    expect(issuesAt(issues, 'media.1').map((issue) => issue.code)).toEqual(['b']);
  });

  it('shows the host of a link', () => {
    expect(linkHost('https://www.example.com/a?b=1')).toBe('example.com');
    expect(linkHost('not a url')).toBe('not a url');
  });
});
