/** The comment box of an alert or incident page; clears itself once the comment is saved. */
import { useState } from 'preact/hooks';
import { useT } from '../lib/i18n/index.js';

interface Props {
  /** Saves the comment; resolves true when it was saved (useAction's run does exactly that). */
  submit: (text: string) => Promise<boolean>;
  isBusy: boolean;
  /** Class of the form (a panel on the alert page, inline on the incident page). */
  formClass: string;
  heading?: string;
}

export function CommentForm({ submit, isBusy, formClass, heading }: Props) {
  const t = useT();
  const [comment, setComment] = useState('');
  return (
    <form
      class={formClass}
      onSubmit={(e) => {
        e.preventDefault();
        void submit(comment.trim()).then((isSaved) => isSaved && setComment(''));
      }}
    >
      {heading && <h2>{heading}</h2>}
      <label class="field">
        <span>{t('comment.label')}</span>
        <textarea rows={2} maxLength={5000} value={comment} onInput={(e) => setComment(e.currentTarget.value)} data-testid="comment-input" />
      </label>
      <div class="button-row">
        <button type="submit" class="btn" disabled={isBusy || !comment.trim()} data-testid="comment-button">
          {t('comment.add')}
        </button>
      </div>
    </form>
  );
}
