/**
 * An operator's console in the test browser: signs in, goes Ready, and keeps every
 * RTCPeerConnection the page makes so a test can read its getStats().
 */
import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ok, type Api } from './controller.js';

export const PASSWORD = 'demo-kcc-2026';

export interface EndedCall {
  id: string;
  state: string;
  talkSeconds: number | null;
  segments: Array<{
    agent: string;
    startedAt: string;
    endedAt: string | null;
    talkSeconds: number | null;
  }>;
}

/** The call as `GET /api/calls` lists it once it has ended. */
export async function waitForEndedCall(api: Api, callId: string): Promise<EndedCall> {
  let found: EndedCall | undefined;
  await expect
    .poll(
      async () => {
        const list = await ok(api.get<{ items: EndedCall[] }>('/api/calls'));
        found = list.items.find((c) => c.id === callId);
        return found?.state;
      },
      { timeout: 15_000 },
    )
    .toBe('ended');
  return found!;
}

/** Keeps every RTCPeerConnection the page makes, so the test can read its getStats(). */
const RECORD_PEERS = `(() => {
  const Native = window.RTCPeerConnection;
  window.__kccPeers = [];
  window.RTCPeerConnection = function (...args) {
    const pc = new Native(...args);
    window.__kccPeers.push(pc);
    return pc;
  };
  window.RTCPeerConnection.prototype = Native.prototype;
})();`;

/** Audio RTP packets the page has received, over all its peer connections. */
export async function inboundPackets(page: Page): Promise<number> {
  return page.evaluate<number>(`(async () => {
    let packets = 0;
    for (const pc of window.__kccPeers) {
      const stats = await pc.getStats();
      stats.forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'audio') packets += s.packetsReceived || 0;
      });
    }
    return packets;
  })()`);
}

/** Signs `username` in on a new page of `context` and sets them Ready. */
export async function signInOperator(
  context: BrowserContext,
  url: string,
  username: string,
): Promise<Page> {
  await context.addInitScript(RECORD_PEERS);
  const page = await context.newPage();
  await page.goto(url);
  await page.getByTestId('login-username').fill(username);
  await page.getByTestId('login-password').fill(PASSWORD);
  await page.getByTestId('login-password').press('Enter');
  await page.waitForURL(/#\/operator/, { timeout: 15_000 });
  // Ready to take calls: signing in leaves an operator not ready until they say so.
  await page.getByTestId('status-ready').click();
  await expect
    .poll(() => page.getByTestId('status-control').getAttribute('data-status'), {
      timeout: 10_000,
    })
    .toBe('ready');
  return page;
}

/** A request with the page's own session (cookie and CSRF token), as the console would make it. */
export async function pageApi<T = unknown>(
  page: Page,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  return page.evaluate(
    async ({ method, path, body }) => {
      const me = (await (await fetch('/api/auth/me')).json()) as { csrfToken: string };
      const res = await fetch(path, {
        method,
        headers: {
          'content-type': 'application/json',
          ...(method === 'GET' ? {} : { 'x-csrf-token': me.csrfToken }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json().catch(() => null)) as T };
    },
    { method, path, body },
  );
}

/** Whether the page's microphone track is sending (false when muted). */
export async function microphoneEnabled(page: Page): Promise<boolean> {
  return page.evaluate<boolean>(`(() => {
    let enabled = false;
    for (const pc of window.__kccPeers) {
      for (const s of pc.getSenders()) if (s.track && s.track.kind === 'audio') enabled = enabled || s.track.enabled;
    }
    return enabled;
  })()`);
}
