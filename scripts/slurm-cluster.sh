#!/usr/bin/env bash
# A single-node Slurm cluster on this machine, for aiai's tests and benchmarks (and for trying the
# Slurm executor by hand). Debian's packages, no systemd, run as root.
#
#   scripts/slurm-cluster.sh start   installs the packages if missing, starts munged, slurmctld and
#                                     slurmd, waits for the node to be idle, prints SLURM_CONF=<file>
#   scripts/slurm-cluster.sh stop    cancels every job, stops the daemons it started by their pids
#                                     and removes its folder
#   scripts/slurm-cluster.sh status  says whether the cluster is up
#
# Everything lives in one folder, $AIAI_SLURM_DIR (default /tmp/aiai-slurm): the config, state,
# spool, logs and pid files. /etc/slurm is left alone, so clients need SLURM_CONF=<folder>/slurm.conf.
# Both commands can be repeated: start on a running cluster only prints its SLURM_CONF, stop on a
# stopped one does nothing.
set -euo pipefail

DIR="${AIAI_SLURM_DIR:-/tmp/aiai-slurm}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"
PACKAGES=(slurmctld slurmd slurm-client munge)

say() { echo "slurm-cluster: $*" >&2; }
die() { say "$*"; exit 1; }

alive() { [[ -f "$DIR/$1.pid" ]] && kill -0 "$(cat "$DIR/$1.pid")" 2>/dev/null; }

install_packages() {
  command -v slurmctld >/dev/null && command -v slurmd >/dev/null && command -v sbatch >/dev/null && command -v munged >/dev/null && return
  [[ $(id -u) -eq 0 ]] || die "the Slurm packages are missing and only root can install them: apt-get install ${PACKAGES[*]}"
  say "installing ${PACKAGES[*]}"
  # Debian's package scripts try to start the daemons; policy-rc.d refuses, which is what we want.
  DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}" >/dev/null
}

# Waits up to $2 tenths of a second for command $1 (a function name) to succeed.
wait_for() {
  local tries=$2
  until "$1"; do
    (( tries-- > 0 )) || return 1
    sleep 0.1
  done
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }
node_idle() { [[ "$(sinfo -h -o %T 2>/dev/null)" == idle ]]; }

start_munge() {
  # A munged that already works (the machine's own) is used as it is, and never stopped by us.
  munge_works && return
  [[ -f /etc/munge/munge.key ]] || mungekey --create
  chown munge:munge /etc/munge/munge.key
  chmod 0400 /etc/munge/munge.key
  install -d -o munge -g munge -m 0755 /run/munge
  # setpriv execs (runuser would leave a wrapper), so $! is munged's own pid.
  setsid setpriv --reuid=munge --regid=munge --init-groups munged --foreground >"$DIR/munged.log" 2>&1 &
  echo $! >"$DIR/munged.pid"
  wait_for munge_works 100 || die "munged did not start; see $DIR/munged.log"
}

write_config() {
  local host node
  host=$(hostname -s)
  node=$(slurmd -C | head -n 1)
  [[ $node == NodeName=* ]] || die "slurmd -C did not describe this node: $node"
  cat >"$CONF" <<EOF
# Written by aiai's scripts/slurm-cluster.sh: a single-node cluster for tests.
ClusterName=aiai-test
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
CredType=cred/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MailProg=/bin/true
# Batch jobs are scheduled at the controller's next pass (about a second) rather than up to 3 s later.
SchedulerParameters=batch_sched_delay=0
# Finished jobs stay visible to scontrol for an hour, and each leaves a line here.
MinJobAge=3600
JobCompType=jobcomp/filetxt
JobCompLoc=$DIR/jobs.txt
# A job past its time limit gets SIGKILL 2 s after SIGTERM.
KillWait=2
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.daemon.pid
SlurmdPidFile=$DIR/slurmd.daemon.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
${node} NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
  install_packages
  if alive slurmctld && alive slurmd && node_idle; then
    echo "SLURM_CONF=$CONF"
    return
  fi
  # Half up (a start that failed, daemons that died): begin again from nothing.
  stop_cluster
  mkdir -p "$DIR/state" "$DIR/spool"
  start_munge
  write_config
  # Each daemon in its own session, in the foreground, so $! is its pid.
  setsid slurmctld -D -i -f "$CONF" >>"$DIR/slurmctld.out" 2>&1 &
  echo $! >"$DIR/slurmctld.pid"
  setsid slurmd -D -f "$CONF" >>"$DIR/slurmd.out" 2>&1 &
  echo $! >"$DIR/slurmd.pid"
  wait_for node_idle 300 || die "the node did not become idle in 30 s; see $DIR/slurmctld.log and $DIR/slurmd.log"
  echo "SLURM_CONF=$CONF"
}

any_alive() {
  local pid
  for pid in "$@"; do kill -0 "$pid" 2>/dev/null && return 0; done
  return 1
}

# Stops the daemons we started, named in $@, all at once: SIGTERM, then SIGKILL to any still there after 5 s.
stop_daemons() {
  local name pids=()
  for name in "$@"; do
    [[ -f "$DIR/$name.pid" ]] && pids+=("$(cat "$DIR/$name.pid")")
    rm -f "$DIR/$name.pid"
  done
  (( ${#pids[@]} > 0 )) || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  for _ in $(seq 50); do
    any_alive "${pids[@]}" || break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
}

no_jobs() { [[ -z "$(squeue -h -o %i 2>/dev/null)" ]]; }

stop_cluster() {
  [[ -d "$DIR" ]] || return 0
  if alive slurmctld; then
    # slurmstepd outlives slurmd, so jobs are ended first.
    squeue -h -o %i | xargs -r scancel >/dev/null 2>&1 || true
    wait_for no_jobs 100 || say "some jobs were still listed after 10 s"
  fi
  # munged last: the Slurm daemons talk through it while they stop.
  stop_daemons slurmd slurmctld
  stop_daemons munged
  rm -rf "$DIR"
}

case "${1:-}" in
  start) start ;;
  stop) stop_cluster ;;
  status)
    if alive slurmctld && alive slurmd && node_idle; then echo "up: SLURM_CONF=$CONF"; else echo down; exit 1; fi
    ;;
  *) die "usage: $0 start|stop|status" ;;
esac
