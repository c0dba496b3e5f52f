import type { SiteHandle, SiteSettings } from '../contract.js';
import { buildApp } from './app.js';

/** The release's entry point (SITE_ENTRY): what each application-server worker calls. */
export async function start(settings: SiteSettings): Promise<SiteHandle> {
  const app = await buildApp(settings);
  await app.listen({ host: settings.host, port: settings.port });
  return {
    close: () => app.close(),
    probe: async (path) => (await app.inject({ method: 'GET', url: path })).statusCode,
  };
}
