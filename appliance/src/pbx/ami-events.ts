/**
 * The AMI events the controller's session receives. Asterisk sends a manager session every event
 * of its read classes unless the account has filters; a queued call with recording produces about
 * 160 events, most of them VarSet and Newexten lines the controller never reads. manager.conf gets
 * one include filter per name below (Asterisk's name filters are a hash lookup, not a regex over
 * the payload), so both Asterisk and the controller skip the rest.
 *
 * The list holds what the call facts read now and what the operator window and the supervisor
 * floor read (bridges, dials, transfers, holds, queue members, contacts). Replies to actions
 * (CoreShowChannel, QueueMember …) are not events in this sense and are never filtered.
 */
export const AMI_EVENT_NAMES = [
  // Call facts (calls/reducer.ts)
  'Newchannel',
  'Newstate',
  'Hangup',
  'UserEvent',
  'QueueCallerJoin',
  'QueueCallerLeave',
  'QueueCallerAbandon',
  'AgentCalled',
  'AgentConnect',
  'AgentComplete',
  'AgentRingNoAnswer',
  // Who talks with whom: segments, transfers, conferences, supervision
  'BridgeEnter',
  'BridgeLeave',
  'DialBegin',
  'DialEnd',
  'BlindTransfer',
  'AttendedTransfer',
  'Hold',
  'Unhold',
  'ChanSpyStart',
  'ChanSpyStop',
  // Keypad digits (operators' keypads, callers' menu choices): one event per digit
  'DTMFEnd',
  // Operators: queue membership, pauses, phones
  'QueueMemberAdded',
  'QueueMemberRemoved',
  'QueueMemberPause',
  'QueueMemberStatus',
  'ContactStatus',
  // PBX life cycle
  'FullyBooted',
  'Reload',
  'Shutdown',
] as const;

/**
 * Newexten only from the carrier's context: the DID the carrier dialled shows there (the reducer
 * reads it), while every other dialplan step would be one more event per call.
 */
export const AMI_NEWEXTEN_CONTEXT = 'kcc-from-trunk';

/** manager.conf `eventfilter` lines for the controller's account. */
export function amiEventFilterLines(): string[] {
  return [
    ...AMI_EVENT_NAMES.map((name) => `eventfilter(action(include),name(${name}))=`),
    `eventfilter(action(include),name(Newexten),header(Context),method(exact))=${AMI_NEWEXTEN_CONTEXT}`,
  ];
}
