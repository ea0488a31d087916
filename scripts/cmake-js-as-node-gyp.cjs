#!/usr/bin/env node
// prebuildify drives node-gyp; this stands in for it (PREBUILD_NODE_GYP) and builds with
// cmake-js against the system libtorch instead, leaving build/Release/torch_ts.node.
const { execFileSync } = require("node:child_process");
const path = require("node:path");
const cmakeJs = require.resolve("cmake-js/bin/cmake-js");
execFileSync(process.execPath, [cmakeJs, "rebuild", "--parallel", "2"], {
  stdio: "inherit",
  cwd: path.resolve(__dirname, ".."),
  env: { ...process.env, TORCH_TS_LIBTORCH: "system" },
});
