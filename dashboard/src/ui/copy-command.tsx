/** A shell command shown in monospace with a copy button. */
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { activeT } from '../lib/i18n/index.js';

export function CopyCommand({ command, testId }: { command: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(command);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // clipboard needs a secure context; the command is selectable text anyway
    }
  };
  return (
    <div class="command">
      {/* Words never break inside (`--server` must not wrap after `--`); lines break between them.
          Only a word too long for a phone line (a token, a Windows path) may break anywhere. */}
      <code data-testid={testId}>
        {command.split(' ').map((word, i) => (
          <Fragment key={i}>
            {i > 0 && ' '}
            <span class={word.length > 28 ? 'command-word is-long' : 'command-word'}>{word}</span>
          </Fragment>
        ))}
      </code>
      <button type="button" class="btn btn-quiet btn-small" onClick={copy} aria-label={activeT()('copy.label', { command })}>
        {copied ? activeT()('copy.copied') : activeT()('copy.copy')}
      </button>
    </div>
  );
}
