/* libFuzzer: the Dockerfile reader and the lint rules on arbitrary bytes. */
#include "docker/dockerfile.h"
#include "docker/lint.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile *df;
	struct lint_findings findings = { 0 };

	if (dockerfile_parse(&df, (const char *)data, size, "Dockerfile") == 0) {
		lint_dockerfile(&findings, df);
		lint_findings_release(&findings);
		dockerfile_free(df);
	}
	return 0;
}
