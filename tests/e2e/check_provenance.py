# usage: /usr/bin/python3 check_provenance.py STATEMENT RECORD SCHEMAS TMPDIR
# Validate what pinned provenance wrote (STATEMENT) against the published
# schemas in SCHEMAS (tests/fixtures/schemas: the in-toto Statement v1 and
# SLSA provenance v1 Protocol Buffers, compiled here with protoc into
# TMPDIR), strictly: an unknown field or a wrong type is an error. Then the
# rules those schemas leave to their users, from the specifications' text,
# and every digest against the build record RECORD (lockfiles/build.lock).
# Prints one line per problem and exits 1, or one line saying what was
# checked.
import json
import re
import subprocess
import sys
import urllib.parse

statement_path, record_path, schemas, tmp = sys.argv[1:5]
subprocess.run(["protoc", "-I", schemas, "-I", "/usr/include", "--python_out", tmp,
                "statement.proto", "provenance.proto"], check=True)
sys.path.insert(0, tmp)
from google.protobuf import json_format  # noqa: E402
import statement_pb2  # noqa: E402
import provenance_pb2  # noqa: E402

problems = []
text = open(statement_path).read()
doc = json.loads(text)
record = json.load(open(record_path))
try:
    json_format.Parse(text, statement_pb2.Statement())
    json_format.ParseDict(doc.get("predicate", {}), provenance_pb2.Provenance())
except json_format.ParseError as e:
    problems.append("schema: %s" % e)

# digest_set.md: lowercase hex of the algorithm's length
LENGTHS = {"sha256": 64, "sha512": 128, "sha1": 40, "gitCommit": (40, 64)}


def digest_ok(where, d):
    if not d:
        problems.append("%s: an empty digest set" % where)
    for alg, value in d.items():
        want = LENGTHS.get(alg)
        if want is None:
            continue
        lens = want if isinstance(want, tuple) else (want,)
        if not re.fullmatch("[0-9a-f]+", value) or len(value) not in lens:
            problems.append("%s: %s is not %s hex" % (where, value, alg))


def descriptor_ok(where, r):
    # resource_descriptor.md: one of uri, digest, content at least
    if not (r.get("uri") or r.get("digest") or r.get("content")):
        problems.append("%s: none of uri, digest, content" % where)
    if r.get("digest"):
        digest_ok(where, r["digest"])


if doc.get("_type") != "https://in-toto.io/Statement/v1":
    problems.append("_type is %r" % doc.get("_type"))
if doc.get("predicateType") != "https://slsa.dev/provenance/v1":
    problems.append("predicateType is %r" % doc.get("predicateType"))
if not doc.get("subject"):
    problems.append("no subject")
for i, s in enumerate(doc.get("subject", [])):
    digest_ok("subject %d" % i, s.get("digest"))
pred = doc.get("predicate", {})
bd, rd = pred.get("buildDefinition", {}), pred.get("runDetails", {})
# slsa.dev/spec/v1.0/provenance: the REQUIRED fields
if not bd.get("buildType"):
    problems.append("no buildDefinition.buildType")
if "externalParameters" not in bd:
    problems.append("no buildDefinition.externalParameters")
if not rd.get("builder", {}).get("id"):
    problems.append("no runDetails.builder.id")
deps = bd.get("resolvedDependencies", [])
for i, r in enumerate(deps):
    descriptor_ok("resolvedDependencies[%d]" % i, r)
for i, r in enumerate(rd.get("byproducts", [])):
    descriptor_ok("byproducts[%d]" % i, r)


# every digest against the record
def hexof(d):
    return d.split(":", 1)[1]


def same(what, got, want):
    if got != want:
        problems.append("%s: %r in the provenance, %r in the record" % (what, got, want))


by_name = {}
for r in deps:
    by_name.setdefault(r.get("name"), r)
same("subjects", sorted(s["digest"]["sha256"] for s in doc.get("subject", [])),
     sorted(set(hexof(b["manifest"]) for b in record["builds"])))
same("build digest", bd.get("externalParameters", {}).get("buildDigest"), record["build_digest"])
if record.get("commit"):
    same("commit", by_name.get("source", {}).get("digest", {}).get("gitCommit"), record["commit"])
same("context", by_name.get("context", {}).get("digest", {}).get("sha256"),
     hexof(record["context"]["digest"]))
same("context manifest", by_name.get("lockfiles/build.manifest", {}).get("digest", {}).get("sha256"),
     hexof(record["context"]["manifest"]))
for part in ("template", "dockerfile"):
    if part in record:
        same(part, by_name.get(record[part]["path"], {}).get("digest", {}).get("sha256"),
             hexof(record[part]["digest"]))
for table in ("lockfiles", "language_locks", "images"):
    for name, digest in record.get(table, {}).items():
        same("%s %s" % (table, name), by_name.get(name, {}).get("digest", {}).get("sha256"),
             hexof(digest))
for name, version in record.get("packages", {}).items():
    uri = by_name.get(name, {}).get("uri", "")
    m = re.fullmatch(r"pkg:deb/debian/([^@]+)@([^?]+)\?arch=[a-z0-9-]+", uri)
    got = urllib.parse.unquote(m.group(2)) if m and m.group(1) == name.split(":", 1)[1] else uri
    same("package %s" % name, got, version)
configs = sorted(r["digest"]["sha256"] for r in rd.get("byproducts", [])
                 if r.get("name", "").startswith("config "))
same("configs", configs, sorted(hexof(b["config"]) for b in record["builds"]))
layers = sorted(r["digest"]["sha256"] for r in rd.get("byproducts", [])
                if r.get("name", "").startswith("layer "))
same("layers", layers, sorted(hexof(d) for b in record["builds"] for d in b["diff_ids"]))

for p in problems:
    print("provenance: " + p)
if problems:
    sys.exit(1)
print("valid: in-toto Statement v1, SLSA provenance v1; %d subject(s), %d dependencies, "
      "%d byproducts match the record" % (len(doc["subject"]), len(deps),
                                          len(rd.get("byproducts", []))))
