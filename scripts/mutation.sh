#!/bin/sh
# Mutation testing of the pure rules (issue 14): mutmut over plans/, the money helpers
# (renderers/money_words.py) and the numbering patterns (cmr_app/services/numbering.py),
# killed by tests/plans (incl. the Hypothesis properties). Slow (minutes to tens of
# minutes): not in CI. Runs in a scratch copy so the worktree stays clean; prints the
# score per file and overall, and lists surviving mutants (see docs/mutation.md).
#   scripts/mutation.sh            # run, then report
#   MUTATION_DIR=/tmp/x scripts/mutation.sh   # keep the scratch copy there
#   MUTATE_ONLY="plans/catalogue.py renderers/money_words.py" scripts/mutation.sh
#                                  # only those files (a quicker pass after a fix)
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
WORK=${MUTATION_DIR:-$(mktemp -d /tmp/cmr-mutation.XXXXXX)}
mkdir -p "$WORK"
cd "$ROOT"
# The code under test and what its tests import (the root conftest builds the app).
tar cf - plans renderers cmr_app locales migrations schemas tests/conftest.py \
    tests/pdf_helpers.py tests/parallel.py tests/plans pytest.ini 2>/dev/null | (cd "$WORK" && tar xf -)
cd "$WORK"
ONLY=${MUTATE_ONLY:-plans/* renderers/money_words.py cmr_app/services/numbering.py}
ONLY_LINES=$(set -f; for f in $ONLY; do printf "    %s\n" "$f"; done)
cat > setup.cfg <<CFG
[mutmut]
source_paths=
    plans/
    renderers/money_words.py
    cmr_app/services/numbering.py
only_mutate=
$ONLY_LINES
pytest_add_cli_args_test_selection=
    tests/plans
pytest_add_cli_args=
    -p
    no:cacheprovider
    -x
    -q
    -o
    addopts=
also_copy=
    renderers/
    cmr_app/
    locales/
    migrations/
    schemas/
    tests/
    pytest.ini
CFG
# Fewer examples per property keep each mutant's run short; still derandomized.
export CMR_HYPOTHESIS_PROFILE=mutation
"$PY" -m mutmut run || true
"$PY" -m mutmut results > results.txt 2>&1 || true
"$PY" - "$WORK" <<'PYCODE'
import json, pathlib, sys, collections
from mutmut.stats import status_by_exit_code
work = pathlib.Path(sys.argv[1])
counts = collections.defaultdict(collections.Counter)
for meta in (work / "mutants").rglob("*.meta"):
    data = json.loads(meta.read_text())
    source = str(meta.relative_to(work / "mutants"))[:-len(".meta")]
    for name, code in data.get("exit_code_by_key", {}).items():
        status = status_by_exit_code[code]
        counts[source]["killed" if status in ("killed", "timeout", "caught by type check") else status] += 1
total = collections.Counter()
for source, c in sorted(counts.items()):
    total.update(c)
    done = c["killed"] + c["survived"] + c["no tests"]
    print(f"{source:45} killed {c['killed']:4} / {done:4}  ({100 * c['killed'] / max(done, 1):5.1f}%)  {dict(c)}")
plans_c = sum((c for s, c in counts.items() if s.startswith("plans/")), collections.Counter())
for label, c in (("plans/", plans_c), ("all", total)):
    done = c["killed"] + c["survived"] + c["no tests"]
    print(f"SCORE {label}: {c['killed']}/{done} killed = {100 * c['killed'] / max(done, 1):.1f}%")
PYCODE
echo "surviving mutants: $WORK/results.txt (mutmut show <name> in $WORK)"
