import type { SandboxConfig } from '../config/config';
import { DEFAULT_MAX_LOG, logCutMarker, STDOUT_TAIL } from './command';
import { bubblewrapArgs, HOME_SECRETS, PROBE_ARGS, sandboxCommand, unsandboxedCommand } from './sandbox';

/** What a job leaves in its folder under sharedDir, for aiai to read. */
export const JOB_FILES = {
  script: 'job.sh',
  /** The script's own output, and Slurm's messages from the node (--output). */
  slurmOutput: 'slurm.out',
  /** srun's messages, when it submitted the job: the job id, and Slurm's errors. */
  messages: 'srun.out',
  /** The script began on a node: that node's name. */
  started: 'started',
  /** The eval's exit status. */
  exit: 'exit',
  /** stdout and stderr together, cut at the cap. */
  log: 'log',
  /** The end of stdout, where a metrics line is looked for. */
  stdout: 'stdout',
  /** The eval was killed for running too many processes. */
  tooMany: 'too-many',
  /** The node could not isolate the eval and the config requires it: why. */
  refused: 'refused',
  /** The script ran to its end. */
  done: 'done',
  /** The eval's temp folder, holding its metrics file. */
  scratch: 'tmp',
} as const;

export interface ScriptOptions {
  /** What the job is, for a person reading the script. */
  what: string;
  folder: string;
  checkout: string;
  command: string;
  /** Variables the eval finds in its environment. */
  env: Record<string, string>;
  sandbox: SandboxConfig;
  /** Shared folders of the workspace the checkout links to. */
  readOnly: string[];
}

/** A word for sh, quoted. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function words(argv: string[]): string {
  return argv.map(q).join(' ');
}

/**
 * The script of one eval's job: on the node, it runs the eval in its checkout in the
 * same sandbox as locally (bubblewrap when the node can make one; the node decides,
 * as the config's sandbox.mode says), in a process group of its own that is killed
 * when the eval ends or runs more processes than allowed, with its output cut at the
 * same cap. It leaves its results as files (JOB_FILES) in its folder.
 */
export function jobScript(o: ScriptOptions): string {
  const scratch = `${o.folder}/${JOB_FILES.scratch}`;
  const exports = Object.entries({ ...o.env, AIAI_EVAL_COMMAND: o.command }).map(([k, v]) => `export ${k}=${q(v)}`);
  const plain = `set -- ${words(unsandboxedCommand(o.sandbox))}`;
  const isolation =
    o.sandbox.mode === 'off'
      ? [plain]
      : [
          `if bwrap ${words(PROBE_ARGS)} >/dev/null 2>&1; then`,
          `  set -- ${words(bubblewrapArgs({ cwd: o.checkout, scratch, config: o.sandbox }))}`,
          `  for p in ${words(o.readOnly)}; do [ -e "$p" ] && set -- "$@" --ro-bind "$p" "$p"; done`,
          `  for p in ${HOME_SECRETS.map((s) => `"$HOME"/${q(s)}`).join(' ')}; do`,
          `    case ${q(`${o.checkout}/`)} in "$p"/*) continue ;; esac`,
          '    if [ -d "$p" ]; then set -- "$@" --tmpfs "$p"; elif [ -e "$p" ]; then set -- "$@" --ro-bind /dev/null "$p"; fi',
          '  done',
          `  set -- bwrap "$@" ${words(sandboxCommand({ cwd: o.checkout, config: o.sandbox }))}`,
          'else',
          ...(o.sandbox.mode === 'required'
            ? [`  echo "sandbox.mode is \\"required\\" but bubblewrap cannot isolate evaluations on the node $(hostname)" > "$d/${JOB_FILES.refused}"`, '  exit 1']
            : [`  ${plain}`]),
          'fi',
        ];
  return [
    '#!/bin/sh',
    `# aiai: ${o.what}. Written by aiai, and removed once aiai has read what the job left here.`,
    `d=${q(o.folder)}`,
    `uname -n > "$d/${JOB_FILES.started}"`,
    `cd ${q(o.checkout)} || exit 1`,
    ...exports,
    ...isolation,
    'mkfifo "$d/stdout.fifo" || exit 1',
    `tail -c ${STDOUT_TAIL} < "$d/stdout.fifo" > "$d/${JOB_FILES.stdout}" &`,
    '# The eval leads a session and group of its own, ended with it so that nothing it left holds the output open.',
    'run() {',
    `  setsid sh -c 'echo $$ > "$0/pid"; exec "$@"' "$d" "$@" < /dev/null`,
    `  echo $? > "$d/${JOB_FILES.exit}"`,
    '  kill -KILL -"$(cat "$d/pid")" 2>/dev/null',
    '}',
    '# Counts the processes of the eval\'s session ten times a second, as aiai does locally.',
    'watch() {',
    '  while sleep 0.1; do',
    '    [ -s "$d/pid" ] || continue',
    `    n=$(cat /proc/[0-9]*/stat 2>/dev/null | awk -v s="$(cat "$d/pid")" '{ sub(/^.*\\) /, ""); if ($4 == s) n++ } END { print n + 0 }')`,
    `    if [ "$n" -gt ${o.sandbox.maxProcesses} ]; then : > "$d/${JOB_FILES.tooMany}"; kill -KILL -"$(cat "$d/pid")" 2>/dev/null; return; fi`,
    '  done',
    '}',
    'watch & watcher=$!',
    `{ run "$@" 2>&3 | tee "$d/stdout.fifo"; } 3>&1 | { head -c ${DEFAULT_MAX_LOG + 1} > "$d/${JOB_FILES.log}"; cat > /dev/null; }`,
    'kill $watcher 2>/dev/null',
    'wait',
    `if [ "$(wc -c < "$d/${JOB_FILES.log}")" -gt ${DEFAULT_MAX_LOG} ]; then`,
    `  truncate -s ${DEFAULT_MAX_LOG} "$d/${JOB_FILES.log}"`,
    `  printf '%s' ${q(logCutMarker(DEFAULT_MAX_LOG))} >> "$d/${JOB_FILES.log}"`,
    'fi',
    `: > "$d/${JOB_FILES.done}"`,
    '',
  ].join('\n');
}
