# Sourced by tests that need a real Slurm: starts munged, slurmctld and
# slurmd for one node (this host) with every file in a temp folder and free
# ports, exports SLURM_CONF, and stops them on exit. Needs root (slurmd
# launches jobs as their user) and the Debian packages slurm-wlm and munge
# (tools/install-deps). Not a test itself (tests/CMakeLists.txt registers
# *.sh only): sourced by sweep_slurm_cluster.sh.
#
#   slurm_start DIR   -> 0 when the node is idle and accepting jobs
#   slurm_stop        (also run by the caller's EXIT trap)

slurm_missing() {
  local m=""
  [[ $(id -u) -eq 0 ]] || m+=" root"
  for b in munged mungekey slurmctld slurmd sbatch sinfo; do
    command -v "$b" >/dev/null 2>&1 || [[ -x /usr/sbin/$b ]] || m+=" $b"
  done
  echo "$m"
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

SLURM_DIR=""
slurm_stop() {
  [[ -n $SLURM_DIR ]] || return 0
  local f pid
  for f in slurmd slurmctld munged; do
    pid=$(cat "$SLURM_DIR/$f.pid" 2>/dev/null) && kill "$pid" 2>/dev/null
  done
  sleep 1
  for f in slurmd slurmctld munged; do
    pid=$(cat "$SLURM_DIR/$f.pid" 2>/dev/null) && kill -9 "$pid" 2>/dev/null
  done
  return 0
}

slurm_start() {
  SLURM_DIR=$1
  local d=$SLURM_DIR host ctld_port slurmd_port
  host=$(hostname -s)
  mkdir -p "$d/state" "$d/spool"
  PATH=$PATH:/usr/sbin
  mungekey --create --keyfile="$d/munge.key" >/dev/null 2>&1 || return 1
  munged --force --socket="$d/munge.sock" --key-file="$d/munge.key" --log-file="$d/munged.log" \
    --pid-file="$d/munged.pid" --seed-file="$d/munged.seed" || return 1
  ctld_port=$(free_port)
  slurmd_port=$(free_port)
  while [[ $slurmd_port == "$ctld_port" ]]; do slurmd_port=$(free_port); done
  cat >"$d/slurm.conf" <<CONF
ClusterName=nibbletest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$d/munge.sock
CredType=cred/munge
StateSaveLocation=$d/state
SlurmdSpoolDir=$d/spool
SlurmctldPidFile=$d/slurmctld.pid
SlurmdPidFile=$d/slurmd.pid
SlurmctldLogFile=$d/slurmctld.log
SlurmdLogFile=$d/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
ReturnToService=2
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
NodeName=$host NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=nibble Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF=$d/slurm.conf
  slurmctld -f "$SLURM_CONF" -i || return 1
  slurmd -f "$SLURM_CONF" || return 1
  local i
  for i in $(seq 1 60); do
    sinfo -h -o %T 2>/dev/null | grep -qx idle && return 0
    sleep 0.5
  done
  echo "slurm did not come up; logs in $d" >&2
  tail -5 "$d/slurmctld.log" "$d/slurmd.log" >&2
  return 1
}
