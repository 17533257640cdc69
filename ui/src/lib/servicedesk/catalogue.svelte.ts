import { api } from '../api';
import type { Language } from '../types';
import type { Catalogue, Names } from './types';

/** Regions, services, branches and the rules of each ticket type: loaded once per session. */
class CatalogueStore {
  #data = $state.raw<Catalogue | null>(null);
  #loading: Promise<Catalogue> | null = null;

  get data(): Catalogue | null {
    return this.#data;
  }

  load(): Promise<Catalogue> {
    if (this.#data) return Promise.resolve(this.#data);
    this.#loading ??= api.get<Catalogue>('/api/servicedesk/catalogue').then(
      (c) => {
        this.#data = c;
        return c;
      },
      (error: unknown) => {
        this.#loading = null;
        throw error;
      },
    );
    return this.#loading;
  }

  regionName(id: string | null, lang: Language): string {
    const r = this.#data?.regions.find((x) => x.id === id);
    return r ? nameIn(r.names, lang) : (id ?? '—');
  }

  serviceName(id: string | null, lang: Language): string {
    const s = this.#data?.services.find((x) => x.id === id);
    return s ? nameIn(s.names, lang) : (id ?? '—');
  }

  branchName(id: number | null): string {
    return this.#data?.branches.find((b) => b.id === id)?.name ?? '—';
  }

  reset(): void {
    this.#data = null;
    this.#loading = null;
  }
}

export function nameIn(names: Names, lang: Language): string {
  return names[lang] || names.ru;
}

export const catalogue = new CatalogueStore();
