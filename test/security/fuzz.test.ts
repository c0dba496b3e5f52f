/**
 * Property fuzzing (fast-check) of the users routes' forms and JSON bodies on the real site and
 * database: whatever arrives, the answer is never a 5xx, and a 4xx never leaves a row behind
 * (users, sessions). The one intended write on a 4xx, the failed-login counter, is not counted.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { App } from '../../src/site/app.js';
import { Browser, build } from '../integration/site/helper.js';

const RUNS = 60;
const FIELDS = [
  'email',
  'password',
  'displayName',
  'display_name',
  'current_password',
  'new_password',
  '_csrf',
];

async function rows(app: App): Promise<number> {
  const count = async (table: 'users' | 'sessions') =>
    Number(
      (
        await app.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return (await count('users')) * 1_000_000 + (await count('sessions'));
}

/** Mostly-plausible field values, with the odd hostile one. */
const value = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.emailAddress(),
  fc.string({ minLength: 12, maxLength: 140 }),
  fc.constantFrom('', ' ', '\u0000', '__proto__', '{"a":1}', 'a'.repeat(300), 'Ω≈ç√∫'.repeat(5)),
  fc.jsonValue({ maxDepth: 3 }),
);
const jsonBody = fc.oneof(
  fc.dictionary(fc.constantFrom(...FIELDS, '__proto__', 'constructor', 'role', 'id'), value),
  fc.jsonValue({ maxDepth: 4 }),
);
const rawBody = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.nat({ max: 100_000 }).map((n) => `${'['.repeat(n)}${']'.repeat(n)}`),
  fc.nat({ max: 50_000 }).map((n) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`),
  fc.constant('{"__proto__":{"admin":true},"email":"x@example.com"}'),
);

let ip = 0;
/** A new client address per request, so the per-IP rate limit does not cut the fuzzing short. */
const nextIp = () => `10.${(++ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`;

async function check(app: App, send: () => Promise<{ statusCode: number; body: string }>, what: string) {
  const before = await rows(app);
  const response = await send();
  assert.ok(response.statusCode < 500, `${what}: ${response.statusCode} ${response.body.slice(0, 200)}`);
  if (response.statusCode >= 400)
    assert.equal(await rows(app), before, `${what}: a ${response.statusCode} wrote a row`);
}

test('the JSON API (users, session) never answers 5xx and writes nothing on a 4xx', async (t) => {
  const { app } = await build(t);
  for (const url of ['/api/v1/users', '/api/v1/session']) {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          jsonBody.map((b) => JSON.stringify(b)),
          rawBody,
        ),
        async (payload) => {
          await check(
            app,
            () =>
              app.inject({
                method: 'POST',
                url,
                headers: { 'content-type': 'application/json', 'x-forwarded-for': nextIp() },
                payload,
              }),
            `${url} ${payload.slice(0, 80)}`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  }
});

test('the account forms never answer 5xx and write nothing on a 4xx', async (t) => {
  const { app } = await build(t);
  const browser = new Browser(app);
  await browser.register('fuzz@example.com', 'correct horse battery');
  const token = await browser.csrfFrom('/account/password');
  const form = fc.record(
    Object.fromEntries(FIELDS.map((f) => [f, fc.option(fc.string({ maxLength: 140 }), { nil: undefined })])),
  );
  for (const url of ['/register', '/login', '/account/password']) {
    await fc.assert(
      fc.asyncProperty(form, fc.boolean(), async (fields, withToken) => {
        const body = new URLSearchParams();
        for (const [k, v] of Object.entries(fields)) if (typeof v === 'string') body.set(k, v);
        if (withToken) body.set('_csrf', token);
        await check(
          app,
          () =>
            app.inject({
              method: 'POST',
              url,
              headers: {
                'content-type': 'application/x-www-form-urlencoded',
                cookie: browser.cookieHeader,
                'x-forwarded-for': nextIp(),
              },
              payload: body.toString(),
            }),
          `${url} ${body.toString().slice(0, 120)}`,
        );
      }),
      { numRuns: RUNS },
    );
  }
});
