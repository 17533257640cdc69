import { describe, expect, it } from 'vitest';
import { en } from './en';
import { browserLanguage, interpolate } from './i18n.svelte';
import { kk } from './kk';
import { ru } from './ru';

describe('i18n', () => {
  it('keeps the same placeholders in every language', () => {
    const names = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en) as Array<keyof typeof en>) {
      expect(names(kk[key]), `kk ${key}`).toEqual(names(en[key]));
      expect(names(ru[key]), `ru ${key}`).toEqual(names(en[key]));
    }
  });

  it('fills placeholders', () => {
    expect(interpolate('до {time}', { time: '15:04' })).toBe('до 15:04');
  });

  it('picks the browser language the UI speaks, Russian otherwise', () => {
    expect(browserLanguage(['kk-KZ', 'ru'])).toBe('kk');
    expect(browserLanguage(['de-DE', 'en-US'])).toBe('en');
    expect(browserLanguage(['de-DE'])).toBe('ru');
  });
});
