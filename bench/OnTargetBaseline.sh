#!/usr/bin/env bash
# The baselines of the on-target reset figure: what an admin without PassMan would run to change
# many passwords with the OpenSSH client. Per account, two logins with sshpass and ssh:
#
#   1. as the account, with its old password: passwd, fed the old password and the new one twice
#      on standard input (no terminal, as PassMan runs it);
#   2. as the account, with the new password: true, the check that the change took.
#
# Usage:
#   OnTargetBaseline.sh sequential LIST     every account of LIST, one after another
#   OnTargetBaseline.sh parallel N LIST     the same, N accounts at a time (xargs -P N)
#   OnTargetBaseline.sh one ADDRESS PORT USER KNOWN_HOSTS SECRETS
#                                           one account (what parallel runs for each line)
#
# LIST has one account a line: ADDRESS PORT USER KNOWN_HOSTS SECRETS, separated by spaces. SECRETS
# is a file holding the old password on its first line and the new one on its second. No password
# is ever on a command line: sshpass -e reads it from SSHPASS in its environment, and passwd's
# input comes through a pipe from printf, a bash builtin. Prints "ok ADDRESS USER" for each account
# whose new password logs in, a reason on standard error for each that failed; exits non-zero if
# any failed.

set -uo pipefail

change_one() {
    local address=$1 port=$2 user=$3 known_hosts=$4 secrets=$5 old='' new='' said
    { IFS= read -r old && IFS= read -r new; } <"$secrets" || {
        echo "$user@$address: no old and new password in $secrets" >&2
        return 1
    }

    # The target's own host keys only, as PassMan trusts only the keys pinned for it.
    local -a ssh=(
        ssh -F /dev/null -p "$port" -l "$user"
        -o "UserKnownHostsFile=$known_hosts" -o GlobalKnownHostsFile=/dev/null
        -o StrictHostKeyChecking=yes -o UpdateHostKeys=no -o IdentityAgent=none
        -o PreferredAuthentications=password -o PubkeyAuthentication=no -o NumberOfPasswordPrompts=1
        -o ConnectTimeout=10 "$address"
    )
    said=$(printf '%s\n%s\n%s\n' "$old" "$new" "$new" |
        SSHPASS=$old sshpass -e "${ssh[@]}" 'LC_ALL=C exec /usr/bin/passwd' 2>&1) || {
        echo "$user@$address: passwd failed (exit $?): ${said//$'\n'/ }" >&2
        return 1
    }
    said=$(SSHPASS=$new sshpass -e "${ssh[@]}" true </dev/null 2>&1) || {
        echo "$user@$address: the new password does not log in (exit $?): ${said//$'\n'/ }" >&2
        return 1
    }
    echo "ok $address $user"
}

case ${1-} in
    one)
        (($# == 6)) || { echo "usage: $0 one ADDRESS PORT USER KNOWN_HOSTS SECRETS" >&2; exit 2; }
        change_one "${@:2}"
        ;;
    sequential)
        (($# == 2)) || { echo "usage: $0 sequential LIST" >&2; exit 2; }
        failed=0
        while read -r address port user known_hosts secrets; do
            change_one "$address" "$port" "$user" "$known_hosts" "$secrets" || failed=1
        done <"$2"
        exit "$failed"
        ;;
    parallel)
        (($# == 3)) && [[ $2 =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 parallel N LIST" >&2; exit 2; }
        # xargs exits 123 when any account failed; each account's own message is on standard error.
        xargs -P "$2" -L 1 -a "$3" /bin/bash "${BASH_SOURCE[0]}" one
        ;;
    *)
        echo "usage: $0 sequential LIST | parallel N LIST | one ADDRESS PORT USER KNOWN_HOSTS SECRETS" >&2
        exit 2
        ;;
esac
