import type { Children } from '@kitajs/html';

import type { FieldError } from '../../errors.js';

/** The hidden field every state-changing form carries (checked by the csrf plugin). */
export function CsrfField({ token }: { token: string }): JSX.Element {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** A summary of what went wrong, announced to screen readers when the form comes back. */
export function FormErrors({ errors }: { errors: readonly FieldError[] }): JSX.Element {
  if (errors.length === 0) return '';
  return (
    <div class="form-errors" role="alert" tabindex="-1">
      <p>Please fix the following:</p>
      <ul>
        {errors.map((e) => (
          <li safe>{e.message}</li>
        ))}
      </ul>
    </div>
  );
}

export interface TextFieldProps {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password';
  value?: string;
  autocomplete?: string;
  required?: boolean;
  minlength?: number;
  maxlength?: number;
  errors?: readonly FieldError[];
  hint?: Children;
}

/** A labelled input with its error message tied to it by aria-describedby. */
export function TextField(props: TextFieldProps): JSX.Element {
  const id = `field-${props.name}`;
  const error = props.errors?.find((e) => e.field === props.name);
  const describedBy = error ? `${id}-error` : undefined;
  return (
    <div class="field">
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.type === 'password' ? undefined : props.value}
        autocomplete={props.autocomplete}
        required={props.required}
        minlength={props.minlength}
        maxlength={props.maxlength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy}
      />
      {error ? (
        <p class="field-error" id={`${id}-error`} safe>
          {error.message}
        </p>
      ) : (
        ''
      )}
    </div>
  );
}

/** Edit link and delete button (a CSRF-protected POST form) for the thing at `path`. */
export function EditDeleteActions({ path, csrfToken }: { path: string; csrfToken: string }): JSX.Element {
  return (
    <div class="page-actions">
      <a class="button button-secondary" href={`${path}/edit`}>
        Edit
      </a>
      <form method="post" action={`${path}/delete`} class="inline-form">
        <CsrfField token={csrfToken} />
        <button type="submit" class="button-danger">
          Delete
        </button>
      </form>
    </div>
  );
}
