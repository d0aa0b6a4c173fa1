#!/usr/bin/env bash
# scripts/install-mpi.sh — installs Debian's MPICH (and, with --openmpi, Open MPI too) for
# Cortex.Distributed: `mpiexec -n 2` over loopback in the tests and the `distributed` bench.
# Cortex binds the MPI C library at run time (libmpi.so.12: MPICH ABI; libmpi.so.40: Open MPI);
# nothing is downloaded at build or run time.
#   scripts/install-mpi.sh            # mpich only
#   scripts/install-mpi.sh --openmpi  # mpich and openmpi-bin (mpiexec stays MPICH's: mpiexec.mpich)
set -euo pipefail
packages="mpich libmpich-dev"
if [ "${1:-}" = "--openmpi" ]; then packages="$packages openmpi-bin libopenmpi-dev"; fi
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  $sudo apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi
mpiexec.mpich --version | head -n 1
