import Type, { type Static } from 'typebox';
import { Csrf } from '../../lib/schemas.js';

export const Email = Type.String({ format: 'email', minLength: 3, maxLength: 254 });
export const Password = Type.String({ minLength: 12, maxLength: 128 });
export const DisplayName = Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' });
export const RoleSchema = Type.Union([Type.Literal('admin'), Type.Literal('editor'), Type.Literal('member')]);

/** HTML forms: the CSRF field rides along; values are checked again in the handler for friendly messages. */
export const RegisterForm = Type.Object({
  email: Email,
  display_name: DisplayName,
  password: Password,
  _csrf: Csrf,
});
export const LoginForm = Type.Object({
  email: Type.String({ maxLength: 254 }),
  password: Type.String({ maxLength: 128 }),
  _csrf: Csrf,
});
export const PasswordForm = Type.Object({
  current_password: Type.String({ maxLength: 128 }),
  new_password: Password,
  _csrf: Csrf,
});
export const NextQuery = Type.Object({ next: Type.Optional(Type.String({ maxLength: 2000 })) });
/** `?all=1` on a logout (the form's POST /logout, the API's DELETE /session): end every session of the account. */
export const LogoutQuery = Type.Object({
  all: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1')])),
});

/** JSON API bodies: unknown fields are an error. */
export const ApiLogin = Type.Object(
  { email: Type.String({ maxLength: 254 }), password: Type.String({ maxLength: 128 }) },
  { additionalProperties: false },
);
export const ApiRegister = Type.Object(
  { email: Email, password: Password, displayName: DisplayName },
  { additionalProperties: false },
);

export const PublicUser = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: RoleSchema,
  displayName: Type.String(),
});
export type PublicUser = Static<typeof PublicUser>;

/** Only local paths (`/x`, not `//evil` or `/\evil`) may be redirect targets. */
export function safeNext(next: string | undefined, fallback = '/'): string {
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return fallback;
  if (/[\p{Cc}\\]/u.test(next)) return fallback;
  return next;
}
