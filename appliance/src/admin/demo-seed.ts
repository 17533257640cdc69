/**
 * Demo data: operators, a second-line engineer, a supervisor and an observer, and a carrier trunk
 * on loopback so sipp can play the carrier. Only with `demo: true`; idempotent.
 */
import type { Language, Role } from '../db/schema.js';
import type { PbxStore } from '../pbx/store.js';
import type { AuthService } from './auth-service.js';
import type { UserStore } from './users-store.js';

export const DEMO_PASSWORD = 'demo-kcc-2026';

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
  return created;
}
