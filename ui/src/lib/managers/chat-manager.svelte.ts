import { api as defaultApi, ApiError, toApiError, type ApiClient } from '../api';
import {
  MAX_MESSAGE_LENGTH,
  type ChatColleague,
  type ChatConversation,
  type ChatConversationList,
  type ChatMessage,
  type ChatMessageEvent,
  type ChatMessagePage,
  type ChatReadEvent,
} from '../chat/types';
import type { Role } from '../types';
import { live as defaultLive, type LiveManager } from './live-manager.svelte';
import { Usage } from './usage';

/** Messages fetched per page of a conversation. */
export const PAGE_SIZE = 50;

/** One conversation's messages as far as they have been loaded (oldest first). */
export interface ChatThread {
  items: ChatMessage[];
  hasMore: boolean;
  loading: boolean;
  error: ApiError | null;
}

/** A message on its way: shown at once, kept with its client id until the controller has it. */
export interface OutgoingMessage {
  clientId: string;
  conversationId: number;
  body: string;
  state: 'sending' | 'failed';
  error: ApiError | null;
}

export interface ChatManagerOptions {
  /** Whether the person can see the page (the tab is shown): only then are messages read. */
  isVisible?: () => boolean;
  newClientId?: () => string;
}

function defaultVisible(): boolean {
  return typeof document === 'undefined' || document.visibilityState === 'visible';
}

function defaultClientId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') {
    return crypto.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/** The title of a conversation: the group's name, the other person, or the role a broadcast reaches. */
export function conversationTitle(
  c: ChatConversation,
  me: string | null,
  roleName: (role: Role) => string,
  broadcastTitle: (roleName: string) => string,
): string {
  if (c.kind === 'group') return c.name ?? '';
  if (c.kind === 'broadcast') return broadcastTitle(c.audienceRole ? roleName(c.audienceRole) : '');
  const other = c.participants.find((p) => p.username !== me) ?? c.participants[0];
  return other?.displayName ?? '';
}

function byActivity(a: ChatConversation, b: ChatConversation): number {
  return b.lastActivityAt.localeCompare(a.lastActivityAt) || b.id - a.id;
}

function mergeMessages(items: readonly ChatMessage[], more: readonly ChatMessage[]): ChatMessage[] {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a local index, not rendered state
  const byId = new Map<number, ChatMessage>();
  for (const m of [...items, ...more]) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * The internal chat of the signed-in user: their conversations with unread counts, the open
 * conversation's messages, drafts per conversation, and messages being sent. Kept current by the
 * `chat` topic; a message in the open conversation is marked read only while the panel is open
 * and the page is visible.
 */
export class ChatManager {
  #me = $state<string | null>(null);
  #open = $state(false);
  #conversations = $state.raw<ChatConversation[]>([]);
  #loaded = $state(false);
  #loading = $state(false);
  #error = $state.raw<ApiError | null>(null);
  #activeId = $state<number | null>(null);
  #threads = $state.raw<Record<number, ChatThread>>({});
  #drafts = $state.raw<Record<number, string>>({});
  #outgoing = $state.raw<OutgoingMessage[]>([]);
  #colleagues = $state.raw<ChatColleague[]>([]);
  #colleaguesLoaded = $state(false);
  #actionError = $state.raw<ApiError | null>(null);
  #busy = $state(false);
  readonly #usage = new Usage();
  readonly #api: ApiClient;
  readonly #live: LiveManager;
  readonly #isVisible: () => boolean;
  readonly #newClientId: () => string;

  constructor(
    client: ApiClient = defaultApi,
    liveManager: LiveManager = defaultLive,
    options: ChatManagerOptions = {},
  ) {
    this.#api = client;
    this.#live = liveManager;
    this.#isVisible = options.isVisible ?? defaultVisible;
    this.#newClientId = options.newClientId ?? defaultClientId;
  }

  get me(): string | null {
    return this.#me;
  }
  get isOpen(): boolean {
    return this.#open;
  }
  get conversations(): ChatConversation[] {
    return this.#conversations;
  }
  get loaded(): boolean {
    return this.#loaded;
  }
  get loading(): boolean {
    return this.#loading;
  }
  get error(): ApiError | null {
    return this.#error;
  }
  get activeId(): number | null {
    return this.#activeId;
  }
  get active(): ChatConversation | null {
    return this.#conversations.find((c) => c.id === this.#activeId) ?? null;
  }
  get activeThread(): ChatThread | null {
    return this.#activeId === null ? null : (this.#threads[this.#activeId] ?? null);
  }
  get activeOutgoing(): OutgoingMessage[] {
    return this.#outgoing.filter((o) => o.conversationId === this.#activeId);
  }
  get colleagues(): ChatColleague[] {
    return this.#colleagues;
  }
  get colleaguesLoaded(): boolean {
    return this.#colleaguesLoaded;
  }
  get actionError(): ApiError | null {
    return this.#actionError;
  }
  get busy(): boolean {
    return this.#busy;
  }
  get unreadTotal(): number {
    return this.#conversations.reduce((n, c) => n + c.unread, 0);
  }

  draft(conversationId: number): string {
    return this.#drafts[conversationId] ?? '';
  }

  setDraft(conversationId: number, text: string): void {
    this.#drafts = { ...this.#drafts, [conversationId]: text };
  }

  /** Starts following the user's conversations; returns the function that stops it. */
  start(username: string): () => void {
    if (this.#me !== username) this.reset();
    this.#me = username;
    return this.#usage.acquire(() => {
      void this.load();
      const offMessage = this.#live.follow(
        'chat',
        'chat.message',
        (e) => this.receive(e),
        () => void this.#resync(),
      );
      const offRead = this.#live.on('chat.read', (e) => this.receiveRead(e));
      const offConversation = this.#live.on('chat.conversation', () => void this.load());
      const onVisibility = () => this.markActiveRead();
      if (typeof document !== 'undefined') {
        document.addEventListener('visibilitychange', onVisibility);
      }
      return () => {
        offMessage();
        offRead();
        offConversation();
        if (typeof document !== 'undefined') {
          document.removeEventListener('visibilitychange', onVisibility);
        }
      };
    });
  }

  reset(): void {
    this.#me = null;
    this.#open = false;
    this.#conversations = [];
    this.#loaded = false;
    this.#loading = false;
    this.#error = null;
    this.#activeId = null;
    this.#threads = {};
    this.#drafts = {};
    this.#outgoing = [];
    this.#colleagues = [];
    this.#colleaguesLoaded = false;
    this.#actionError = null;
    this.#busy = false;
  }

  async load(): Promise<void> {
    this.#loading = true;
    try {
      const list = await this.#api.get<ChatConversationList>('/api/chat/conversations');
      // A conversation opened here but not written in yet is not listed: keep it.
      const kept = this.#conversations.filter(
        (c) => c.id === this.#activeId && !list.items.some((i) => i.id === c.id),
      );
      this.#conversations = [...list.items, ...kept].sort(byActivity);
      this.#error = null;
      this.#loaded = true;
      this.markActiveRead();
    } catch (error) {
      this.#error = toApiError(error);
    } finally {
      this.#loading = false;
    }
  }

  /** After a reconnect: the list and the open conversation may have missed messages. */
  async #resync(): Promise<void> {
    await this.load();
    const id = this.#activeId;
    if (id !== null && this.#threads[id]) await this.#fetchThread(id, null);
  }

  toggle(): void {
    if (this.#open) this.hide();
    else this.show();
  }

  show(): void {
    this.#open = true;
    if (!this.#loaded && !this.#loading) void this.load();
    this.markActiveRead();
  }

  hide(): void {
    this.#open = false;
  }

  /** Opens a conversation in the panel (null: back to the list). */
  select(conversationId: number | null): void {
    this.#actionError = null;
    this.#activeId = conversationId;
    if (conversationId === null) return;
    if (!this.#threads[conversationId]) void this.#fetchThread(conversationId, null);
    this.markActiveRead();
  }

  async loadOlder(): Promise<void> {
    const id = this.#activeId;
    const thread = id === null ? null : this.#threads[id];
    if (id === null || !thread || !thread.hasMore || thread.loading) return;
    await this.#fetchThread(id, thread.items[0]?.id ?? null);
  }

  async #fetchThread(id: number, before: number | null): Promise<void> {
    const current = this.#threads[id];
    this.#setThread(id, {
      items: current?.items ?? [],
      hasMore: current?.hasMore ?? false,
      loading: true,
      error: null,
    });
    try {
      const page = await this.#api.get<ChatMessagePage>(`/api/chat/conversations/${id}/messages`, {
        query: { limit: PAGE_SIZE, ...(before === null ? {} : { before }) },
      });
      const items = this.#threads[id]?.items ?? [];
      this.#setThread(id, {
        items: mergeMessages(items, page.items),
        // Reloading the newest page says nothing about what lies before the older ones kept.
        hasMore:
          before === null && items.length > 0 ? (current?.hasMore ?? page.hasMore) : page.hasMore,
        loading: false,
        error: null,
      });
      this.markActiveRead();
    } catch (error) {
      this.#setThread(id, {
        items: this.#threads[id]?.items ?? [],
        hasMore: this.#threads[id]?.hasMore ?? false,
        loading: false,
        error: toApiError(error),
      });
    }
  }

  retryThread(): void {
    if (this.#activeId !== null) void this.#fetchThread(this.#activeId, null);
  }

  #setThread(id: number, thread: ChatThread): void {
    this.#threads = { ...this.#threads, [id]: thread };
  }

  #updateConversation(id: number, change: (c: ChatConversation) => ChatConversation): void {
    this.#conversations = this.#conversations
      .map((c) => (c.id === id ? change(c) : c))
      .sort(byActivity);
  }

  #upsertConversation(conversation: ChatConversation): void {
    this.#conversations = [
      conversation,
      ...this.#conversations.filter((c) => c.id !== conversation.id),
    ].sort(byActivity);
  }

  /** A `chat.message` event (or the answer to one's own send). */
  receive(e: ChatMessageEvent): void {
    const { conversationId, message } = e;
    const known = this.#conversations.some((c) => c.id === conversationId);
    if (!known) {
      void this.load();
    } else {
      const mine = message.author?.username === this.#me;
      this.#updateConversation(conversationId, (c) => {
        const newer = !c.lastMessage || message.id > c.lastMessage.id;
        // An event seen before (a resync, one's own answer) is not newer than the last message.
        const unreadNow = newer && !mine && message.id > c.lastReadMessageId;
        return {
          ...c,
          lastMessage: newer ? message : c.lastMessage,
          lastActivityAt: newer ? message.createdAt : c.lastActivityAt,
          // Writing in a conversation reads it up to one's own message (as the controller does).
          lastReadMessageId: mine ? Math.max(c.lastReadMessageId, message.id) : c.lastReadMessageId,
          unread: mine ? 0 : unreadNow ? c.unread + 1 : c.unread,
        };
      });
    }
    const thread = this.#threads[conversationId];
    if (thread)
      this.#setThread(conversationId, { ...thread, items: mergeMessages(thread.items, [message]) });
    if (message.clientId) {
      this.#outgoing = this.#outgoing.filter((o) => o.clientId !== message.clientId);
    }
    this.markActiveRead();
  }

  /** A `chat.read` event: one's own mark (another tab) or a colleague's. */
  receiveRead(e: ChatReadEvent): void {
    this.#updateConversation(e.conversationId, (c) =>
      e.username === this.#me
        ? {
            ...c,
            lastReadMessageId: Math.max(c.lastReadMessageId, e.lastReadMessageId),
            unread: e.lastReadMessageId >= c.lastReadMessageId ? e.unread : c.unread,
          }
        : {
            ...c,
            participants: c.participants.map((p) =>
              p.username === e.username ? { ...p, lastReadMessageId: e.lastReadMessageId } : p,
            ),
          },
    );
  }

  /** Marks the open conversation read when the person can actually see it. */
  markActiveRead(): void {
    const c = this.active;
    if (!c || !this.#open || !this.#isVisible()) return;
    const newest = c.lastMessage?.id ?? 0;
    if (c.unread === 0 && newest <= c.lastReadMessageId) return;
    this.#updateConversation(c.id, (x) => ({ ...x, unread: 0, lastReadMessageId: newest }));
    this.#api.post<ChatReadEvent>(`/api/chat/conversations/${c.id}/read`, { upTo: newest }).then(
      (r) => this.receiveRead(r),
      () => {
        // Left unread on the controller: the next load shows it again.
      },
    );
  }

  /** Sends the draft of the open conversation. False when there is nothing to send. */
  send(): boolean {
    const id = this.#activeId;
    if (id === null) return false;
    const body = this.draft(id);
    if (body.trim() === '' || body.length > MAX_MESSAGE_LENGTH) return false;
    const outgoing: OutgoingMessage = {
      clientId: this.#newClientId(),
      conversationId: id,
      body,
      state: 'sending',
      error: null,
    };
    this.#outgoing = [...this.#outgoing, outgoing];
    this.setDraft(id, '');
    void this.#deliver(outgoing);
    return true;
  }

  /** Sends a failed message again with the same client id: it cannot arrive twice. */
  retry(clientId: string): void {
    const o = this.#outgoing.find((x) => x.clientId === clientId);
    if (!o || o.state === 'sending') return;
    const again: OutgoingMessage = { ...o, state: 'sending', error: null };
    this.#outgoing = this.#outgoing.map((x) => (x.clientId === clientId ? again : x));
    void this.#deliver(again);
  }

  /** Gives up a failed message; its text goes back to the draft when the draft is empty. */
  discard(clientId: string): void {
    const o = this.#outgoing.find((x) => x.clientId === clientId);
    if (!o) return;
    this.#outgoing = this.#outgoing.filter((x) => x.clientId !== clientId);
    if (this.draft(o.conversationId).trim() === '') this.setDraft(o.conversationId, o.body);
  }

  async #deliver(o: OutgoingMessage): Promise<void> {
    try {
      const message = await this.#api.post<ChatMessage>(
        `/api/chat/conversations/${o.conversationId}/messages`,
        { body: o.body, clientId: o.clientId },
      );
      this.receive({ conversationId: o.conversationId, message });
    } catch (error) {
      this.#outgoing = this.#outgoing.map((x) =>
        x.clientId === o.clientId ? { ...x, state: 'failed', error: toApiError(error) } : x,
      );
    }
  }

  async loadColleagues(): Promise<void> {
    try {
      const { items } = await this.#api.get<{ items: ChatColleague[] }>('/api/chat/colleagues');
      this.#colleagues = items;
      this.#colleaguesLoaded = true;
      this.#actionError = null;
    } catch (error) {
      this.#actionError = toApiError(error);
    }
  }

  /** Opens (creating on first use) the direct conversation with a colleague. */
  async openDirect(username: string): Promise<boolean> {
    return this.#act(async () => {
      const c = await this.#api.post<ChatConversation>('/api/chat/direct', { username });
      this.#upsertConversation(c);
      this.select(c.id);
    });
  }

  async createGroup(name: string, members: string[]): Promise<boolean> {
    return this.#act(async () => {
      const c = await this.#api.post<ChatConversation>('/api/chat/groups', { name, members });
      this.#upsertConversation(c);
      this.select(c.id);
    });
  }

  async broadcast(role: Role, body: string): Promise<boolean> {
    return this.#act(async () => {
      const r = await this.#api.post<{ conversation: ChatConversation; message: ChatMessage }>(
        '/api/chat/broadcasts',
        { role, body, clientId: this.#newClientId() },
      );
      this.#upsertConversation(r.conversation);
      this.receive({ conversationId: r.conversation.id, message: r.message });
      this.select(r.conversation.id);
    });
  }

  clearActionError(): void {
    this.#actionError = null;
  }

  async #act(work: () => Promise<void>): Promise<boolean> {
    this.#busy = true;
    this.#actionError = null;
    try {
      await work();
      return true;
    } catch (error) {
      this.#actionError = error instanceof ApiError ? error : toApiError(error);
      return false;
    } finally {
      this.#busy = false;
    }
  }
}

export const chatManager = new ChatManager();
