import { html, page } from './html.js';

export interface ErrorPageModel {
  code: number;
  message: string;
  error: string;
  traceId: string;
  correlationId: string;
  timestamp: string;
}

/** Microsoft's "Sorry, but we’re having trouble signing you in." page, with its troubleshooting block. */
export function renderErrorPage(m: ErrorPageModel): string {
  return page(
    'Sign in to your account',
    html`<h1>Sign in</h1>
      <p id="error-title">Sorry, but we’re having trouble signing you in.</p>
      <p id="error-message" data-aadsts="${m.code}" data-error="${m.error}">AADSTS${m.code}: ${m.message}</p>
      <div class="details" id="error-details">
        <h2>Troubleshooting details</h2>
        <div>Request Id: ${m.traceId}</div>
        <div>Correlation Id: ${m.correlationId}</div>
        <div>Timestamp: ${m.timestamp.replace(' ', 'T')}</div>
        <div>Message: AADSTS${m.code}: ${m.message}</div>
      </div>`,
  );
}
