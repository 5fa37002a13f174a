import { describe, expect, it } from 'vitest';
import { contrastRatio, readableTextOn } from './contrast';

describe('text colour on a brand colour', () => {
  it('picks white on dark brand colours and dark text on light ones', () => {
    expect(readableTextOn('#4f46e5')).toBe('#ffffff');
    expect(readableTextOn('#0f766e')).toBe('#ffffff');
    expect(readableTextOn('#fde047')).toBe('#0b0d12');
    expect(readableTextOn('#fff')).toBe('#0b0d12');
  });

  it('computes the WCAG contrast ratio', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 0);
    expect(contrastRatio('#777777', '#777777')).toBeCloseTo(1, 5);
  });
});
