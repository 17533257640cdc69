import { describe, expect, it } from 'vitest';
import { i18n } from '../../lib/i18n/i18n.svelte';
import type { KbCategory } from '../../lib/managers/kb-manager.svelte';
import { canOpen, parseHash } from '../../lib/router.svelte';
import { categoryName } from './kb-view';

const categories: KbCategory[] = [
  { id: 1, parentId: null, nameKk: 'Төлем', nameRu: 'Оплата', nameEn: 'Payment', position: 0 },
  { id: 2, parentId: 1, nameKk: 'Филиалдар', nameRu: 'Филиалы', nameEn: 'Branches', position: 1 },
];

describe('knowledge-base view', () => {
  it('is open to everyone who answers subscribers or writes articles, not to the observer', () => {
    for (const role of ['operator', 'second_line', 'supervisor', 'administrator'] as const) {
      expect(canOpen(role, 'kb'), role).toBe(true);
    }
    expect(canOpen('observer', 'kb')).toBe(false);
    expect(parseHash('#/kb')).toBe('kb');
  });

  it('names a category with its parents in the UI language', () => {
    i18n.choose('ru');
    expect(categoryName(categories, categories[1]!)).toBe('Оплата › Филиалы');
    i18n.choose('kk');
    expect(categoryName(categories, categories[1]!)).toBe('Төлем › Филиалдар');
  });
});
