/**
 * Roles are named sets of permissions (ADM-36). Routes and WebSocket topics check permissions,
 * never role names, so a custom role later is a new set here, not a code change elsewhere.
 */
import type { Role } from '../db/schema.js';

export const PERMISSIONS = [
  'calls:read',
  'summary:read',
  'health:read',
  'softphone:use',
  'users:manage',
  'audit:read',
  'pbx:manage',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ROLES: readonly Role[] = [
  'operator',
  'second_line',
  'supervisor',
  'administrator',
  'observer',
];

const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  operator: ['calls:read', 'summary:read', 'health:read', 'softphone:use'],
  second_line: ['calls:read', 'summary:read', 'health:read', 'softphone:use'],
  supervisor: ['calls:read', 'summary:read', 'health:read', 'softphone:use'],
  // The administrator has what the supervisor has except operator functions (ADM-36).
  administrator: [
    'calls:read',
    'summary:read',
    'health:read',
    'users:manage',
    'audit:read',
    'pbx:manage',
  ],
  // The customer's observer sees availability figures only: no numbers, names or recordings (OBS-13).
  observer: ['summary:read', 'health:read'],
};

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** Roles that get a WebRTC endpoint in the PBX. */
export function hasSoftphone(role: Role): boolean {
  return ROLE_PERMISSIONS[role].includes('softphone:use');
}
