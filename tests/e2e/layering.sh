# The layering rules of HACKING.md hold for the tree, and the check that
# enforces them fails when a rule is broken.
. "$TOP/tests/e2e/lib.sh"

out=$(sh "$TOP/mk/layering.sh" "$TOP/tools" 2>&1)
same "layering: the tree keeps the rules" "$out (exit $?)" " (exit 0)"

cp -r "$TOP/tools" "$tmp/tools"
echo '#include "docker/dockerfile.h"' >>"$tmp/tools/util/buf.c"
printf 'static void f(void) { printf("x"); /* exit(1) in a comment is fine */ }\n' >>"$tmp/tools/docker/lint.c"
printf 'static const char *s = "stderr in a string is fine";\n#include "cmd.h"\n' >>"$tmp/tools/archive/tar.c"
lines() { wc -l <"$1" | tr -d ' '; }
sh "$TOP/mk/layering.sh" "$tmp/tools" >"$tmp/out" 2>&1
status=$?
cat >"$tmp/want" <<EOF2
$tmp/tools/archive/tar.c:$(lines "$tmp/tools/archive/tar.c"): library code includes "cmd.h"
$tmp/tools/docker/lint.c:$(lines "$tmp/tools/docker/lint.c"): library code prints or exits: printf
$tmp/tools/util/buf.c:$(lines "$tmp/tools/util/buf.c"): a generic helper includes "docker/dockerfile.h"
EOF2
same "layering: a broken rule fails the check" "$status" 1
same_file "layering: each breach is named with its place" "$tmp/out" "$tmp/want"

finish
