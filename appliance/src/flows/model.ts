/**
 * Call flows as data: a graph of nodes, each naming the node that follows. The graphical editor
 * edits this shape; the compiler turns a published version into dialplan. The schema checks each
 * node's own fields; `validateFlow` checks the graph (edges, reachability, exits).
 */
import { Type, type Static } from '@sinclair/typebox';

const NodeId = Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$', description: 'node id' });
const PromptName = Type.String({ pattern: '^[a-z][a-z0-9_-]{0,47}$', description: 'prompt name' });
const Digit = Type.String({ pattern: '^[0-9*#]$' });
export const Language = Type.Union([Type.Literal('kk'), Type.Literal('ru')]);
export type Language = Static<typeof Language>;

export const FlowNode = Type.Union([
  Type.Object(
    {
      type: Type.Literal('play'),
      prompt: PromptName,
      next: NodeId,
      /** Hearing this prompt to the end completes the call in the IVR (e.g. after hours). */
      completes: Type.Optional(Type.Boolean()),
    },
    { additionalProperties: false, description: 'Plays a prompt in the caller’s language' },
  ),
  Type.Object(
    {
      type: Type.Literal('language'),
      prompt: PromptName,
      options: Type.Record(Digit, Language),
      default: Language,
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 30 }),
      next: NodeId,
    },
    { additionalProperties: false, description: 'Caller chooses the language (SVC-14)' },
  ),
  Type.Object(
    {
      type: Type.Literal('menu'),
      prompt: PromptName,
      options: Type.Record(Digit, NodeId),
      timeoutSeconds: Type.Integer({ minimum: 1, maximum: 30 }),
      retries: Type.Integer({ minimum: 0, maximum: 5 }),
      /** Where a caller who never chooses goes; absent: the call ends. */
      onTimeout: Type.Optional(NodeId),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('hours'), open: NodeId, closed: NodeId },
    { additionalProperties: false, description: 'Working hours and the holiday calendar (SVC-4)' },
  ),
  Type.Object(
    {
      type: Type.Literal('queue'),
      /** A queue name, or `by-language` for the queue of the caller's language. */
      queue: Type.String({ pattern: '^(by-language|[a-z][a-z0-9_]{0,31})$' }),
      /** Where a caller goes when the queue gives up (time-out, nobody logged in). */
      next: Type.Optional(NodeId),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('transfer'),
      number: Type.String({ pattern: '^\\+?[0-9]{3,15}$' }),
      next: Type.Optional(NodeId),
    },
    { additionalProperties: false, description: 'Sends the call to an external number' },
  ),
  Type.Object(
    {
      type: Type.Literal('callback'),
      prompt: PromptName,
      confirmPrompt: PromptName,
      next: Type.Optional(NodeId),
    },
    { additionalProperties: false, description: 'Offers a callback request (press 1)' },
  ),
  Type.Object(
    { type: Type.Literal('message'), prompt: PromptName },
    { additionalProperties: false, description: 'Plays a message and ends the call in the IVR' },
  ),
  Type.Object(
    {
      type: Type.Literal('set'),
      name: Type.String({ pattern: '^KCC_[A-Z0-9_]{1,30}$' }),
      value: Type.String({ pattern: '^[A-Za-z0-9_.-]{0,64}$' }),
      next: NodeId,
    },
    { additionalProperties: false },
  ),
  Type.Object(
    { type: Type.Literal('goto_flow'), flow: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$' }) },
    { additionalProperties: false },
  ),
]);
export type FlowNode = Static<typeof FlowNode>;

export const FlowGraph = Type.Object(
  {
    start: NodeId,
    nodes: Type.Record(Type.String({ pattern: '^[a-z][a-z0-9_]{0,31}$' }), FlowNode, {
      minProperties: 1,
      maxProperties: 200,
    }),
  },
  { additionalProperties: false },
);
export type FlowGraph = Static<typeof FlowGraph>;

/** The nodes a node can lead to, with the field that names each. */
export function edges(node: FlowNode): Array<{ field: string; to: string }> {
  switch (node.type) {
    case 'play':
    case 'language':
    case 'set':
      return [{ field: 'next', to: node.next }];
    case 'menu':
      return [
        ...Object.entries(node.options).map(([d, to]) => ({ field: `options.${d}`, to })),
        ...(node.onTimeout ? [{ field: 'onTimeout', to: node.onTimeout }] : []),
      ];
    case 'hours':
      return [
        { field: 'open', to: node.open },
        { field: 'closed', to: node.closed },
      ];
    case 'queue':
    case 'transfer':
    case 'callback':
      return node.next ? [{ field: 'next', to: node.next }] : [];
    case 'message':
    case 'goto_flow':
      return [];
  }
}

/** Nodes that end the flow (the call leaves it or can leave it from here). */
export function canExit(node: FlowNode): boolean {
  switch (node.type) {
    case 'message':
    case 'goto_flow':
    case 'queue':
    case 'transfer':
    case 'callback':
      return true;
    case 'menu':
      return node.onTimeout === undefined;
    default:
      return false;
  }
}
