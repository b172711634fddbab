/**
 * Our small component layer over @vscode/webview-ui-toolkit. The toolkit is archived
 * (its successor is @vscode-elements/elements); every use of it stays in this file so
 * that a move touches one place.
 */
import { provideVSCodeDesignSystem, vsCodeBadge, vsCodeButton, vsCodeTextField } from '@vscode/webview-ui-toolkit';
import { setAttributes } from './dom';

provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeTextField(), vsCodeBadge());

export function button(label: string, options: { appearance?: 'primary' | 'secondary'; id: string; disabled?: boolean; title?: string; onClick: () => void }): HTMLElement {
  const element = document.createElement('vscode-button');
  setAttributes(element, { id: options.id, appearance: options.appearance ?? 'primary', disabled: options.disabled ?? false, title: options.title, onclick: () => options.onClick() });
  element.textContent = label;
  return element;
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
