/**
 * Demo data: operators, a second-line engineer, a supervisor and an observer, and a carrier trunk
 * on loopback so sipp can play the carrier. Only with `demo: true`; idempotent.
 */
import type { Language, Role } from '../db/schema.js';
import type { PbxStore } from '../pbx/store.js';
import { DEMO_KB_ARTICLES, DEMO_KB_CATEGORIES } from '../servicedesk/kb/demo-content.js';
import type { KbService } from '../servicedesk/kb/service.js';
import type { AuthService } from './auth-service.js';
import type { UserStore } from './users-store.js';

export const DEMO_PASSWORD = 'demo-kcc-2026';

/** The customer's branches in three regions, with made-up numbers (transfers go to the trunk). */
const DEMO_BRANCHES = [
  { region: 'Алматы', regionId: 'almaty', name: 'Алматинский филиал', number: '+77270000001' },
  { region: 'Астана', regionId: 'astana', name: 'Филиал в Астане', number: '+77170000001' },
  {
    region: 'Карагандинская область',
    regionId: 'karaganda',
    name: 'Карагандинский филиал',
    number: '+77210000001',
  },
];

export const DEMO_USERS: Array<{
  username: string;
  displayName: string;
  role: Role;
  language: Language;
  languages?: Array<'kk' | 'ru'>;
}> = [
  {
    username: 'operator1',
    displayName: 'Әсел Нұрланқызы',
    role: 'operator',
    language: 'kk',
    languages: ['kk'],
  },
  { username: 'operator2', displayName: 'Ирина Ковальчук', role: 'operator', language: 'ru' },
  { username: 'operator3', displayName: 'Дәурен Сейітов', role: 'operator', language: 'kk' },
  { username: 'secondline1', displayName: 'Ерлан Жақсыбеков', role: 'second_line', language: 'ru' },
  { username: 'supervisor1', displayName: 'Гүлнар Әбенова', role: 'supervisor', language: 'kk' },
  { username: 'observer1', displayName: 'Kazteleradio observer', role: 'observer', language: 'ru' },
];

export async function seedDemo(
  auth: AuthService,
  users: UserStore,
  pbx: PbxStore,
): Promise<string[]> {
  const created: string[] = [];
  for (const u of DEMO_USERS) {
    if (await users.byUsername(u.username)) continue;
    await auth.createUser({ ...u, password: DEMO_PASSWORD });
    created.push(u.username);
  }
  if ((await pbx.trunks()).length === 0) await pbx.upsertTrunk('carrier', ['127.0.0.1']);
  if (!(await pbx.hasBranches())) {
    for (const b of DEMO_BRANCHES) await pbx.addBranch(b);
  }
  return created;
}

/** Demo knowledge base: categories and published articles in Kazakh and Russian, once. */
export async function seedDemoKnowledgeBase(kb: KbService): Promise<number> {
  return kb.seed(DEMO_KB_CATEGORIES, DEMO_KB_ARTICLES, 'system');
}
