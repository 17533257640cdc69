/**
 * Operator segments of a call, from bridge events (pure). queue_log credits a whole transferred
 * conversation to the first operator and does not log attended transfers through Local channels
 * at all, so who talks with the caller is read from the bridges instead:
 *
 * - the call's channels are tracked with the bridge each is in (BridgeEnter / BridgeLeave /
 *   Hangup); a Local channel pair (`Local/x;1`, `Local/x;2`) is one wire between two bridges;
 * - an operator is *connected* when a path of bridges and Local pairs joins their channel to the
 *   caller's;
 * - one operator *has* the call at a time (the owner, whose segment is open). The owner keeps it
 *   while connected, and also while nobody else is (on hold, or consulting a colleague during an
 *   attended transfer); the call passes to a connected colleague when the owner is no longer
 *   connected (attended transfer completed, blind transfer answered) or hangs up.
 *
 * So each operator's segment is their own talk time, the segments never overlap, and together
 * they cover the conversation except the moments the caller waited for the next operator.
 */
import type { CallFact, CallLinks, CallSegment, ReduceContext } from './reducer.js';

const EMPTY: CallLinks = { channels: {}, callerBridge: null, owner: null };

/** `PJSIP/operator1-0000001a` → `operator1`; null for other technologies. */
export function pjsipEndpoint(channel: string): string | null {
  if (!channel.startsWith('PJSIP/')) return null;
  const dash = channel.lastIndexOf('-');
  return dash > 6 ? channel.slice(6, dash) : null;
}

/** The other half of a Local channel pair, or null. */
function localPeer(channel: string): string | null {
  if (!channel.startsWith('Local/')) return null;
  if (channel.endsWith(';1')) return `${channel.slice(0, -2)};2`;
  if (channel.endsWith(';2')) return `${channel.slice(0, -2)};1`;
  return null;
}

function isOperatorChannel(call: CallFact, channel: string, ctx: ReduceContext): boolean {
  const endpoint = pjsipEndpoint(channel);
  if (!endpoint) return false;
  if (ctx.isOperator) return ctx.isOperator(endpoint);
  return endpoint !== pjsipEndpoint(call.channel ?? '');
}

/** Operator channels joined to the caller through bridges and Local pairs, in a stable order. */
export function connectedOperators(call: CallFact, ctx: ReduceContext): string[] {
  const links = call.links ?? EMPTY;
  if (links.callerBridge === null) return [];
  const byBridge = new Map<string, string[]>();
  for (const [channel, bridge] of Object.entries(links.channels)) {
    if (bridge === null) continue;
    const list = byBridge.get(bridge);
    if (list) list.push(channel);
    else byBridge.set(bridge, [channel]);
  }
  const seenBridges = new Set<string>([links.callerBridge]);
  const pending = [links.callerBridge];
  const found: string[] = [];
  while (pending.length > 0) {
    const bridge = pending.shift()!;
    for (const channel of byBridge.get(bridge) ?? []) {
      if (isOperatorChannel(call, channel, ctx)) found.push(channel);
      const peer = localPeer(channel);
      const peerBridge = peer ? links.channels[peer] : null;
      if (peerBridge && !seenBridges.has(peerBridge)) {
        seenBridges.add(peerBridge);
        pending.push(peerBridge);
      }
    }
  }
  return found;
}

function closeOpen(segments: CallSegment[], agent: string, at: string): CallSegment[] {
  return segments.map((s) => (s.endedAt === null && s.agent === agent ? { ...s, endedAt: at } : s));
}

/** The owner hands the call to `channel` (or to nobody) at `at`. */
function handOver(
  call: CallFact,
  links: CallLinks,
  channel: string | null,
  at: string,
  queue: string | null = null,
): CallFact {
  let segments = call.segments;
  const previous = links.owner ? pjsipEndpoint(links.owner) : null;
  if (previous) segments = closeOpen(segments, previous, at);
  const agent = channel ? pjsipEndpoint(channel) : null;
  if (agent) segments = [...segments, { agent, queue, startedAt: at, endedAt: null }];
  return { ...call, segments, links: { ...links, owner: channel } };
}

/** Re-decides who has the call after the bridges changed. */
function settle(call: CallFact, links: CallLinks, at: string, ctx: ReduceContext): CallFact {
  const connected = connectedOperators({ ...call, links }, ctx);
  const owner = links.owner;
  const ownerAlive = owner !== null && owner in links.channels;
  if (ownerAlive && (connected.length === 0 || connected.includes(owner))) {
    return { ...call, links };
  }
  if (owner === null && connected.length === 0) return { ...call, links };
  return handOver(call, links, connected[0] ?? null, at);
}

/** A channel of the call appeared (an operator's leg, a Local channel, a trunk leg). */
export function channelCreated(call: CallFact, channel: string): CallFact {
  const links = call.links ?? EMPTY;
  if (channel in links.channels) return call;
  return { ...call, links: { ...links, channels: { ...links.channels, [channel]: null } } };
}

/** BridgeEnter (bridge id) or BridgeLeave (null) of one of the call's channels. */
export function bridgeChanged(
  call: CallFact,
  channel: string,
  bridge: string | null,
  own: boolean,
  at: string,
  ctx: ReduceContext,
): CallFact {
  const links = call.links ?? EMPTY;
  const next: CallLinks = own
    ? { ...links, callerBridge: bridge }
    : { ...links, channels: { ...links.channels, [channel]: bridge } };
  return settle(call, next, at, ctx);
}

/** A channel of the call other than the caller's hung up. */
export function channelGone(
  call: CallFact,
  channel: string,
  at: string,
  ctx: ReduceContext,
): CallFact {
  const links = call.links ?? EMPTY;
  if (!(channel in links.channels) && links.owner !== channel) return call;
  const channels = { ...links.channels };
  delete channels[channel];
  return settle(call, { ...links, channels }, at, ctx);
}

/**
 * AgentConnect: the queue connected `channel` (operator `agent`) to the caller. It opens the
 * operator's segment with the queue, or names the queue on the segment the bridge opened.
 */
export function agentConnected(
  call: CallFact,
  channel: string | null,
  agent: string,
  queue: string | null,
  at: string,
): CallFact {
  const links = call.links ?? EMPTY;
  const open = call.segments.find((s) => s.endedAt === null && s.agent === agent);
  if (open) {
    return {
      ...call,
      segments: call.segments.map((s) => (s === open ? { ...s, queue: s.queue ?? queue } : s)),
      links: channel && links.owner !== channel ? { ...links, owner: channel } : links,
    };
  }
  const known = channel && !(channel in links.channels) ? channelCreated(call, channel) : call;
  const withOwner = known.links ?? links;
  if (channel) return handOver(known, withOwner, channel, at, queue);
  // No channel named: open the segment without an owner channel to track.
  const previous = links.owner ? pjsipEndpoint(links.owner) : null;
  const closed = previous ? closeOpen(call.segments, previous, at) : call.segments;
  return {
    ...call,
    segments: [...closed, { agent, queue, startedAt: at, endedAt: null }],
    links: { ...links, owner: null },
  };
}

/** AgentComplete: the queue's operator left the call; their segment ends. */
export function agentCompleted(call: CallFact, agent: string, at: string): CallFact {
  const links = call.links ?? EMPTY;
  const segments = closeOpen(call.segments, agent, at);
  const owner = links.owner;
  if (owner === null || pjsipEndpoint(owner) !== agent) return { ...call, segments };
  // The leg is on its way out: it no longer counts as connected, so no bridge event still in
  // flight for it opens a sliver of a segment again.
  const channels = owner in links.channels ? { ...links.channels, [owner]: null } : links.channels;
  return { ...call, segments, links: { ...links, channels, owner: null } };
}

/**
 * After a gap in the event stream: the links of a live call from Asterisk's channel list
 * (CoreShowChannel gives each channel's BridgeId), with the owner of the open segment.
 */
export function linksFromChannels(
  call: CallFact,
  channels: ReadonlyArray<{ channel: string; uniqueid: string; bridge?: string | null }>,
): CallLinks {
  const links: { channels: Record<string, string | null>; callerBridge: string | null } = {
    channels: {},
    callerBridge: null,
  };
  for (const ch of channels) {
    if (ch.uniqueid === call.id) links.callerBridge = ch.bridge ?? null;
    else links.channels[ch.channel] = ch.bridge ?? null;
  }
  const open = call.segments.find((s) => s.endedAt === null);
  const owner = open
    ? (Object.keys(links.channels).find((c) => pjsipEndpoint(c) === open.agent) ?? null)
    : null;
  return { ...links, owner };
}
