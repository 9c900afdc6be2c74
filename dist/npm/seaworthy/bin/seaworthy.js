#!/usr/bin/env node
// Runs the seaworthy binary of this platform's package
// (`@seaworthy/cli-<os>-<arch>[-musl]`), installed by npm as an optional
// dependency: the pattern of esbuild and biome. No postinstall script and
// no download: the binary comes with the package.
"use strict";

const { spawnSync } = require("node:child_process");
const fs = require("node:fs");
const path = require("node:path");

function isMusl() {
  if (process.platform !== "linux") return false;
  // glibc's Node reports its version; a musl build does not.
  const report = process.report && process.report.getReport
    ? process.report.getReport()
    : null;
  if (report && report.header) return !report.header.glibcVersionRuntime;
  try {
    return fs.readFileSync("/usr/bin/ldd", "utf8").includes("musl");
  } catch {
    return false;
  }
}

function platformPackage() {
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  const os = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
  if (!arch || !os) return null;
  const libc = os === "linux" ? (isMusl() ? "-musl" : "-gnu") : "";
  return `@seaworthy/cli-${os}-${arch}${libc}`;
}

function binaryPath() {
  if (process.env.SEAWORTHY_BINARY) return process.env.SEAWORTHY_BINARY;
  const pkg = platformPackage();
  if (!pkg) {
    throw new Error(`seaworthy has no binary for ${process.platform}/${process.arch}`);
  }
  const exe = process.platform === "win32" ? "seaworthy.exe" : "seaworthy";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch {
    throw new Error(
      `the package ${pkg} is not installed: reinstall seaworthy without --no-optional ` +
        "(or --omit=optional), which skips the package that carries the binary"
    );
  }
}

let binary;
try {
  binary = binaryPath();
} catch (e) {
  console.error(`seaworthy: ${e.message}`);
  process.exit(2);
}
const result = spawnSync(binary, process.argv.slice(2), { stdio: "inherit" });
if (result.error) {
  console.error(`seaworthy: cannot run ${path.basename(binary)}: ${result.error.message}`);
  process.exit(2);
}
process.exit(result.status === null ? 2 : result.status);
