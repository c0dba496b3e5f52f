import { X509Certificate } from 'node:crypto';
import type { ResolvedConfig } from '../../core/config/load.js';
import { isWebstackError, WebstackError } from '../../core/errors.js';
import type { StatePaths } from '../../core/paths.js';
import type { Host } from '../../host/host.js';
import { AcmeFailure, issueCertificate, type ProblemDocument } from './acme.js';

/** What is known of a certificate in use. */
export interface CertificateInfo {
  names: string[];
  issuer: string;
  serial: string;
  notAfter: string;
}

/** The last issuance or renewal, kept under the state dir for `status`, `tls status` and `doctor`. */
export interface AcmeAttempt {
  at: string;
  ok: boolean;
  code?: string;
  message?: string;
  fix?: string;
  problem?: ProblemDocument | null;
}

export interface CertificateStatus {
  directory: string;
  /** Across lbs, on an lb that does not issue: the lb it takes the pair from. */
  takenFrom?: string;
  certificate: CertificateInfo | null;
  renewBeforeDays: number;
  lastAttempt: AcmeAttempt | null;
}

const DAY_MS = 86_400_000;

/** The first certificate of a PEM chain, or null when there is none (or it cannot be read). */
export function certificateInfo(pem: string | null): CertificateInfo | null {
  if (!pem) return null;
  try {
    const cert = new X509Certificate(pem);
    return {
      names: (cert.subjectAltName ?? '')
        .split(', ')
        .filter((entry) => entry.startsWith('DNS:'))
        .map((entry) => entry.slice(4)),
      issuer: cert.issuer.replaceAll('\n', ', '),
      serial: cert.serialNumber,
      notAfter: new Date(cert.validTo).toISOString(),
    };
  } catch {
    return null;
  }
}

/** Whether a certificate should be (re)issued now: missing, or within renewBeforeDays of expiry. */
export function renewalDue(info: CertificateInfo | null, renewBeforeDays: number, now = Date.now()): boolean {
  return info === null || Date.parse(info.notAfter) - now <= renewBeforeDays * DAY_MS;
}

export async function readAcmeState(host: Host, paths: StatePaths): Promise<AcmeAttempt | null> {
  const text = await host.readText(paths.tls.acme.state);
  if (!text) return null;
  try {
    return (JSON.parse(text) as { lastAttempt?: AcmeAttempt }).lastAttempt ?? null;
  } catch {
    return null;
  }
}

/**
 * The site's certificate from ACME: issued when missing, renewed within renewBeforeDays of
 * expiry (checked every checkSeconds), installed with `reload` (nginx -t, then a graceful
 * reload). A failure leaves the pair in use in place and is kept for `status`; the next check
 * retries it.
 */
export class CertificateManager {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;
  private running: Promise<CertificateStatus> | null = null;

  constructor(
    private readonly host: Host,
    private readonly config: ResolvedConfig,
    private readonly paths: StatePaths,
    private readonly reload: () => Promise<void>,
    private readonly log: (line: string) => void,
  ) {}

  private get acme() {
    const acme = this.config.https.acme;
    if (!acme) throw new WebstackError('ACME_NOT_CONFIGURED');
    return acme;
  }

  /** Renews when due (or always, with force); one at a time. Throws the coded error of a failure. */
  renew(options: { force: boolean }): Promise<CertificateStatus> {
    this.running ??= this.attempt(options.force).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async attempt(force: boolean): Promise<CertificateStatus> {
    const { host, paths } = this;
    const live = paths.tls.acme;
    const before = certificateInfo(await host.readText(live.certificate));
    if (!force && !renewalDue(before, this.acme.renewBeforeDays)) return this.status();
    this.log(
      before ? `renewing the certificate (expires ${before.notAfter})` : 'getting a certificate from ACME',
    );
    const staged = { certificate: `${live.certificate}.new`, key: `${live.key}.new` };
    try {
      const caBundle = this.acme.caBundle ? await host.readText(this.acme.caBundle) : null;
      await issueCertificate(host, {
        directory: this.acme.directory,
        ...(this.acme.email ? { email: this.acme.email } : {}),
        ...(caBundle ? { caBundle } : {}),
        names: [this.config.siteHost, this.config.domain],
        accountKey: live.accountKey,
        webroot: live.webroot,
        ...staged,
      });
      await this.install(staged);
    } catch (error) {
      const failure = error instanceof AcmeFailure ? error : null;
      const coded = failure?.error ?? (isWebstackError(error) ? error : null);
      await this.record({
        at: new Date().toISOString(),
        ok: false,
        code: coded?.code ?? 'ACME_FAILED',
        message: coded?.message ?? (error as Error).message,
        ...(coded ? { fix: coded.fix } : {}),
        problem: failure?.problem ?? null,
      });
      this.log(
        `certificate: ${coded?.code ?? 'ACME_FAILED'}: ${coded?.message ?? (error as Error).message}` +
          (failure?.problem ? ` problem: ${JSON.stringify(failure.problem)}` : ''),
      );
      throw coded ?? error;
    } finally {
      await host.remove(staged.certificate);
      await host.remove(staged.key);
    }
    const after = certificateInfo(await host.readText(live.certificate));
    this.log(`certificate installed: serial ${after?.serial}, expires ${after?.notAfter}`);
    await this.record({ at: new Date().toISOString(), ok: true });
    return this.status();
  }

  /**
   * Installs a pair given as PEM texts (the other lb's, shipped by pair-sync.ts): staged beside the
   * live files (key 0600), then swapped in and reloaded like an issued one, the previous pair put
   * back if nginx refuses it.
   */
  async installPair(certificate: string, key: string): Promise<void> {
    const { host } = this;
    const live = this.paths.tls.acme;
    const staged = { certificate: `${live.certificate}.new`, key: `${live.key}.new` };
    try {
      await host.writeAtomic(staged.key, key, { mode: 0o600 });
      await host.writeAtomic(staged.certificate, certificate, { mode: 0o644 });
      await this.install(staged);
    } finally {
      await host.remove(staged.certificate);
      await host.remove(staged.key);
    }
  }

  /** Swaps the new pair in and reloads nginx; puts the previous pair back if nginx refuses it. */
  private async install(staged: { certificate: string; key: string }): Promise<void> {
    const { host } = this;
    const live = this.paths.tls.acme;
    const previous = {
      certificate: await host.readText(live.certificate),
      key: await host.readText(live.key),
    };
    await host.rename(staged.key, live.key);
    await host.rename(staged.certificate, live.certificate);
    try {
      await this.reload();
    } catch (error) {
      if (previous.certificate !== null && previous.key !== null) {
        await host.writeAtomic(live.key, previous.key, { mode: 0o600 });
        await host.writeAtomic(live.certificate, previous.certificate, { mode: 0o644 });
      } else {
        await host.remove(live.key);
        await host.remove(live.certificate);
      }
      await this.reload().catch(() => {});
      throw error;
    }
  }

  private async record(lastAttempt: AcmeAttempt): Promise<void> {
    await this.host.writeAtomic(this.paths.tls.acme.state, `${JSON.stringify({ lastAttempt }, null, 2)}\n`, {
      mode: 0o600,
    });
  }

  async status(): Promise<CertificateStatus> {
    return {
      directory: this.acme.directory,
      certificate: certificateInfo(await this.host.readText(this.paths.tls.acme.certificate)),
      renewBeforeDays: this.acme.renewBeforeDays,
      lastAttempt: await readAcmeState(this.host, this.paths),
    };
  }

  /**
   * Checks every checkSeconds; a failure is logged and kept, and the next check retries. While
   * there is no certificate at all (the first issuance failed: the names did not point here yet),
   * it tries every minute at most.
   */
  start(): void {
    const schedule = async () => {
      const has = await this.host.exists(this.paths.tls.acme.certificate).catch(() => true);
      if (this.stopped) return;
      const seconds = has ? this.acme.checkSeconds : Math.min(this.acme.checkSeconds, 60);
      this.timer = setTimeout(() => {
        void this.renew({ force: false })
          .catch(() => {})
          .then(schedule);
      }, seconds * 1000);
      this.timer.unref();
    };
    this.stopped = false;
    void schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
