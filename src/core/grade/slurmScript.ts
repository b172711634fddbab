import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import type { Config, SandboxConfig } from '../config/config';
import { bridgeLauncher, bridgeRelay, withVariables } from '../gateway/bridge';
import type { Grant } from '../gateway/gateway';
import { DEFAULT_MAX_LOG, logCutMarker, STDOUT_TAIL } from './command';
import { bubblewrapArgs, PROBE_ARGS, SIZED_TMPFS_PROBE_ARGS, sandboxCommand, sandboxView, unsandboxedCommand, writableArgs, type SandboxOptions } from './sandbox';

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
  /** The eval's temp folder, holding its metrics file or report. */
  scratch: 'tmp',
} as const;

export interface ScriptOptions extends Pick<SandboxOptions, 'workspaceRoot' | 'binds' | 'launcher' | 'private'> {
  /** What the job is, for a person reading the script. */
  what: string;
  folder: string;
  checkout: string;
  command: string;
  /** Variables the eval inherits from the job's environment, where Slurm put them (--export): their values are never in the script. */
  inherited: string[];
  /** Variables set for the eval: aiai's own, and the values sandbox.env gives. */
  env: Record<string, string>;
  sandbox: SandboxConfig;
  /** Shared folders of the workspace the checkout links to. */
  readOnly: string[];
  /** A program started in the job before a sandboxed eval and ended after it, and the unix socket it serves (the gateway's relay). */
  relay?: { argv: string[]; socket: string };
}

/**
 * What Slurm sets for a job that the eval inherits besides: the job's own SLURM_*
 * variables (its id, CPUs, nodes) and the GPUs it was given.
 */
const JOB_VARIABLES = /^(SLURM_[A-Za-z0-9_]+|CUDA_VISIBLE_DEVICES|GPU_DEVICE_ORDINAL|ROCR_VISIBLE_DEVICES|ZE_AFFINITY_MASK)$/;

/** A word for sh, quoted. */
function q(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function words(argv: string[]): string {
  return argv.map(q).join(' ');
}

/** A path of `sandboxView` for sh: `~/…` in the home folder of the job. */
function place(p: string): string {
  if (p === '~') return '"$HOME"';
  return p.startsWith('~/') ? `"$HOME"/${q(p.slice(2))}` : q(p);
}

/**
 * The script of one eval's job: on the node, it runs the eval in its checkout in the
 * same sandbox as locally (bubblewrap when the node can make one; the node decides,
 * as the config's sandbox.mode says), with the same environment and nothing else the
 * node set, in a process group of its own that is killed when the eval ends or runs
 * more processes than allowed, with its output cut at the same cap. It leaves its
 * results as files (JOB_FILES) in its folder.
 */
export function jobScript(o: ScriptOptions): string {
  const scratch = `${o.folder}/${JOB_FILES.scratch}`;
  const plain = `set -- ${words(unsandboxedCommand(o.sandbox))}`;
  const sandbox = { ...o, cwd: o.checkout, scratch, config: o.sandbox };
  const { hidden, readable } = sandboxView(sandbox);
  const isolation =
    o.sandbox.mode === 'off'
      ? [plain]
      : [
          `if bwrap ${words(PROBE_ARGS)} >/dev/null 2>&1; then`,
          `  if bwrap ${words(SIZED_TMPFS_PROBE_ARGS)} >/dev/null 2>&1; then set -- ${words(bubblewrapArgs(o.sandbox, 'sized'))}`,
          `  else set -- ${words(bubblewrapArgs(o.sandbox, { onDisk: scratch }))}; fi`,
          `  for p in ${hidden.map(place).join(' ')}; do [ "$p" != / ] && [ -d "$p" ] && set -- "$@" --tmpfs "$p"; [ -S "$p" ] && set -- "$@" --ro-bind /dev/null "$p"; done`,
          '  set -- "$@" \\',
          ...readable.map((p) => `    --ro-bind-try ${place(p)} ${place(p)} \\`),
          `    ${words(writableArgs(sandbox))}`,
          `  for p in ${hidden.map(place).join(' ')}; do [ "$p" != / ] && [ -d "$p" ] && set -- "$@" --remount-ro "$p"; done`,
          `  set -- bwrap "$@" ${words(sandboxCommand(sandbox))}`,
          ...(o.relay
            ? [
                `  ${words(o.relay.argv)} & relay=$!`,
                `  i=0; while [ ! -S ${q(o.relay.socket)} ] && kill -0 "$relay" 2>/dev/null && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done`,
                // An early exit of the script ends the relay too (its socket's name is aiai's: no quoting needed).
                `  trap 'kill "$relay" 2>/dev/null; rm -f ${o.relay.socket}' EXIT`,
              ]
            : []),
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
    ...(o.relay ? ['relay='] : []),
    ...isolation,
    "# The eval's environment: what aiai gives it, and its job's own Slurm variables; nothing else the node set (sbatch adds a login shell's).",
    `set -- ${words(Object.entries({ ...o.env, AIAI_EVAL_COMMAND: o.command }).map(([k, v]) => `${k}=${v}`))} "$@"`,
    `for n in ${o.inherited.join(' ')} $(awk 'BEGIN { for (k in ENVIRON) if (k ~ /${JOB_VARIABLES.source}/) print k }'); do`,
    String.raw`  eval "[ -n \"\${$n+x}\" ] && set -- \"$n=\$$n\" \"\$@\""`,
    'done',
    'set -- env -i "$@"',
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
    ...(o.relay ? [`[ -n "$relay" ] && kill "$relay" 2>/dev/null; rm -f ${q(o.relay.socket)}`] : []),
    'wait',
    `if [ "$(wc -c < "$d/${JOB_FILES.log}")" -gt ${DEFAULT_MAX_LOG} ]; then`,
    `  truncate -s ${DEFAULT_MAX_LOG} "$d/${JOB_FILES.log}"`,
    `  printf '%s' ${q(logCutMarker(DEFAULT_MAX_LOG))} >> "$d/${JOB_FILES.log}"`,
    'fi',
    `: > "$d/${JOB_FILES.done}"`,
    '',
  ].join('\n');
}

/**
 * How a job's eval reaches the gateway, at the address the nodes reach
 * (models.gatewayHost). In a sandbox without network, a relay in the job serves it
 * on a unix socket of the node, bound into the sandbox, where the bridge in front of
 * the eval serves that at 127.0.0.1, as locally. Both run with the program that runs
 * aiai, at the same path on the node.
 */
export function gatewayOnNode(grant: Grant, scratch: string, config: Config): { env: Record<string, string>; script?: Pick<ScriptOptions, 'relay' | 'binds' | 'launcher'> } {
  const remote = grant.remote ?? { host: '127.0.0.1', port: grant.port };
  const env = grant.env(remote.host);
  if (config.sandbox.network || config.sandbox.mode === 'off') return { env };
  const outside = path.join('/tmp', `aiai-gateway-${randomBytes(6).toString('hex')}.sock`);
  const inside = '/tmp/aiai-gateway.sock';
  const relay = bridgeRelay(scratch, outside, remote.host, remote.port);
  const launcher = bridgeLauncher(scratch, remote.port, inside);
  return { env, script: { relay: { argv: withVariables(relay), socket: outside }, binds: [{ from: outside, to: inside }], launcher: withVariables(launcher) } };
}
