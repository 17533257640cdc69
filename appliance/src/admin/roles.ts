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
  // Service Desk (SD-30): work tickets; see every ticket and the daily checks; settings.
  'tickets:work',
  'tickets:supervise',
  'servicedesk:manage',
  // Knowledge base (KB-16/17): search and read; write and publish articles.
  'kb:read',
  'kb:write',
  // Internal chat (OP-32, SUP-33): talk with colleagues; create groups and broadcast to a role.
  'chat:use',
  'chat:manage',
  // Operator statuses (OP-32): see the floor and the status log; set an operator's status.
  'floor:read',
  'floor:manage',
  // The center's availability figures (OBS-13, SLA-21): counts and times only, never a name,
  // number, recording or ticket, so the customer's observer can hold it.
  'availability:read',
  // The center's own reference data staff work with (pause reasons, branch numbers): not the
  // observer's business.
  'directory:read',
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
  operator: [
    'calls:read',
    'summary:read',
    'health:read',
    'softphone:use',
    'tickets:work',
    'kb:read',
    'chat:use',
    'directory:read',
  ],
  second_line: [
    'calls:read',
    'summary:read',
    'health:read',
    'softphone:use',
    'tickets:work',
    'kb:read',
    'chat:use',
    'directory:read',
  ],
  supervisor: [
    'calls:read',
    'summary:read',
    'health:read',
    'softphone:use',
    'tickets:work',
    'tickets:supervise',
    'kb:read',
    'kb:write',
    'chat:use',
    'chat:manage',
    'floor:read',
    'floor:manage',
    'availability:read',
    'directory:read',
  ],
  // The administrator has what the supervisor has except operator functions (ADM-36).
  administrator: [
    'calls:read',
    'summary:read',
    'health:read',
    'users:manage',
    'audit:read',
    'pbx:manage',
    'tickets:supervise',
    'servicedesk:manage',
    'kb:read',
    'kb:write',
    'chat:use',
    'chat:manage',
    'floor:read',
    'floor:manage',
    'availability:read',
    'directory:read',
  ],
  // The customer's observer sees availability figures only: no numbers, names or recordings
  // (OBS-13). Everything it may open is listed in http/observer-access.test.ts.
  observer: ['availability:read', 'summary:read', 'health:read'],
};

export function permissionsOf(role: Role): readonly Permission[] {
  return ROLE_PERMISSIONS[role];
}

/** Roles that get a WebRTC endpoint in the PBX. */
export function hasSoftphone(role: Role): boolean {
  return ROLE_PERMISSIONS[role].includes('softphone:use');
}
