import { i18n } from '../../lib/i18n/i18n.svelte';
import type { KbCategory } from '../../lib/managers/kb-manager.svelte';

/** A category's name in the UI language, with its parents: "Оплата › Филиалы". */
export function categoryName(all: readonly KbCategory[], category: KbCategory): string {
  const names: string[] = [];
  const seen = new Set<number>();
  for (let c: KbCategory | undefined = category; c && !seen.has(c.id);) {
    seen.add(c.id);
    names.unshift(ownName(c));
    const parentId: number | null = c.parentId;
    c = parentId === null ? undefined : all.find((x) => x.id === parentId);
  }
  return names.join(' › ');
}

function ownName(c: KbCategory): string {
  switch (i18n.language) {
    case 'kk':
      return c.nameKk;
    case 'ru':
      return c.nameRu;
    default:
      return c.nameEn;
  }
}
