// The measuring side of bench/runner/run.sh (node, with `pg` from the graphile-worker install).
// Prints one `RESULT key=value ...` line per case. Every wait is bounded by RB_DEADLINE_S.
//   fleet-drain    enqueue RB_N jobs (kind RB_KIND, batches of 1000) into the paused queue RB_QUEUE,
//                  then resume it and time until no job of it is available or running
//   graphile-drain add RB_N jobs (task RB_KIND) with graphile_worker.add_jobs, time until the jobs view is empty
//   fleet-wake     RB_WAKE_N single enqueues RB_WAKE_PAUSE_MS apart into a queue idle runners wait on;
//                  enqueue (created_at) -> claim (attempted_at) percentiles, from queue.jobs
// CPU: clock ticks of the processes in RB_PIDS (name=pid,...; postgres = every postgres process) over the window.
import { createRequire } from "node:module";
import { readFileSync, readdirSync } from "node:fs";

const require = createRequire(process.env.GW_DIR + "/package.json");
const { Client } = require("pg");
const env = (k, d) => process.env[k] ?? d;
const N = Number(env("RB_N", 50000));
const KIND = env("RB_KIND", "noop");
const QUEUE = env("RB_QUEUE", "bench");
const deadline = Date.now() + Number(env("RB_DEADLINE_S", 300)) * 1000;
const CLK = Number(env("RB_CLK_TCK", 100));
const db = new Client({ connectionString: env("RB_DATABASE_URL") });
await db.connect();

function ticksOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]); // utime stime cutime cstime
  } catch { return 0; }
}
function postgresTicks() {
  let sum = 0;
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try { if (readFileSync(`/proc/${d}/comm`, "utf8").trim().startsWith("postgres")) sum += ticksOf(d); } catch {}
  }
  return sum;
}
function cpuSnapshot() {
  const snap = {};
  for (const pair of env("RB_PIDS", "").split(",").filter(Boolean)) {
    const [name, pid] = pair.split("=");
    snap[name] = ticksOf(pid);
  }
  snap.postgres = postgresTicks();
  return snap;
}
function cpuReport(a, b, seconds) {
  return Object.keys(b).map((k) => `cpu_${k}=${((b[k] - a[k]) / CLK).toFixed(2)}s`).join(" ")
    + ` window_s=${seconds.toFixed(3)}`;
}
async function fleet(method, path, body, token) {
  const res = await fetch(env("RB_QUEUE_URL") + path, {
    method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}
async function untilEmpty(sql, params) {
  for (;;) {
    const { rows } = await db.query(sql, params);
    if (!rows[0].busy) return;
    if (Date.now() > deadline) throw new Error("deadline passed before the queue was empty");
    await new Promise((r) => setTimeout(r, 10));
  }
}
const payload = KIND === "sleep" ? { ms: 10 } : {};
const admin = env("RB_ADMIN_TOKEN"), client = env("RB_CLIENT_TOKEN");

switch (process.argv[2]) {
  case "fleet-drain": {
    await fleet("PUT", `/queues/${QUEUE}`, { paused: true }, admin); // creates the queue if new
    // A warm-up round may have run on this queue before: count only this round's jobs.
    const before = (await db.query("select coalesce(max(id), 0) as id from queue.jobs")).rows[0].id;
    for (let done = 0; done < N; done += 1000) {
      const jobs = Array.from({ length: Math.min(1000, N - done) }, () => ({ kind: KIND, payload }));
      await fleet("POST", `/queues/${QUEUE}/jobs/batch`, { jobs }, client);
    }
    const a = cpuSnapshot(), t0 = process.hrtime.bigint();
    await fleet("POST", `/queues/${QUEUE}/resume`, undefined, admin);
    await untilEmpty("select exists (select 1 from queue.jobs where queue = $1 and state in ('available', 'running')) as busy",
      [QUEUE]);
    const s = Number(process.hrtime.bigint() - t0) / 1e9, b = cpuSnapshot();
    const { rows } = await db.query("select count(*) filter (where state = 'succeeded') as ok, count(*) as all,"
      + " count(*) filter (where attempt > 1) as retried from queue.jobs where queue = $1 and id > $2", [QUEUE, before]);
    console.log(`RESULT case=fleet-drain kind=${KIND} n=${N} jobs_per_s=${(N / s).toFixed(0)} succeeded=${rows[0].ok}`
      + ` total=${rows[0].all} retried=${rows[0].retried} ${cpuReport(a, b, s)}`);
    break;
  }
  case "graphile-drain": {
    const task = KIND === "sleep" ? "sleep10" : "noop";
    await db.query("begin");
    await db.query("select graphile_worker.add_jobs(array(select json_populate_record(null::graphile_worker.job_spec,"
      + " json_build_object('identifier', $1::text, 'payload', '{}'::json)) from generate_series(1, $2::int)))", [task, N]);
    const a = cpuSnapshot(), t0 = process.hrtime.bigint();
    await db.query("commit");
    await untilEmpty("select exists (select 1 from graphile_worker.jobs) as busy", []);
    const s = Number(process.hrtime.bigint() - t0) / 1e9, b = cpuSnapshot();
    console.log(`RESULT case=graphile-drain kind=${KIND} n=${N} jobs_per_s=${(N / s).toFixed(0)} ${cpuReport(a, b, s)}`);
    break;
  }
  case "fleet-wake": {
    const n = Number(env("RB_WAKE_N", 300)), pause = Number(env("RB_WAKE_PAUSE_MS", 20));
    const ids = [];
    for (let i = 0; i < n && Date.now() < deadline; i++) {
      ids.push((await fleet("POST", `/queues/${QUEUE}/jobs`, { kind: "noop", payload: {} }, client)).id);
      await new Promise((r) => setTimeout(r, pause));
    }
    await untilEmpty("select exists (select 1 from queue.jobs where queue = $1 and state in ('available', 'running')) as busy",
      [QUEUE]);
    const { rows } = await db.query("select extract(epoch from (attempted_at - created_at)) * 1000 as ms"
      + " from queue.jobs where id = any($1::bigint[]) order by 1", [ids]);
    const ms = rows.map((r) => Number(r.ms)), at = (p) => ms[Math.min(ms.length - 1, Math.ceil(p * ms.length) - 1)];
    console.log(`RESULT case=fleet-wake n=${ms.length} p50_ms=${at(0.5).toFixed(2)} p99_ms=${at(0.99).toFixed(2)}`
      + ` max_ms=${ms[ms.length - 1].toFixed(2)}`);
    break;
  }
  default:
    throw new Error("case: fleet-drain | graphile-drain | fleet-wake");
}
await db.end();
