// Prints the database URL each Dockerfile and compose file of a checkout
// sets (`file:line<TAB>value`), as the image would see it: Dockerfile
// `ENV`/`ARG` values with their quotes removed, compose `environment:`
// values with `${VAR}`, `${VAR:-default}` and `${VAR:?message}` resolved
// against the variables given as NAME=value arguments (Compose's rules).
// The harness runs `prisma validate` with each one.
//
//   node image-env.js DIR VAR [NAME=value ...]
"use strict";
const fs = require("fs");
const path = require("path");

const [dir, name, ...given] = process.argv.slice(2);
const env = Object.fromEntries(given.map((kv) => [kv.split("=")[0], kv.slice(kv.indexOf("=") + 1)]));

function files(d, out = []) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    if (["node_modules", ".git", ".next"].includes(e.name)) continue;
    const p = path.join(d, e.name);
    if (e.isDirectory()) files(p, out);
    else out.push(p);
  }
  return out;
}

const unquote = (v) => v.replace(/^(["'])(.*)\1$/, "$2");

// Compose interpolation; `$$` is a literal `$`. An unset `:?` variable is
// an error, as `docker compose` says.
function interpolate(v) {
  return v.replace(/\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (m, n, op, arg, bare) => {
    if (m === "$$") return "$";
    const key = n || bare;
    const set = env[key];
    if (!op) return set ?? "";
    const empty = set === undefined || (op.startsWith(":") && set === "");
    if (op.endsWith("-")) return empty ? arg : set;
    if (empty) throw new Error(`required variable ${key} is not set: ${arg}`);
    return set;
  });
}

for (const file of files(dir)) {
  const base = path.basename(file);
  const rel = path.relative(dir, file);
  const lines = fs.readFileSync(file, "utf8").split(/\r?\n/);
  if (/^(Dockerfile|.*\.Dockerfile|Dockerfile\..*)$/i.test(base)) {
    lines.forEach((line, i) => {
      const m = line.match(/^\s*(ENV|ARG)\s+(.*)$/i);
      if (!m || !m[2].includes(name)) return;
      const eq = m[2].match(new RegExp(`(?:^|\\s)${name}=("[^"]*"|'[^']*'|\\S+)`));
      const legacy = m[2].match(new RegExp(`^${name}\\s+([^=].*)$`));
      const value = eq ? unquote(eq[1]) : legacy ? unquote(legacy[1].trim()) : null;
      // `ENV DATABASE_URL=$DATABASE_URL`: set when the image is built.
      if (value !== null && !value.startsWith("$")) console.log(`${rel}:${i + 1}\t${value}`);
    });
  } else if (/^(docker-)?compose[^/]*\.ya?ml$/i.test(base)) {
    lines.forEach((line, i) => {
      const m = line.match(new RegExp(`^\\s*(?:-\\s*)?(["']?)${name}\\s*(?:=|:\\s)\\s*(.*)$`));
      if (!m) return;
      let value = m[2].replace(/\s+#.*$/, "").trim();
      // `- "NAME=value"`: the quotes hold the whole item.
      if (m[1] && value.endsWith(m[1])) value = value.slice(0, -1);
      value = unquote(value);
      try {
        console.log(`${rel}:${i + 1}\t${interpolate(value)}`);
      } catch (e) {
        console.log(`${rel}:${i + 1}\t!${e.message}`);
      }
    });
  }
}
