// Operator statuses (OP-32); spread into en.ts. agents-kk.ts and agents-ru.ts provide the same keys.
export const agentsEn = {
  'agents.status.ready': 'Ready',
  'agents.status.not_ready': 'Not ready',
  'agents.status.after_call_work': 'After-call work',
  'agents.status.offline': 'Signed out',
  'agents.status.unreachable': 'Unreachable',

  'agents.control.label': 'My status',
  'agents.control.ready': 'Ready',
  'agents.control.readyTitle': 'Ready to take calls (F2)',
  'agents.control.notReady': 'Not ready',
  'agents.control.notReadyTitle': 'Not ready: choose a reason (F3)',
  'agents.control.reasons': 'Reason for not ready',
  'agents.control.since': 'for {time}',
  'agents.control.acwLeft': '{time} left',
  'agents.control.unreachable':
    'Your phone is not reachable: calls do not come to you until it is back.',
  'agents.control.signedIn': 'Choose Ready when you are ready to take calls.',
  'agents.control.error': 'Status not changed: {message}',
  'agents.control.loadError': 'Your status could not be loaded.',

  'agents.floor.title': 'Operators',
  'agents.floor.empty': 'No operators yet.',
  'agents.floor.error': 'Operators could not be loaded.',
  'agents.floor.name': 'Operator',
  'agents.floor.status': 'Status',
  'agents.floor.reason': 'Reason',
  'agents.floor.time': 'In status',
  'agents.floor.ready': '{n} ready',
  'agents.floor.unreachableHint': 'The phone is not reachable; was: {status}',
} as const;
