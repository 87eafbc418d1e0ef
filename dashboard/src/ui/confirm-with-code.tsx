/**
 * The end of a form that acts on client machines: the person's authenticator code, the submit
 * button (enabled once six digits are in) and the server's answer. Running a task and scheduling
 * maintenance both need the second factor in the request.
 */
import type { ComponentChildren } from 'preact';
import { ErrorNote } from './ui.js';
import { useT } from '../lib/i18n/index.js';

export function ConfirmWithCode(props: {
  code: string;
  onCode: (code: string) => void;
  isBusy: boolean;
  error: string;
  /** data-testid prefix: `<prefix>-code`, the button's own id, `<prefix>-error`. */
  testId: string;
  buttonTestId: string;
  children: ComponentChildren;
}) {
  const t = useT();
  return (
    <>
      <label class="field">
        <span>{t('confirm.code')}</span>
        <input
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="[0-9]{6}"
          maxLength={6}
          value={props.code}
          onInput={(e) => props.onCode(e.currentTarget.value)}
          required
          data-testid={`${props.testId}-code`}
        />
      </label>
      <div class="button-row">
        <button type="submit" class="btn btn-primary" disabled={props.isBusy || props.code.trim().length !== 6} data-testid={props.buttonTestId}>
          {props.children}
        </button>
      </div>
      <ErrorNote message={props.error} testId={`${props.testId}-error`} />
    </>
  );
}
