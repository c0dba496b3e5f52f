import Type, { type Static } from 'typebox';

/** A host name or IPv4/IPv6 literal, without scheme or port. */
const Address = Type.String({ minLength: 1, maxLength: 253, pattern: '^[A-Za-z0-9.:_-]+$' });

/** What a host does: the front (Nginx), the application server, the database. */
export const ROLES = ['lb', 'app', 'db'] as const;
export type Role = (typeof ROLES)[number];

/** One machine of the inventory, and how the operator's machine reaches it. */
const HostSchema = Type.Object(
  {
    name: Type.String({
      pattern: '^[a-z][a-z0-9-]{0,62}$',
      description: 'a short name: lowercase letters, digits and dashes, starting with a letter',
    }),
    address: Address,
    roles: Type.Array(Type.Enum([...ROLES]), { minItems: 1, uniqueItems: true }),
    ssh: Type.Object(
      {
        user: Type.String({ default: 'root', pattern: '^[a-z_][a-z0-9_-]{0,31}$' }),
        port: Type.Integer({ default: 22, minimum: 1, maximum: 65535 }),
        /** A private key for this host; without it, ssh uses the operator's own keys and agent. */
        identityFile: Type.Optional(Type.String({ minLength: 2, pattern: '^/' })),
      },
      { default: {}, additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);

/** Let's Encrypt's production directory: the default ACME server. */
export const LETS_ENCRYPT_DIRECTORY = 'https://acme-v02.api.letsencrypt.org/directory';

/** Where certificates come from, and when they are renewed (components/tls/acme.ts). */
const AcmeSchema = Type.Object(
  {
    /** The ACME server's directory URL (checked as a URL when the config is loaded). */
    directory: Type.String({ default: LETS_ENCRYPT_DIRECTORY, minLength: 1, maxLength: 2048 }),
    /** Where the ACME server sends expiry notices; none by default. */
    email: Type.Optional(Type.String({ pattern: '^[^@\\s]+@[^@\\s]+$', maxLength: 254 })),
    renewBeforeDays: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 365,
      description: 'renew a certificate this many days before it expires',
    }),
    /** How often the supervisor checks whether a certificate is due (and retries a failed renewal). */
    checkSeconds: Type.Integer({ default: 43_200, minimum: 1, maximum: 604_800 }),
    /** A PEM bundle of CAs trusted for the ACME server itself (a private or test ACME server); default: Node's. */
    caBundle: Type.Optional(Type.String({ minLength: 2, pattern: '^/' })),
    /**
     * With two lbs: the port on which the issuing lb (the first of the inventory) hands its pair to
     * the other, over TLS with the cluster's CA on both sides (components/tls/pair-sync.ts).
     */
    peerPort: Type.Integer({ default: 8444, minimum: 1, maximum: 65_535 }),
  },
  // No default: the key's presence is what turns ACME (and HTTPS) on.
  { additionalProperties: false },
);

/**
 * The whole configuration. Every key has a default, so no file is needed for the quick start.
 * Each component is reached through an address from here, never an assumption that it runs on
 * this machine: moving to several hosts is a configuration change.
 */
export const ConfigSchema = Type.Object(
  {
    domain: Type.String({
      default: 'foobar.com',
      pattern: '^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
      description: 'the apex domain; the site is served at www.<domain>',
    }),
    serverIp: Type.String({
      default: '8.8.8.8',
      format: 'ipv4',
      description: "the IPv4 address the zone's @ and www records point at",
    }),
    stateDir: Type.String({
      default: '/var/lib/webstack',
      minLength: 1,
      description: 'where releases, data, logs and secrets live',
    }),
    http: Type.Object(
      {
        listen: Type.String({ default: '0.0.0.0', format: 'ipv4' }),
        port: Type.Integer({ default: 80, minimum: 1, maximum: 65535 }),
        authRatePerMinute: Type.Integer({
          default: 30,
          minimum: 0,
          maximum: 100_000,
          description: 'password POSTs per minute per client address at Nginx (burst 20); 0: no limit',
        }),
        connectionsPerAddress: Type.Integer({
          default: 100,
          minimum: 0,
          maximum: 100_000,
          description:
            'connections one client address may hold with a request in progress at Nginx (429 above); 0: no limit',
        }),
        requestTimeoutSeconds: Type.Integer({
          default: 30,
          minimum: 1,
          maximum: 3600,
          description:
            'a request (headers and body) must arrive whole within this, or the application answers 408; ' +
            'raise it for large uploads over slow links',
        }),
        microCache: Type.Boolean({
          default: true,
          description:
            'Nginx keeps anonymous GET pages for microCacheSeconds, refreshed when a write changes them ' +
            '(never with a session/CSRF cookie)',
        }),
        microCacheSeconds: Type.Integer({
          default: 10,
          minimum: 1,
          maximum: 3600,
          description:
            'how long the micro-cache serves an anonymous page without a refresh: the staleness bound ' +
            "for what no write refreshes (a list's later pages, an author's renamed byline)",
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    /** HTTPS (off by default): nginx terminates TLS; from ACME, the given pair, or else a self-signed one. */
    https: Type.Object(
      {
        enabled: Type.Boolean({ default: false }),
        port: Type.Integer({ default: 443, minimum: 1, maximum: 65535 }),
        certificate: Type.Optional(Type.String({ minLength: 2, pattern: '^/' })),
        key: Type.Optional(Type.String({ minLength: 2, pattern: '^/' })),
        /** Certificates from an ACME server (RFC 8555) for www.<domain> and the apex; turns HTTPS on. */
        acme: Type.Optional(AcmeSchema),
      },
      { default: {}, additionalProperties: false },
    ),
    app: Type.Object(
      {
        host: Type.String({ default: '127.0.0.1', format: 'ipv4' }),
        port: Type.Integer({ default: 3000, minimum: 1, maximum: 65535 }),
        workers: Type.Integer({
          default: 0,
          minimum: 0,
          maximum: 64,
          description: '0 means one per CPU core',
        }),
        /**
         * Unprivileged account the application (workers, the site's CLI) runs as when webstack is
         * started as root; created when missing. Not Nginx's www-data: the two share nothing.
         */
        user: Type.String({
          default: 'webstack-app',
          minLength: 1,
          maxLength: 32,
          pattern: '^[a-z_][a-z0-9_-]*$',
        }),
        authRatePerMinute: Type.Integer({
          default: 10,
          minimum: 1,
          maximum: 1_000_000,
          description: 'password POSTs per minute per client address at the site, per worker (429 above)',
        }),
      },
      { default: {}, additionalProperties: false },
    ),
    database: Type.Object(
      {
        /** managed: webstack runs its own MariaDB server; external: use `url`. */
        mode: Type.Union([Type.Literal('managed'), Type.Literal('external')], { default: 'managed' }),
        host: Type.Optional(Address),
        port: Type.Integer({ default: 3307, minimum: 1, maximum: 65535 }),
        name: Type.String({ default: 'foobar', pattern: '^[A-Za-z0-9_]{1,64}$' }),
        /** mysql://admin:password@host:port/ — an account allowed to create the database and users. */
        url: Type.Optional(Type.String({ pattern: '^mysql://' })),
        poolSize: Type.Integer({ default: 10, minimum: 1, maximum: 200 }),
        /** InnoDB's buffer pool of a managed server (each Galera node has its own). */
        bufferPoolMb: Type.Integer({ default: 128, minimum: 16, maximum: 1_048_576 }),
        /** With three or more db hosts: the Galera cluster they form. */
        galera: Type.Object(
          {
            /** Write-sets kept for a node that comes back (IST); a node away longer copies everything (SST). */
            gcacheMb: Type.Integer({ default: 128, minimum: 16, maximum: 65_536 }),
            /**
             * How long a silent node is suspected before the others drop it (evs.suspect_timeout).
             * Writes wait that long after a node dies; too short, and a busy network splits the cluster.
             */
            suspectTimeoutMs: Type.Integer({ default: 2_000, minimum: 1_000, maximum: 30_000 }),
          },
          { default: {}, additionalProperties: false },
        ),
      },
      { default: {}, additionalProperties: false },
    ),
    uploads: Type.Object(
      {
        // At most 500 MiB: an upload is one database row, sent hex-escaped (twice its size) in a
        // packet that MariaDB caps at 1 GiB (mariadb/my-cnf.ts, maxAllowedPacketMb).
        maxBytes: Type.Integer({ default: 10 * 1024 * 1024, minimum: 1024, maximum: 500 * 1024 * 1024 }),
      },
      { default: {}, additionalProperties: false },
    ),
    metrics: Type.Object(
      {
        /** Loopback port of the Prometheus endpoint; 0 picks a free one (see run/metrics.url). */
        port: Type.Integer({ default: 9101, minimum: 0, maximum: 65535 }),
        /** How often the supervisor samples for the status page (an hour of samples is kept). */
        sampleSeconds: Type.Integer({ default: 10, minimum: 1, maximum: 300 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /**
     * The inventory: the hosts and their roles. Without it the stack is one server holding every
     * role on this machine (a cluster of one), which is the quick start.
     */
    hosts: Type.Optional(Type.Array(HostSchema, { minItems: 1, maxItems: 64 })),
    /**
     * With two lb hosts: the floating address they share (keepalived, VRRPv3 between the two).
     * The healthy lb holds it; the zone's records point at it unless `serverIp` is set. It must
     * lie in the subnet of the lb hosts' own addresses and be no host's address.
     */
    vip: Type.Optional(Type.String({ format: 'ipv4' })),
    /** How the two lbs agree on who holds `vip`. */
    vrrp: Type.Object(
      {
        /** The VRRP router id: unique among the VRRP routers of the lbs' network. */
        routerId: Type.Integer({ default: 51, minimum: 1, maximum: 255 }),
        /**
         * How often the holder says it is alive; the other takes over after about 3 of them
         * unheard. VRRPv3 counts in hundredths of a second.
         */
        advertIntervalMs: Type.Integer({ default: 200, minimum: 10, maximum: 40_950, multipleOf: 10 }),
      },
      { default: {}, additionalProperties: false },
    ),
    /**
     * Set only in the copy of the config that `webstack up` writes onto each host: which of the
     * inventory's hosts this one is. Without it, a config with hosts is the operator's.
     */
    self: Type.Optional(Type.String({ pattern: '^[a-z][a-z0-9-]{0,62}$' })),
    /**
     * Where the operator's machine keeps what it knows of a cluster: pinned host keys, the CA,
     * the shared secrets, builds, the deploy lock and journal. Default: `.webstack/` beside the
     * config file.
     */
    operatorDir: Type.Optional(Type.String({ minLength: 2, pattern: '^/' })),
    /** Load the demo content on the first `webstack up`. */
    seed: Type.Boolean({ default: true }),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type HostConfig = Static<typeof HostSchema>;
