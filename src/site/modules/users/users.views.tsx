import type { FieldError } from '../../errors.js';
import { CsrfField, FormErrors, TextField } from '../../views/components/form.js';
import type { PageContext } from '../../views/context.js';
import { Layout } from '../../views/layout.js';
import type { User } from './users.service.js';

interface FormPageProps {
  context: PageContext;
  csrfToken: string;
  errors?: FieldError[];
  values?: Record<string, string | undefined>;
  next?: string;
}

function actionWithNext(path: string, next: string | undefined): string {
  return next ? `${path}?next=${encodeURIComponent(next)}` : path;
}

export function RegisterPage({
  context,
  csrfToken,
  errors = [],
  values = {},
  next,
}: FormPageProps): JSX.Element {
  return (
    <Layout title="Register" context={context}>
      <h1>Create an account</h1>
      <FormErrors errors={errors} />
      <form method="post" action={actionWithNext('/register', next)} novalidate>
        <CsrfField token={csrfToken} />
        <TextField
          name="email"
          label="Email"
          type="email"
          autocomplete="email"
          required
          maxlength={254}
          value={values.email}
          errors={errors}
        />
        <TextField
          name="display_name"
          label="Display name"
          autocomplete="nickname"
          required
          maxlength={100}
          value={values.display_name}
          errors={errors}
        />
        <TextField
          name="password"
          label="Password (12 to 128 characters)"
          type="password"
          autocomplete="new-password"
          required
          minlength={12}
          maxlength={128}
          errors={errors}
        />
        <button type="submit">Register</button>
      </form>
      <p>
        Already registered? <a href="/login">Log in</a>
      </p>
    </Layout>
  );
}

export function LoginPage({
  context,
  csrfToken,
  errors = [],
  values = {},
  next,
}: FormPageProps): JSX.Element {
  return (
    <Layout title="Log in" context={context}>
      <h1>Log in</h1>
      <FormErrors errors={errors} />
      <form method="post" action={actionWithNext('/login', next)} novalidate>
        <CsrfField token={csrfToken} />
        <TextField
          name="email"
          label="Email"
          type="email"
          autocomplete="username"
          required
          maxlength={254}
          value={values.email}
          errors={errors}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          maxlength={128}
          errors={errors}
        />
        <button type="submit">Log in</button>
      </form>
      <p>
        No account yet? <a href="/register">Register</a>
      </p>
    </Layout>
  );
}

export function AccountPage({
  context,
  user,
  csrfToken,
  notice,
}: {
  context: PageContext;
  csrfToken: string;
  user: User;
  notice?: string;
}): JSX.Element {
  return (
    <Layout title="Your account" context={context}>
      <h1>Your account</h1>
      {notice ? (
        <p class="notice" role="status" safe>
          {notice}
        </p>
      ) : (
        ''
      )}
      <dl>
        <dt>Name</dt>
        <dd safe>{user.displayName}</dd>
        <dt>Email</dt>
        <dd safe>{user.email}</dd>
        <dt>Role</dt>
        <dd safe>{user.role}</dd>
      </dl>
      <p>
        <a href="/account/password">Change your password</a>
      </p>
      <form method="post" action="/logout?all=1">
        <CsrfField token={csrfToken} />
        <p>Lost a device, or used a shared computer? End every session of this account, here too.</p>
        <button type="submit">Sign out everywhere</button>
      </form>
    </Layout>
  );
}

export function PasswordPage({ context, csrfToken, errors = [] }: FormPageProps): JSX.Element {
  return (
    <Layout title="Change password" context={context}>
      <h1>Change your password</h1>
      <FormErrors errors={errors} />
      <form method="post" action="/account/password" novalidate>
        <CsrfField token={csrfToken} />
        <TextField
          name="current_password"
          label="Current password"
          type="password"
          autocomplete="current-password"
          required
          maxlength={128}
          errors={errors}
        />
        <TextField
          name="new_password"
          label="New password (12 to 128 characters)"
          type="password"
          autocomplete="new-password"
          required
          minlength={12}
          maxlength={128}
          errors={errors}
        />
        <button type="submit">Change password</button>
      </form>
    </Layout>
  );
}
