#!/usr/bin/env bash
# The whole GPU check in one run, for the GPU machine (PyTorch 2.x + CUDA, no Node, no network):
# unpack node and node_modules from .device/ (scripts/pack-device.sh makes them), build the addon
# against python3's torch (CMakeLists.txt finds it and force-links torch_cuda), print
# torch.config(), run the CUDA suites (test/cuda) with PyTorch on the same GPU as the oracle, the
# GPU benchmark beside PyTorch eager, and a CPU smoke subset; logs and results.json go to $OUT.
#
# A failed step is logged and the next one runs (a device session is precious); the exit status
# is non-zero at the end if any step failed. Each step has a time cap, and all of them share a
# budget (GPU_CHECK_BUDGET seconds, default 480) so the run ends within ~8 minutes.
#
#   OUT=/path scripts/gpu-check.sh                  on the GPU machine, from the repo root
#   OUT=/tmp/gpuout GPU_CHECK_DRY=1 scripts/gpu-check.sh
#       dry run anywhere: no unpacking or build (uses this checkout's node, node_modules and
#       build), the CUDA suites report themselves skipped, the bench runs --device cpu --quick.
# Other knobs: TORCH_TS_PYTHON (the oracle; default: the first python3 that imports torch),
# GPU_CHECK_SMOKE (test files of the smoke step), GPU_CHECK_JOBS (build parallelism, default 16).
# At the end $OUT holds results.json and gpu-check.tar.gz (everything else), as the device
# machine returns at most 8 files.
set -uo pipefail
cd "$(dirname "$0")/.."
: "${OUT:?set OUT to the folder that receives logs and results.json}"
DRY=${GPU_CHECK_DRY:-0}
BUDGET=${GPU_CHECK_BUDGET:-480}
JOBS=${GPU_CHECK_JOBS:-16}
SMOKE=${GPU_CHECK_SMOKE:-test/ops.test.ts test/autograd.test.ts test/nn_functional.test.ts test/optim.test.ts test/fusion.test.ts test/serialization.test.ts test/memory.test.ts}
mkdir -p "$OUT/logs"
: > "$OUT/steps.tsv"
START=$SECONDS
export OUT DRY BUDGET

# The oracle: the first python3 that imports torch (the GPU machine has no /usr/bin/python3).
if [ -z "${TORCH_TS_PYTHON:-}" ]; then
  for p in "$(command -v python3 || true)" /usr/bin/python3; do
    if [ -n "$p" ] && "$p" -c "import torch" >/dev/null 2>&1; then TORCH_TS_PYTHON=$p; break; fi
  done
fi
export TORCH_TS_PYTHON=${TORCH_TS_PYTHON:-python3}

# step NAME CAP_SECONDS COMMAND: runs COMMAND under `timeout` (min of CAP and what is left of the
# budget, keeping 20 s for the summary), logs to $OUT/logs/NAME.log, records the outcome.
step() {
  local name=$1 cap=$2 cmd=$3
  local left=$((BUDGET - (SECONDS - START) - 20))
  local limit=$(( cap < left ? cap : left ))
  local log="$OUT/logs/$name.log" t0=$SECONDS rc status
  if [ "$limit" -lt 10 ]; then
    echo "== $name: not run, the time budget is spent" | tee "$log"
    printf '%s\t%s\t%s\t%s\n' "$name" "out-of-time" "-1" "0" >> "$OUT/steps.tsv"
    return
  fi
  echo "== $name (limit ${limit}s): $cmd"
  timeout -k 10 "$limit" bash -c "$cmd" > "$log" 2>&1
  rc=$?
  case $rc in 0) status=ok ;; 124|137) status=timeout ;; *) status=failed ;; esac
  printf '%s\t%s\t%s\t%s\n' "$name" "$status" "$rc" "$((SECONDS - t0))" >> "$OUT/steps.tsv"
  echo "   $status (rc $rc, $((SECONDS - t0)) s); last lines of $log:"
  tail -n 8 "$log" | sed 's/^/   | /'
}
skip() {
  echo "== $1: skipped ($2)"
  printf '%s\t%s\t%s\t%s\n' "$1" "skipped" "0" "0" >> "$OUT/steps.tsv"
}

if [ "$DRY" = 1 ]; then
  skip node "dry run: this machine's node"
  skip node_modules "dry run: this checkout's node_modules"
else
  step node 60 'mkdir -p /tmp/torch-ts-node && xz -dc .device/node.xz > /tmp/torch-ts-node/node && chmod +x /tmp/torch-ts-node/node && /tmp/torch-ts-node/node --version'
  export PATH=/tmp/torch-ts-node:$PATH
  step node_modules 90 'tar -xJf .device/node_modules.tar.xz && ls node_modules/.bin/vitest node_modules/.bin/tsx node_modules/.bin/cmake-js node_modules/esbuild'
fi

step environment 60 'set -e
  echo "python: $TORCH_TS_PYTHON"; "$TORCH_TS_PYTHON" --version
  "$TORCH_TS_PYTHON" -c "
import json, torch
info = {\"torch\": torch.__version__, \"cuda\": torch.version.cuda, \"cuda_available\": torch.cuda.is_available()}
if torch.cuda.is_available():
    info.update(device_name=torch.cuda.get_device_name(), cudnn=torch.backends.cudnn.version(), capability=list(torch.cuda.get_device_capability()))
print(json.dumps(info))
json.dump(info, open(\"$OUT/python-torch.json\", \"w\"))"
  nvidia-smi || echo "nvidia-smi: not available"
  echo "node $(node --version); cmake: $(cmake --version | head -1); cores: $(nproc)"'

if [ "$DRY" = 1 ]; then
  skip build "dry run: this checkout's build/ is used as it is"
else
  # cmake-js takes node headers from node-api-headers (package.json napi_versions): no download.
  step build 300 "node_modules/.bin/cmake-js compile --parallel $JOBS && ls -la build/Release/torch_ts.node"
fi

step config 60 'node_modules/.bin/tsx -e "
import fs from \"node:fs\";
import * as torch from \"./lib/index.ts\";
const c = torch.config();
console.log(JSON.stringify(c, null, 1));
fs.writeFileSync(process.env.OUT + \"/config.json\", JSON.stringify(c));
if (process.env.DRY !== \"1\" && !c.cudaAvailable) { console.error(\"CUDA is not available to torch-ts\"); process.exit(1); }"'

step cuda_tests 240 "TORCH_TS_CUDA_REPORT=\"$OUT/cuda-report\" node_modules/.bin/vitest run test/cuda --reporter=verbose --reporter=json --outputFile.json=\"$OUT/vitest-cuda.json\""

if [ "$DRY" = 1 ]; then
  step bench 240 "BENCH_JSON=\"$OUT/bench.json\" node_modules/.bin/tsx scripts/bench/gpu.ts --device cpu --quick"
else
  step bench 240 "BENCH_JSON=\"$OUT/bench.json\" node_modules/.bin/tsx scripts/bench/gpu.ts --device cuda"
fi

# Last, as the least precious: the CPU suites against this machine's PyTorch (a newer one).
step cpu_smoke 150 "node_modules/.bin/vitest run $SMOKE --reporter=default --reporter=json --outputFile.json=\"$OUT/vitest-smoke.json\""

# ---- results.json: steps, device, versions, test counts, measured errors, bench figures ----
timeout 30 node --input-type=module - <<'EOF' > "$OUT/logs/summary.log" 2>&1
import fs from "node:fs";
const out = process.env.OUT;
const read = (f) => { try { return JSON.parse(fs.readFileSync(`${out}/${f}`, "utf8")); } catch { return null; } };
const steps = fs.readFileSync(`${out}/steps.tsv`, "utf8").trim().split("\n").filter(Boolean).map((l) => {
  const [name, status, rc, seconds] = l.split("\t");
  return { name, status, rc: Number(rc), seconds: Number(seconds), log: status === "skipped" ? null : `logs/${name}.log` };
});
function tests(file) {
  const v = read(file);
  if (!v) return null;
  const failures = [];
  for (const f of v.testResults ?? []) {
    if (f.status === "failed" && f.message) failures.push({ file: f.name, message: f.message.split("\n").slice(0, 6).join("\n") });
    for (const a of f.assertionResults ?? []) {
      if (a.status === "failed") failures.push({ test: a.fullName, message: (a.failureMessages ?? []).join("\n").split("\n").slice(0, 6).join("\n") });
    }
  }
  return {
    total: v.numTotalTests, passed: v.numPassedTests, failed: v.numFailedTests, skipped: (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0),
    suites: v.numTotalTestSuites, failedFiles: (v.testResults ?? []).filter((f) => f.status === "failed").length, failures,
  };
}
const report = {};
const dir = `${out}/cuda-report`;
if (fs.existsSync(dir)) {
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
    const r = JSON.parse(fs.readFileSync(`${dir}/${f}`, "utf8"));
    report[r.suite] = { device: r.device, comparisons: r.comparisons, worstAgainstTolerance: r.worstAgainstTolerance.slice(0, 5), notes: r.notes };
  }
}
const config = read("config.json");
const python = read("python-torch.json");
const failed = steps.filter((s) => s.status !== "ok" && s.status !== "skipped");
const results = {
  dry: process.env.DRY === "1", budgetS: Number(process.env.BUDGET), finishedAt: new Date().toISOString(),
  device: python?.device_name ?? (config?.cudaAvailable ? "cuda" : "cpu"), python, torchTs: config && {
    libtorchVersion: config.libtorchVersion, builtFrom: config.builtFrom, cudaBuild: config.cudaBuild,
    cudaAvailable: config.cudaAvailable, cudaDeviceCount: config.cudaDeviceCount, cudnnAvailable: config.cudnnAvailable,
  },
  steps, tests: { cuda: tests("vitest-cuda.json"), cpuSmoke: tests("vitest-smoke.json") },
  measuredErrors: report, bench: read("bench.json"), ok: failed.length === 0, failedSteps: failed.map((s) => s.name),
};
fs.writeFileSync(`${out}/results.json`, JSON.stringify(results, null, 1));
const t = results.tests.cuda;
console.log(`results.json: ${results.ok ? "all steps ok" : `FAILED steps: ${results.failedSteps.join(", ")}`}; ` +
  `CUDA tests ${t ? `${t.passed} passed, ${t.failed} failed, ${t.skipped} skipped of ${t.total}` : "no report"}; device ${results.device}`);
for (const c of results.bench?.cases ?? []) console.log(`  ${c.name}: torch-ts ${c.torchTs.toFixed(1)} vs PyTorch ${c.pytorch.toFixed(1)} ${c.unit}`);
EOF
cat "$OUT/logs/summary.log"
# The device machine hands back at most 8 files from $OUT: keep results.json beside it and put
# everything else (logs, vitest JSON, per-suite error reports) in one archive.
failed_step=0
{ [ ! -f "$OUT/results.json" ] || cut -f2 "$OUT/steps.tsv" | grep -qvE '^(ok|skipped)$'; } && failed_step=1
( cd "$OUT" && find . -mindepth 1 -maxdepth 1 ! -name results.json ! -name gpu-check.tar.gz -printf '%P\n' > /tmp/gpu-check-files &&
  tar -czf gpu-check.tar.gz -T /tmp/gpu-check-files && xargs -d '\n' rm -rf < /tmp/gpu-check-files )
echo "total $((SECONDS - START)) s; $OUT has results.json and gpu-check.tar.gz (logs/, steps.tsv, vitest and bench JSON)"
exit $failed_step
