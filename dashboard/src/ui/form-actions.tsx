/** The footer of an edit form: the primary submit button and, when the form can be left, Cancel. */
import type { ComponentChildren } from 'preact';
import { useT } from '../lib/i18n/index.js';

interface Props {
  /** Text of the submit button. */
  submitLabel: ComponentChildren;
  /** True while the submit button must not be pressed (busy, or the form is not complete). */
  isDisabled: boolean;
  /** data-testid of the submit button. */
  testId?: string;
  /** Shows a Cancel button that calls this; without it there is no Cancel. */
  onCancel?: () => void;
}

export function FormActions({ submitLabel, isDisabled, testId, onCancel }: Props) {
  const t = useT();
  return (
    <div class="button-row">
      <button type="submit" class="btn btn-primary" disabled={isDisabled} data-testid={testId}>
        {submitLabel}
      </button>
      {onCancel && (
        <button type="button" class="btn btn-quiet" onClick={onCancel}>
          {t('form.cancel')}
        </button>
      )}
    </div>
  );
}
