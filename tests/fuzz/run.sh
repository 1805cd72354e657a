#!/bin/sh
# Run the libFuzzer harnesses built by the Makefile (build/fuzz/fuzz_NAME).
#
#   run.sh smoke SECONDS BUILD NAME...   each harness over its regression
#                                        inputs and seeds, then SECONDS of
#                                        fuzzing from a fresh scratch corpus;
#                                        stops at the first failure (make test)
#   run.sh full SECONDS BUILD NAME...    SECONDS of fuzzing each, growing the
#                                        working corpus BUILD/fuzz/corpus/NAME
#                                        (seeded from tests/fuzz/corpus/NAME);
#                                        runs every harness, fails at the end
#
# The repository's corpus and regression directories are only read.  A crash
# input lands in BUILD/fuzz/crash/NAME/; once the bug is fixed, copy it into
# tests/fuzz/regress/NAME/ under a name that says what it found.  Each run's
# full libFuzzer output is in BUILD/fuzz/log/NAME.MODE.log.
set -u

mode=$1 secs=$2 build=$3
shift 3
src=tests/fuzz
out=$build/fuzz
mkdir -p "$out/log"

# The seed and regression directories of a harness that exist.
inputs() {
    for d in "$src/regress/$1" "$src/corpus/$1"; do
        [ -d "$d" ] && printf '%s ' "$d"
    done
}

# "NAME: S s, RUNS runs (E exec/s), cov C ft F, corpus N" from a finished log.
summary() {
    done_line=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$2" | tail -1)
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$2" | tail -1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$2" | tail -1)
    cov=$(printf '%s' "$done_line" | sed -n 's/.*cov: \([0-9]*\) ft: \([0-9]*\) corp: \([0-9]*\).*/cov \1 ft \2, corpus \3/p')
    printf '  %-9s %s s, %s runs (%s exec/s), %s\n' "$1" "$secs" "${runs:-?}" "${eps:-?}" "${cov:-?}"
}

# Show why a run failed: the property or sanitizer report, and the crash input.
failure() {
    echo "FAIL: fuzz: $1: $2 (log: $3)"
    grep -aE -A3 'property failed|runtime error|ERROR: (AddressSanitizer|libFuzzer|UndefinedBehavior)' "$3" | head -20
    grep -aE '^(artifact_prefix|Test unit written to)' "$3" | tail -1
}

# Regression inputs and seeds, once each: every one must pass.
replay() {
    log=$out/log/$1.replay.log
    # shellcheck disable=SC2046
    if ! "$out/fuzz_$1" -runs=0 $(inputs "$1") > "$log" 2>&1; then
        failure "$1" "a regression input or seed fails" "$log"
        return 1
    fi
}

# Fuzz for secs seconds into corpus directory $2 (new inputs are written there).
fuzz() {
    log=$out/log/$1.$mode.log
    mkdir -p "$out/crash/$1" "$2"
    # shellcheck disable=SC2046
    if ! "$out/fuzz_$1" -max_total_time="$secs" -timeout=10 -max_len=4096 \
            -print_final_stats=1 -artifact_prefix="$out/crash/$1/" \
            "$2" $(inputs "$1") > "$log" 2>&1; then
        failure "$1" "fuzzing found a failure" "$log"
        return 1
    fi
    summary "$1" "$log"
}

failed=0
for t in "$@"; do
    case $mode in
    smoke)
        rm -rf "$out/smoke/$t"
        replay "$t" && fuzz "$t" "$out/smoke/$t" || exit 1
        ;;
    full)
        mkdir -p "$out/corpus/$t"
        cp -n "$src/corpus/$t"/* "$out/corpus/$t"/ 2>/dev/null
        replay "$t" && fuzz "$t" "$out/corpus/$t" || failed=$((failed + 1))
        ;;
    *)
        echo "run.sh: mode is smoke or full" >&2
        exit 2
        ;;
    esac
done
if [ "$failed" -ne 0 ]; then
    echo "fuzz: $failed harness(es) failed"
    exit 1
fi
