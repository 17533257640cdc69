/**
 * Debian's Chromium driven by playwright-core (never a downloaded browser), with the flags this
 * closed network needs and a fake microphone, as an operator's workstation would run it.
 * playwright gives every launch a fresh, empty profile of its own.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.KCC_CHROMIUM ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      '--allow-loopback-in-peer-connection',
      '--disable-features=WebRtcHideLocalIpsWithMdns',
    ],
  });
}

export async function newContext(
  browser: Browser,
  width = 1366,
  height = 768,
): Promise<BrowserContext> {
  // The controller's certificate is issued by its own CA, which a real workstation installs;
  // this throw-away browser profile accepts it instead.
  return browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: { width, height },
    permissions: ['microphone'],
    locale: 'ru-RU',
    timezoneId: 'Asia/Almaty',
  });
}
