/**
 * Our small component layer over @vscode/webview-ui-toolkit. The toolkit is archived
 * (its successor is @vscode-elements/elements); every use of it stays in this file so
 * that a move touches one place.
 */
import { provideVSCodeDesignSystem, vsCodeBadge, vsCodeButton, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { setAttributes } from './dom';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeBadge());

/**
 * A button. One that is an `action` (a request to the extension) is also off while the
 * panel awaits the reply to one: `data-off` keeps whether its view wants it off, for
 * when the reply comes (requests.ts).
 */
export function button(label: string, options: { appearance?: 'primary' | 'secondary'; id: string; disabled?: boolean; title?: string; action?: boolean; onClick: (button: HTMLElement) => void }): HTMLElement {
  const element = document.createElement('vscode-button');
  const disabled = options.disabled ?? false;
  setAttributes(element, {
    id: options.id,
    appearance: options.appearance ?? 'primary',
    disabled,
    'data-action': options.action,
    'data-off': options.action === true && disabled,
    title: options.title,
    onclick: () => options.onClick(element),
  });
  element.textContent = label;
  return element;
}

/** Turns an action button off or on as its view wants; while the panel awaits a reply, it stays off until the reply. */
export function setOff(element: HTMLElement, off: boolean): void {
  element.toggleAttribute('data-off', off);
  element.toggleAttribute('disabled', off || element.closest('[data-busy]') !== null);
}

export function textField(options: { id: string; placeholder: string; value?: string; onInput: (value: string) => void }): HTMLElement {
  const element = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  setAttributes(element, { id: options.id, placeholder: options.placeholder });
  element.value = options.value ?? '';
  element.addEventListener('input', () => options.onInput(element.value));
  return element;
}

export function badge(text: string, kind: string): HTMLElement {
  const element = document.createElement('vscode-badge');
  setAttributes(element, { class: `badge badge-${kind}` });
  element.textContent = text;
  return element;
}
