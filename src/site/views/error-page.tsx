import type { PageContext } from './context.js';
import { Layout } from './layout.js';

export interface ErrorPageProps {
  status: number;
  title: string;
  detail: string;
  requestId: string;
  context: PageContext;
}

/** What a browser sees when something goes wrong: a plain explanation, never a stack trace. */
export function ErrorPage(props: ErrorPageProps): JSX.Element {
  return (
    <Layout title={props.title} context={props.context}>
      <h1 safe>{props.title}</h1>
      <p safe>{props.detail}</p>
      <p class="muted">
        Error {String(props.status)} · request <code safe>{props.requestId}</code>
      </p>
      <p>
        <a href="/">Back to the home page</a>
      </p>
    </Layout>
  );
}
