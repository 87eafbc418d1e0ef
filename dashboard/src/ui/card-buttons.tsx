/** The Edit and Delete buttons of a card on a set-up page (channels, schedules, policies). */
import { useT } from '../lib/i18n/index.js';

/** Opens the card's edit form. */
export function EditButton({ onClick, testId }: { onClick: () => void; testId: string }) {
  const t = useT();
  return (
    <button type="button" class="btn btn-small btn-quiet" onClick={onClick} data-testid={testId}>
      {t('card.edit')}
    </button>
  );
}

interface DeleteProps {
  /** The question the browser asks first, naming what goes. */
  question: string;
  isDisabled: boolean;
  /** Runs once the user said yes. */
  onDelete: () => unknown;
  testId: string;
}

/** Deletes after the user confirmed `question`. */
export function DeleteButton({ question, isDisabled, onDelete, testId }: DeleteProps) {
  const t = useT();
  return (
    <button type="button" class="btn btn-small btn-quiet" disabled={isDisabled} onClick={() => window.confirm(question) && onDelete()} data-testid={testId}>
      {t('card.delete')}
    </button>
  );
}
