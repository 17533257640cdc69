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
  'AgentConnect',
  'AgentComplete',
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
  'ContactStatus',
  // PBX life cycle
  'FullyBooted',
  'Reload',
  'Shutdown',
] as const;

/**
 * Events Asterisk does not make at all (manager.conf `disabledevents`, Asterisk 22+). A session's
 * filters only decide what it receives: Asterisk still builds every event for every session, and
 * the dialplan alone raises a Newexten for each step a call takes (a hundred and more through the
 * IVR). None of these is read by the controller: the DID comes with Newchannel and the dialplan's
 * own KccInbound event, queue progress with the events above. Events a later feature needs come
 * off this list.
 */
export const AMI_DISABLED_EVENTS = [
  'Newexten',
  'VarSet',
  'NewCallerid',
  'NewConnectedLine',
  'NewAccountCode',
  'DialState',
  'DeviceStateChange',
  'ExtensionStatus',
  'MusicOnHoldStart',
  'MusicOnHoldStop',
  'QueueMemberStatus',
  'QueueCallerLeave',
  'AgentCalled',
  'AgentRingNoAnswer',
  'LocalBridge',
  'LocalOptimizationBegin',
  'LocalOptimizationEnd',
  'MixMonitorStart',
  'MixMonitorStop',
  'DTMFBegin',
  'HangupRequest',
  'SoftHangupRequest',
  'HangupHandlerPush',
  'HangupHandlerRun',
  'HangupHandlerPop',
  'BridgeCreate',
  'BridgeDestroy',
  'BridgeMerge',
  'BridgeVideoSourceUpdate',
  'NewPeerAccount',
  'ChannelTalkingStart',
  'ChannelTalkingStop',
  'PresenceStateChange',
  'MessageWaiting',
] as const;

/** manager.conf `eventfilter` lines for the controller's account. */
export function amiEventFilterLines(): string[] {
  return AMI_EVENT_NAMES.map((name) => `eventfilter(action(include),name(${name}))=`);
}
