import * as path from 'node:path';
import { readTextIfExists } from '../common/files';
import type { PeerLayout } from './peerLayouts';
import { yamlString } from './peerYaml';

/**
 * The task description a peer gives its models: OpenEvolve's `prompt.system_message`
 * in `config.yaml`, Shinka's `task_sys_msg` in `run_evo.py`. Both sit in files a
 * proposal may not see (the config is protected), so init copies the text out to a
 * context file.
 */
export interface PeerTask {
  text: string;
  /** Where it was read, for init's note. */
  from: string;
}

export function peerTask(workspace: string, layout: Pick<PeerLayout, 'kind' | 'config'>): PeerTask | undefined {
  if (layout.kind === 'openevolve') {
    const config = layout.config ?? 'config.yaml';
    const text = yamlString(readTextIfExists(path.join(workspace, config)) ?? '', 'prompt', 'system_message');
    return text?.trim() ? { text: text.trim(), from: `prompt.system_message in ${config}` } : undefined;
  }
  const text = pythonAssignment(readTextIfExists(path.join(workspace, 'run_evo.py')) ?? '', 'task_sys_msg');
  return text?.trim() ? { text: text.trim(), from: 'task_sys_msg in run_evo.py' } : undefined;
}

/**
 * The string `name` is given in Python source: `name="…"` (an argument) or
 * `name = """…"""`, or a key set to it (`config["evo_config"]["task_sys_msg"] = …`),
 * or through one variable (`task_sys_msg=search_task_sys_msg`, as Shinka's examples
 * write it). Adjacent literals are joined, as Python joins them.
 */
function pythonAssignment(source: string, name: string): string | undefined {
  const at = new RegExp(`(?:\\b${name}|\\[\\s*["']${name}["']\\s*\\])\\s*=(?!=)\\s*`).exec(source);
  if (!at) return undefined;
  const after = source.slice(at.index + at[0].length);
  const variable = /^([A-Za-z_]\w*)\s*[,)\n]/.exec(after)?.[1];
  if (variable === undefined) return stringLiterals(after);
  const assigned = new RegExp(`^${variable}\\s*(?::\\s*str\\s*)?=\\s*`, 'm').exec(source);
  return assigned ? stringLiterals(source.slice(assigned.index + assigned[0].length)) : undefined;
}

/** One or more adjacent string literals (optionally in parentheses) at the start of `text`, joined. */
function stringLiterals(text: string): string | undefined {
  const LITERAL = /^\s*[rRuU]?("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')/;
  let rest = text.replace(/^\(\s*/, '');
  const parts: string[] = [];
  for (let m = LITERAL.exec(rest); m; m = LITERAL.exec(rest)) {
    const literal = m[1]!;
    const quote = literal.startsWith('"""') || literal.startsWith("'''") ? 3 : 1;
    const raw = /^\s*[rR]/.test(m[0]);
    const body = literal.slice(quote, -quote);
    parts.push(raw ? body : body.replace(/\\n/g, '\n').replace(/\\t/g, '\t').replace(/\\(["'\\])/g, '$1').replace(/\\\n/g, ''));
    rest = rest.slice(m[0].length);
  }
  return parts.length > 0 ? parts.join('') : undefined;
}
