# The sample service (src/) run directly: both runtime interfaces' outputs,
# and every bad input an errorResponse with a non-zero exit.
. "$TOP/tests/e2e/lib.sh"

service=$BUILD/service
out=$tmp/out.d
mkdir -p "$out"
"$service" "$TOP/input" "$out" >"$tmp/stdout" 2>"$tmp/stderr"
same "service: the sample input exits 0" $? 0
same "service: the result line on stdout" "$(cat "$tmp/stdout")" \
	'PlanQK:Job:Result: {"counts":{"00":496,"11":528},"shots":1024}'
same "service: the same result in output.json" "$(cat "$out/output.json")" \
	'{"counts":{"00":496,"11":528},"shots":1024}'
same "service: a log line on stderr" "$(cat "$tmp/stderr")" \
	"service: 2 qubits, 2 gates, 1024 shots, seed 7"

# bad_input NAME DATA PARAMS DETAIL: exit 1, the errorResponse on the result
# line and in output.json
bad_input() {
	mkdir -p "$tmp/in"
	printf '%s' "$2" >"$tmp/in/data.json"
	printf '%s' "$3" >"$tmp/in/params.json"
	rm -f "$out/output.json"
	"$service" "$tmp/in" "$out" >"$tmp/stdout" 2>/dev/null
	same "service: $1: exit status 1" $? 1
	same "service: $1: an errorResponse" "$(cat "$tmp/stdout")" "PlanQK:Job:Result: $4"
	same "service: $1: the same in output.json" "$(cat "$out/output.json")" "$4"
}
good_params='{"shots": 10, "seed": 1}'
bad_input "data.json not JSON" '{"qubits": 2,' "$good_params" \
	'{"code":"invalid_input","detail":"data.json:1:13: not valid JSON: string or '"'"'}'"'"' expected near end of file"}'
bad_input "too many qubits" '{"qubits": 17, "gates": []}' "$good_params" \
	'{"code":"too_large","detail":"17 qubits: this simulator takes at most 16"}'
bad_input "an unknown gate" '{"qubits": 1, "gates": [{"gate": "u3", "qubits": [0]}]}' \
	"$good_params" '{"code":"invalid_input","detail":"gates[0]: unknown gate '"'"'u3'"'"'"}'
bad_input "no shots" '{"qubits": 1, "gates": []}' '{"seed": 1}' \
	'{"code":"invalid_input","detail":"\"shots\" is not an integer from 1 to 1000000"}'
rm "$tmp/in/params.json"
"$service" "$tmp/in" "$out" >"$tmp/stdout" 2>/dev/null
same "service: params.json missing: exit status 1" $? 1
case $(cat "$tmp/stdout") in
'PlanQK:Job:Result: {"code":"invalid_input","detail":"params.json: unable to open '*) pass "service: params.json missing: an errorResponse" ;;
*) fail "service: params.json missing: an errorResponse" "$(cat "$tmp/stdout")" ;;
esac

finish
