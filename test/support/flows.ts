/** Flows the tests publish through the API, and putting the shipped one back. */
import { ok, type Api } from './controller.js';

export const SERVICES = ['193', '88000800193', '77272581500'];

/** Saves and publishes `graph` as flow `id`; returns the version. */
export async function publishFlow(api: Api, id: string, graph: unknown): Promise<number> {
  const { version } = await ok<{ version: number }>(
    api.post(`/api/flows/${id}/versions`, { name: id, graph }),
    `save flow ${id}`,
  );
  await ok(api.post(`/api/flows/${id}/publish`, { version }), `publish flow ${id}`);
  return version;
}

export async function routeServices(api: Api, flowId: string, services = SERVICES): Promise<void> {
  for (const number of services) {
    await ok(api.put(`/api/services/${number}/flow`, { flowId }), `route ${number}`);
  }
}

/** A flow that keeps callers on the line for minutes: a menu waiting long for a digit. */
export async function usePatientFlow(api: Api): Promise<void> {
  await publishFlow(api, 'patient', {
    start: 'wait',
    nodes: {
      wait: {
        type: 'menu',
        prompt: 'greeting',
        options: { '9': 'bye' },
        timeoutSeconds: 30,
        retries: 5,
        onTimeout: 'bye',
      },
      bye: { type: 'message', prompt: 'goodbye' },
    },
  });
  await routeServices(api, 'patient');
}

export async function restoreMainFlow(api: Api): Promise<void> {
  await routeServices(api, 'main');
}
