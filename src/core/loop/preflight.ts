import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { CONFIG_DIR, configLocation, type Config } from '../config/config';
import { formatKnobValue, knobValueProblem, readKnobValue } from '../config/knobs';
import { PEER_ADAPTER_FILE } from '../config/peerAdapter';
import { pathPolicy } from '../config/pathPolicy';
import { editableAnswers } from '../config/twoPhase';
import { listedEvals } from '../config/evals';
import { exposedHoldoutFiles } from '../config/holdoutExposure';
import { ConfigError, type ConfigProblem } from '../common/errors';
import type { Git } from '../git/git';

/**
 * What can be checked before the baseline runs, against the version the run
 * changes (never the working tree, whose uncommitted edits are not the run's):
 * editable globs that match no file, an eval command naming a file of .aiai/ that
 * is there to commit but never was, answers that are editable files, a parameter search
 * without knobs, a knob whose file is missing or a link, whose place cannot be read,
 * or whose value lies outside its range or choices. Throws every problem found, each at its
 * place in the config. Returns what is no error but a person should hear: a holdout eval
 * that reads files every eval can see.
 */
export async function preflight(config: Config, git: Git, base: string, searchesKnobs: boolean): Promise<string[]> {
  const problems: ConfigProblem[] = [];
  const at = (location: Array<string | number>, message: string): void => void problems.push(configLocation(config.workspace, location, message));
  const files = await git.lsTree(base);
  const policy = pathPolicy(config);
  if (!files.some((f) => policy.isEditable(f.path))) {
    at(['editable'], `no file of the current version (${base.slice(0, 8)}) matches the editable globs ${config.editable.map((g) => `"${g}"`).join(', ')}: a proposal could change nothing`);
  }
  // An evaluation's worktree holds the committed .aiai/ only: a file there that git would take must be committed.
  // One the eval writes itself, that git ignores (a cache), or that aiai supplies (the peers' adapter) is none of this check's business.
  for (const [i, spec] of listedEvals(config.evals).entries()) {
    const named = spec.command.split(/\s+/).map((t) => t.replace(/^["']|["']$/g, '')).filter((t) => t.startsWith(`${CONFIG_DIR}/`));
    for (const file of new Set(named)) {
      if (file !== PEER_ADAPTER_FILE && !files.some((f) => f.path === file) && existsSync(path.join(config.workspace, file)) && !(await git.isIgnored(file))) {
        at(['evals', i, 'command'], `eval "${spec.name}" runs ${file}, which is not in the current version (${base.slice(0, 8)}): evaluations see committed files only; commit it (git add ${CONFIG_DIR} && git commit)`);
      }
    }
  }
  for (const [i, spec] of listedEvals(config.evals).entries()) {
    const both = editableAnswers(spec, config.editable, files.map((f) => f.path));
    if (both.length > 0) {
      at(['evals', i, 'answers'], `eval "${spec.name}": its answers include editable files of the current version (${both.slice(0, 3).join(', ')}${both.length > 3 ? ', …' : ''}); a candidate could change what it is graded against`);
    }
  }
  if (searchesKnobs && config.knobs.length === 0) {
    at(['knobs'], 'the parameter search proposes by moving knobs, and the config declares none: add "knobs", or use a model proposer');
  }
  if (searchesKnobs) {
    for (const [i, knob] of config.knobs.entries()) {
      const entry = files.find((f) => f.path === knob.file);
      const place = knob.jsonPointer !== undefined ? 'jsonPointer' : 'pattern';
      if (!entry) at(['knobs', i, 'file'], `knob "${knob.name}": file "${knob.file}" is not in the current version (${base.slice(0, 8)})`);
      else if (entry.mode === '120000') at(['knobs', i, 'file'], `knob "${knob.name}": file "${knob.file}" is a symbolic link; point the knob at the file itself`);
      else {
        const read = readKnobValue(knob, (await git.readFile(base, knob.file)) ?? '');
        const misfit = read.ok ? knobValueProblem(knob, read.value) : undefined;
        if (!read.ok) at(['knobs', i, place], `knob "${knob.name}" in ${knob.file}: ${read.error}`);
        else if (misfit) at(['knobs', i], `knob "${knob.name}": its value in ${knob.file} is ${formatKnobValue(knob, read.value)}, ${misfit}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return exposedHoldoutFiles(config.evals, files.map((f) => f.path)).map(
    (e) => `holdout eval "${e.eval}" reads files that every eval can see, a candidate's code in a train eval too: ${e.files.slice(0, 5).join(', ')}${e.files.length > 5 ? `, and ${e.files.length - 5} more` : ''}; list them in its "data" so that they are present only while it runs`,
  );
}
