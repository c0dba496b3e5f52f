import type { SiteHandle, SiteSettings } from '../contract.js';
import { buildApp } from './app.js';

/** The release's entry point (SITE_ENTRY): what each application-server worker calls. */
export async function start(settings: SiteSettings): Promise<SiteHandle> {
  const app = await buildApp(settings);
  try {
    await app.listen({ host: settings.host, port: settings.port });
  } catch (error) {
    // A busy port must not leave the pool open and the worker hanging.
    await app.close();
    throw error;
  }
  return {
    close: () => app.close(),
    probe: async (path) => (await app.inject({ method: 'GET', url: path })).statusCode,
  };
}
